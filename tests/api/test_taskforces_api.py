"""The task force and member endpoints of API.md, with a token and without."""

from __future__ import annotations

import pytest

from taskforce.bodies.models import TaskForce, TorVersion
from taskforce.extensions import db
from tests.conftest import CLI, Api

NEW = {
    "name": "Housing Supply Task Force",
    "code": "HS",
    "purpose": "Build **more** homes.",
    "cadence_weeks": 6,
    "quorum": None,
}
MINISTER = {
    "name": "Ada Quarry",
    "email": "Ada.Quarry@example.gov.uk",
    "role_title": "Minister for Housing",
    "organisation": "Department for Homes",
    "group": "minister",
    "is_chair": True,
    "on_distribution": True,
}


def test_create_taskforce_returns_201_with_id_and_sanitised_purpose(api):
    response = api.post("/taskforces", NEW)
    assert response.status_code == 201
    body = response.get_json()
    assert body["id"] > 0
    assert body["code"] == "HS"
    assert body["purpose_html"] == '<p class="govuk-body">Build <strong>more</strong> homes.</p>'
    assert body["tor_version"] == 1
    assert body["cadence_weeks"] == 6


def test_get_list_patch_taskforce(api):
    created = api.post("/taskforces", NEW).get_json()
    assert api.get(f"/taskforces/{created['id']}").get_json()["name"] == NEW["name"]
    listing = api.get("/taskforces").get_json()
    assert [t["id"] for t in listing["items"]] == [created["id"]]
    assert listing["next"] is None
    patched = api.patch(
        f"/taskforces/{created['id']}", {"quorum": 3, "version": created["version"]}
    )
    assert patched.status_code == 200
    assert patched.get_json()["quorum"] == 3
    assert patched.get_json()["version"] == created["version"] + 1


def test_changing_purpose_makes_a_new_tor_version(api):
    tf = api.post("/taskforces", NEW).get_json()
    api.patch(f"/taskforces/{tf['id']}", {"purpose": "Build many more homes."})
    versions = api.get(f"/taskforces/{tf['id']}/tor-versions").get_json()["items"]
    assert [v["number"] for v in versions] == [1, 2]
    assert versions[1]["snapshot"]["purpose"] == "Build many more homes."
    assert versions[0]["snapshot"]["purpose"] == NEW["purpose"]
    assert versions[1]["via"] == "api"
    assert versions[1]["summary"] == "Purpose changed"


def test_a_patch_that_changes_nothing_makes_no_version(api):
    tf = api.post("/taskforces", NEW).get_json()
    api.patch(f"/taskforces/{tf['id']}", {"purpose": NEW["purpose"], "name": NEW["name"]})
    assert len(api.get(f"/taskforces/{tf['id']}/tor-versions").get_json()["items"]) == 1


def test_members_add_list_patch_delete(api):
    tf = api.post("/taskforces", NEW).get_json()
    response = api.post(f"/taskforces/{tf['id']}/members", MINISTER)
    assert response.status_code == 201
    member = response.get_json()
    assert member["email"] == "ada.quarry@example.gov.uk"
    assert member["is_chair"] is True
    assert api.get(f"/taskforces/{tf['id']}").get_json()["chair"]["name"] == "Ada Quarry"

    listing = api.get(f"/taskforces/{tf['id']}/members").get_json()
    assert [m["id"] for m in listing["items"]] == [member["id"]]

    patched = api.patch(f"/members/{member['id']}", {"role_title": "Secretary of State"})
    assert patched.status_code == 200
    assert patched.get_json()["role_title"] == "Secretary of State"

    assert api.delete(f"/members/{member['id']}").status_code == 204
    assert api.get(f"/taskforces/{tf['id']}/members").get_json()["items"] == []
    assert api.get(f"/members/{member['id']}").status_code == 410
    versions = api.get(f"/taskforces/{tf['id']}/tor-versions").get_json()["items"]
    assert [v["summary"] for v in versions] == [
        "First version of the terms of reference",
        "Added Ada Quarry (Minister for Housing) as chair",
        "Ada Quarry: role title Minister for Housing → Secretary of State",
        "Removed Ada Quarry (Secretary of State)",
    ]
    # The removed member still shows in the version that had them.
    assert versions[2]["snapshot"]["members"][0]["name"] == "Ada Quarry"


def test_compare_versions_reports_membership_and_purpose(api):
    tf = api.post("/taskforces", NEW).get_json()
    api.post(f"/taskforces/{tf['id']}/members", MINISTER)
    api.patch(f"/taskforces/{tf['id']}", {"purpose": "Build homes.\n\nFaster.", "quorum": 2})
    diff = api.get(f"/taskforces/{tf['id']}/tor-versions/compare?from=1&to=3").get_json()
    assert [m["name"] for m in diff["members_added"]] == ["Ada Quarry"]
    assert {"field": "Quorum", "from": "none", "to": "2"} in diff["fields"]
    assert {"op": "added", "line": "Faster."} in diff["purpose_diff"]


def test_without_a_token_every_endpoint_says_401(client, api, secretariat):
    tf = api.post("/taskforces", NEW).get_json()
    member = api.post(f"/taskforces/{tf['id']}/members", MINISTER).get_json()
    anonymous = Api(client, None)
    bad = Api(client, "tf_not-a-real-token")
    calls = [
        ("GET", "/taskforces"),
        ("POST", "/taskforces"),
        ("GET", f"/taskforces/{tf['id']}"),
        ("PATCH", f"/taskforces/{tf['id']}"),
        ("GET", f"/taskforces/{tf['id']}/tor-versions"),
        ("POST", f"/taskforces/{tf['id']}/members"),
        ("GET", f"/taskforces/{tf['id']}/members"),
        ("PATCH", f"/members/{member['id']}"),
        ("DELETE", f"/members/{member['id']}"),
    ]
    for caller in (anonymous, bad):
        for method, path in calls:
            response = caller._call(method, path, json={})
            assert response.status_code == 401, (method, path)
            assert response.get_json()["error"]["code"] == "unauthorised"
            assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_is_refused(client, api_for, make_user):
    from taskforce.auth import services

    user = make_user("secretariat")
    api = api_for(user)
    assert api.get("/taskforces").status_code == 200
    services.revoke_tokens(user, CLI)
    db.session.commit()
    assert api.get("/taskforces").status_code == 401


def test_secretariat_gets_403_on_a_task_force_it_does_not_serve(api, api_for, make_user):
    tf = api.post("/taskforces", NEW).get_json()
    other = api_for(make_user("secretariat"))
    assert other.get(f"/taskforces/{tf['id']}").status_code == 403
    assert other.patch(f"/taskforces/{tf['id']}", {"quorum": 2}).status_code == 403
    assert other.post(f"/taskforces/{tf['id']}/members", MINISTER).status_code == 403
    assert other.get("/taskforces").get_json()["items"] == []


def test_secretariat_member_serves_a_task_force_it_did_not_create(api, api_for, make_user):
    tf = api.post("/taskforces", NEW).get_json()
    colleague = make_user("secretariat", email="colleague@example.gov.uk")
    api.post(
        f"/taskforces/{tf['id']}/members",
        {"name": "Col League", "email": colleague.email, "group": "secretariat"},
    )
    assert api_for(colleague).patch(f"/taskforces/{tf['id']}", {"quorum": 2}).status_code == 200


def test_members_and_chairs_read_but_cannot_change(api, api_for, make_user):
    tf = api.post("/taskforces", NEW).get_json()
    chair_user = make_user("chair", email="ada.quarry@example.gov.uk")
    outsider = api_for(make_user("member"))
    api.post(f"/taskforces/{tf['id']}/members", MINISTER)
    chair = api_for(chair_user)
    assert chair.get(f"/taskforces/{tf['id']}").status_code == 200
    assert chair.patch(f"/taskforces/{tf['id']}", {"quorum": 2}).status_code == 403
    assert chair.post("/taskforces", {**NEW, "code": "ZZ"}).status_code == 403
    assert outsider.get(f"/taskforces/{tf['id']}").status_code == 403


def test_unknown_ids_are_404(api):
    assert api.get("/taskforces/999999").status_code == 404
    assert api.patch("/members/999999", {"name": "X"}).status_code == 404
    assert api.get("/taskforces/999999").get_json()["error"]["code"] == "not_found"
    assert api.get("/nothing-here").status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**NEW, "code": "hs"}, "code"),
        ({**NEW, "code": "H"}, "code"),
        ({**NEW, "code": "ABCDEFGHI"}, "code"),
        ({k: v for k, v in NEW.items() if k != "name"}, "name"),
        ({**NEW, "name": ""}, "name"),
        ({**NEW, "name": "x" * 201}, "name"),
        ({**NEW, "name": "Two\nlines"}, "name"),
        ({**NEW, "purpose": "x" * 20_001}, "purpose"),
        ({**NEW, "cadence_weeks": 0}, "cadence_weeks"),
        ({**NEW, "cadence_weeks": "six"}, "cadence_weeks"),
        ({**NEW, "quorum": -1}, "quorum"),
        ({**NEW, "review_on": "next Tuesday"}, "review_on"),
        ({**NEW, "colour": "blue"}, "colour"),
    ],
)
def test_invalid_taskforce_is_refused_with_a_field_error_and_nothing_saved(api, payload, field):
    response = api.post("/taskforces", payload)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"], error
    assert db.session.query(TaskForce).count() == 0


def test_duplicate_code_is_refused(api):
    api.post("/taskforces", NEW)
    response = api.post("/taskforces", {**NEW, "name": "Another"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["code"] == [
        "The code HS is not available: choose another"
    ]
    assert db.session.query(TaskForce).count() == 1


def test_a_code_taken_by_a_task_force_you_cannot_see_says_only_not_available(
    api, api_for, make_user
):
    """Whose the code is, or what that task force is called, is none of the caller's business;
    the refusal reads the same as for a code of one's own task force."""
    other = api_for(make_user("secretariat"))
    assert other.post("/taskforces", {**NEW, "name": "Secret Review Board"}).status_code == 201
    theirs = api.post("/taskforces", {**NEW, "name": "Mine"})
    api.post("/taskforces", {**NEW, "code": "MN", "name": "Mine"})
    mine = api.post("/taskforces", {**NEW, "code": "MN", "name": "Mine again"})
    assert theirs.status_code == mine.status_code == 422
    assert theirs.get_json()["error"]["fields"]["code"] == [
        "The code HS is not available: choose another"
    ]
    assert mine.get_json()["error"]["fields"]["code"] == [
        "The code MN is not available: choose another"
    ]
    assert "Secret" not in theirs.get_data(as_text=True)


def test_body_that_is_not_json_is_a_clear_error(api):
    response = api.client.post(
        "/api/v1/taskforces",
        data="name=x",
        headers={**api.headers, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    assert "not valid JSON" in response.get_json()["error"]["message"]
    assert api.post("/taskforces", ["a", "list"]).status_code == 422
    nested = "[" * 100_000 + "]" * 100_000
    response = api.client.post(
        "/api/v1/taskforces",
        data=nested,
        headers={**api.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400


def test_explicit_nulls_are_refused_where_a_value_is_required(api):
    tf = api.post("/taskforces", NEW).get_json()
    response = api.patch(f"/taskforces/{tf['id']}", {"name": None, "priorities": None})
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"name", "priorities"}
    assert api.patch(f"/taskforces/{tf['id']}", {"quorum": None}).status_code == 200
    member = api.post(f"/taskforces/{tf['id']}/members", MINISTER).get_json()
    for field in ("name", "email", "group", "is_chair", "on_distribution"):
        response = api.patch(f"/members/{member['id']}", {field: None})
        assert response.status_code == 422, field
        assert field in response.get_json()["error"]["fields"]


def test_priorities_change_alone_still_guards_against_stale_edits(api):
    tf = api.post("/taskforces", {**NEW, "priorities": ["Homes"]}).get_json()
    first = api.patch(
        f"/taskforces/{tf['id']}", {"priorities": ["Homes", "Land"], "version": tf["version"]}
    )
    assert first.status_code == 200
    stale = api.patch(
        f"/taskforces/{tf['id']}", {"priorities": ["Roads"], "version": tf["version"]}
    )
    assert stale.status_code == 409
    assert api.get(f"/taskforces/{tf['id']}").get_json()["priorities"] == ["Homes", "Land"]


def test_duplicate_priorities_are_refused(api):
    response = api.post("/taskforces", {**NEW, "priorities": ["Homes", "Homes"]})
    assert response.status_code == 422
    assert "priorities" in response.get_json()["error"]["fields"]


def test_a_code_change_is_a_new_tor_version(api):
    tf = api.post("/taskforces", NEW).get_json()
    api.patch(f"/taskforces/{tf['id']}", {"code": "HSX"})
    versions = api.get(f"/taskforces/{tf['id']}/tor-versions").get_json()["items"]
    assert versions[-1]["summary"] == "Code HS → HSX"


def test_removed_members_are_gone_not_missing(api):
    tf = api.post("/taskforces", NEW).get_json()
    member = api.post(f"/taskforces/{tf['id']}/members", MINISTER).get_json()
    api.delete(f"/members/{member['id']}")
    assert api.get(f"/members/{member['id']}").status_code == 410
    assert api.patch(f"/members/{member['id']}", {"name": "Back"}).status_code == 410
    assert api.delete(f"/members/{member['id']}").status_code == 410


def test_pathological_markdown_is_refused(api):
    response = api.post("/taskforces", {**NEW, "purpose": "[a](" * 600})
    assert response.status_code == 422
    assert "square brackets" in response.get_json()["error"]["fields"]["purpose"][0]


def test_underscore_query_parameters_do_not_break_paging(api):
    for n in range(3):
        api.post("/taskforces", {**NEW, "code": f"HS{'ABC'[n]}"})
    response = api.get("/taskforces?limit=1&_external=0&_method=POST&_anchor=x")
    assert response.status_code == 200
    assert "_anchor" not in response.get_json()["next"]


def test_odd_version_numbers_in_the_compare_query_are_refused(api):
    tf = api.post("/taskforces", NEW).get_json()
    for raw in ("²", "9" * 5000, "99999999999999999999", "-1"):
        response = api.get(f"/taskforces/{tf['id']}/tor-versions/compare?from={raw}&to=1")
        assert response.status_code == 422, raw


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**MINISTER, "email": "not-an-email"}, "email"),
        ({**MINISTER, "email": ""}, "email"),
        ({**MINISTER, "group": "royalty"}, "group"),
        ({**MINISTER, "name": "y" * 121}, "name"),
        ({k: v for k, v in MINISTER.items() if k != "name"}, "name"),
    ],
)
def test_invalid_member_is_refused(api, payload, field):
    tf = api.post("/taskforces", NEW).get_json()
    response = api.post(f"/taskforces/{tf['id']}/members", payload)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert api.get(f"/taskforces/{tf['id']}/members").get_json()["items"] == []


def test_a_member_added_twice_is_refused(api):
    tf = api.post("/taskforces", NEW).get_json()
    api.post(f"/taskforces/{tf['id']}/members", MINISTER)
    again = api.post(
        f"/taskforces/{tf['id']}/members",
        {**MINISTER, "is_chair": False, "email": "ADA.QUARRY@example.gov.uk"},
    )
    assert again.status_code == 422
    assert "already a member" in again.get_json()["error"]["fields"]["email"][0]
    assert len(api.get(f"/taskforces/{tf['id']}/members").get_json()["items"]) == 1
    assert db.session.query(TorVersion).count() == 2


def test_a_second_chair_is_refused(api):
    tf = api.post("/taskforces", NEW).get_json()
    api.post(f"/taskforces/{tf['id']}/members", MINISTER)
    second = api.post(
        f"/taskforces/{tf['id']}/members",
        {**MINISTER, "name": "Bo Reed", "email": "bo@example.gov.uk"},
    )
    assert second.status_code == 422
    assert "already chairs" in second.get_json()["error"]["fields"]["is_chair"][0]


def test_a_stale_version_is_a_conflict_and_changes_nothing(api):
    tf = api.post("/taskforces", NEW).get_json()
    api.patch(f"/taskforces/{tf['id']}", {"quorum": 2, "version": tf["version"]})
    stale = api.patch(f"/taskforces/{tf['id']}", {"quorum": 9, "version": tf["version"]})
    assert stale.status_code == 409
    assert stale.get_json()["error"]["code"] == "conflict"
    assert api.get(f"/taskforces/{tf['id']}").get_json()["quorum"] == 2


def test_list_pages_with_next_links(api):
    for n in range(5):
        api.post("/taskforces", {**NEW, "code": f"HS{'ABCDE'[n]}", "name": f"TF {n}"})
    first = api.get("/taskforces?limit=2").get_json()
    assert len(first["items"]) == 2
    assert first["next"]
    seen = [t["id"] for t in first["items"]]
    url = first["next"]
    while url:
        page = api.client.get(url, headers=api.headers).get_json()
        seen += [t["id"] for t in page["items"]]
        url = page["next"]
    assert len(seen) == 5 == len(set(seen))
    assert api.get("/taskforces?limit=501").status_code == 422
    assert api.get("/taskforces?limit=lots").status_code == 422


def test_script_in_purpose_is_inert_in_purpose_html(api):
    evil = (
        '<script>alert(1)</script><img src=x onerror="alert(2)">'
        '[click](javascript:alert(3)) <a href="javascript:alert(4)">x</a>'
    )
    body = api.post("/taskforces", {**NEW, "purpose": evil}).get_json()
    html = body["purpose_html"].lower()
    assert "<script" not in html
    assert "onerror" not in html
    assert "javascript:" not in html
    assert body["purpose"] == evil  # the text is kept as written; only its HTML is cleaned


def test_openapi_describes_every_endpoint_without_a_token(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    assert set(paths["/api/v1/taskforces"]) == {"get", "post"}
    assert set(paths["/api/v1/taskforces/{taskforce_id}"]) == {"get", "patch"}
    assert "get" in paths["/api/v1/taskforces/{taskforce_id}/tor-versions"]
    assert set(paths["/api/v1/taskforces/{taskforce_id}/members"]) == {"get", "post"}
    assert set(paths["/api/v1/members/{member_id}"]) >= {"patch", "delete"}
    assert "TaskForceCreate" in spec["components"]["schemas"]


def test_openapi_documents_every_status_the_api_answers(client):
    # Found by the schemathesis fuzz: each of these statuses was answered but not described.
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    def statuses(path: str, method: str) -> set[str]:
        return set(paths["/api/v1" + path][method]["responses"])

    # A body that is not JSON (400) or too large (413), uploads included.
    for path, method in [
        ("/taskforces", "post"),
        ("/members/{member_id}", "patch"),
        ("/meetings/{meeting_id}/attendance", "put"),
        ("/taskforces/{taskforce_id}/actuals/import", "post"),
    ]:
        assert {"400", "413", "422"} <= statuses(path, method), path
    # A bad limit, after or filter in the query.
    for path in ["/taskforces", "/actions", "/taskforces/{taskforce_id}/tor-versions/compare"]:
        assert "422" in statuses(path, "get"), path
    # A refusal of the operation's own.
    assert "404" in statuses("/actions", "post")
    assert "409" in statuses("/meetings/{meeting_id}/cancel", "post")
    assert "409" in statuses("/meetings/{meeting_id}/invites", "post")
    assert "409" in statuses("/actions/{action_id}/link", "post")
    assert "409" in statuses("/indicators/{indicator_id}/actuals", "post")
    for method in ("get", "patch", "delete"):
        assert "410" in statuses("/members/{member_id}", method)
    assert "410" in statuses("/members/{member_id}/calendar-link", "post")
    # Nothing to read, nothing to refuse.
    assert "400" not in statuses("/taskforces/{taskforce_id}", "get")
    assert "422" not in statuses("/taskforces/{taskforce_id}", "get")


def test_openapi_describes_every_successful_answer(client):
    # Without a described body the fuzz's response-schema check had nothing to hold them to.
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith("2") and status != "204":
                    assert response.get("content"), f"{method.upper()} {path} {status}"
    media = {
        "/api/v1/meetings/{meeting_id}/invite.ics": "text/calendar",
        "/api/v1/taskforces/{taskforce_id}/calendar.ics": "text/calendar",
        "/api/v1/indicators/{indicator_id}/chart.svg": "image/svg+xml",
        "/api/v1/indicators/{indicator_id}/chart.png": "image/png",
    }
    for path, media_type in media.items():
        assert list(paths[path]["get"]["responses"]["200"]["content"]) == [media_type]


def test_comparison_and_audit_answer_as_described(api):
    tf = api.post("/taskforces", NEW).get_json()
    api.patch(f"/taskforces/{tf['id']}", {"purpose": "Build many more homes."})
    comparison = api.get(f"/taskforces/{tf['id']}/tor-versions/compare?from=1&to=2").get_json()
    assert comparison["from"] == 1
    assert comparison["to"] == 2
    assert comparison["purpose_diff"] == [
        {"op": "removed", "line": NEW["purpose"]},
        {"op": "added", "line": "Build many more homes."},
    ]
    [latest, *_] = api.get(f"/taskforces/{tf['id']}/audit").get_json()["items"]
    assert set(latest) == {
        "id", "at", "by", "via", "action", "subject_type", "subject_id", "summary", "changes"
    }  # fmt: skip
    assert latest["via"] == "api"


def test_ids_beyond_the_database_range_are_not_a_server_error(api, client, make_user, no_csrf):
    from tests.conftest import login

    huge = 10**20
    assert api.get(f"/taskforces/{huge}").status_code == 404
    assert api.get(f"/taskforces?after={huge}").status_code == 422
    login(client, make_user("admin"))
    assert client.get(f"/taskforces/{huge}").status_code == 404


def test_an_id_beyond_the_database_range_is_404_for_every_method(api, tf, make_indicator):
    # Werkzeug matched the path of the GET rule before the id failed its range check, and so
    # answered PATCH /indicators/<too large> with 405 Method Not Allowed (found by fuzzing).
    indicator = make_indicator()
    for too_large in (2**31, 11571515490, 10**20):
        assert api.patch(f"/indicators/{too_large}", {}).status_code == 404
        assert api.get(f"/taskforces/{too_large}/indicators").status_code == 404
        assert api.delete(f"/members/{too_large}/calendar-link").status_code == 404
    assert api.get(f"/indicators/{indicator.id:07d}").status_code == 200  # leading zeros, as before
    assert api.patch(f"/indicators/{2**31 - 1}", {}).status_code == 404


def test_control_characters_are_refused_not_stored(api):
    response = api.post("/taskforces", {**NEW, "purpose": "bad\x00byte", "name": "Tab\there"})
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"purpose", "name"}

"""The task force pages a secretariat uses: create, edit, members, versions, history."""

from __future__ import annotations

import pytest

from taskforce.bodies.models import Member, TaskForce, TorVersion
from taskforce.extensions import db
from tests.conftest import login, member

#: The forms go without CSRF tokens here; CSRF itself is tested on its own.
pytestmark = pytest.mark.usefixtures("no_csrf")

FORM = {
    "name": "Flood Resilience Task Force",
    "code": "fr",
    "purpose": "Protect homes.",
    "priorities": "Flood defences\n- Insurance take-up\n\n",
    "cadence_weeks": "6",
    "quorum": "",
    "review_on": ["", "", ""],
}


def test_secretariat_creates_a_task_force_from_the_form(web):
    response = web.post("/taskforces/new", data={**FORM, "review_on": ["30", "9", "2027"]})
    assert response.status_code == 302
    tf = db.session.query(TaskForce).one()
    assert tf.code == "FR"
    assert [p.title for p in tf.priorities] == ["Flood defences", "Insurance take-up"]
    assert tf.review_on.isoformat() == "2027-09-30"
    page = web.get(response.location).get_data(as_text=True)
    assert "Flood Resilience Task Force" in page
    assert "Protect homes." in page


def test_invalid_form_shows_an_error_summary_and_saves_nothing(web):
    html = web.post(
        "/taskforces/new",
        data={
            **FORM,
            "name": "",
            "code": "f1",
            "cadence_weeks": "0",
            "review_on": ["31", "2", "2027"],
        },
    ).get_data(as_text=True)
    assert "There is a problem" in html
    assert '<a href="#name">Enter the task force&#39;s name</a>' in html  # in the summary
    assert html.count("Enter the task force&#39;s name") == 2  # and by the field
    assert "Code must be 2 to 8 capital letters" in html
    assert "Cadence must be from 1 to 26 weeks" in html
    assert 'href="#review_on-day"' in html
    assert "Review date must be a real date" in html
    assert 'id="review_on-day"' in html
    assert "<title>Error:" in html
    assert db.session.query(TaskForce).count() == 0


def test_duplicate_code_is_shown_on_the_code_field(web, make_taskforce):
    make_taskforce(code="FR")
    html = web.post("/taskforces/new", data=FORM).get_data(as_text=True)
    assert "The code FR is not available: choose another" in html
    assert "another task force" not in html
    assert 'href="#code"' in html
    assert db.session.query(TaskForce).count() == 1


def test_editing_the_purpose_makes_a_new_version(web, secretariat, make_taskforce):
    tf = make_taskforce(by=secretariat, purpose="Old purpose.")
    form = {
        **FORM,
        "name": tf.name,
        "code": tf.code,
        "purpose": "New purpose.",
        "priorities": "",
        "version": str(tf.version),
    }
    assert web.post(f"/taskforces/{tf.id}/edit", data=form).status_code == 302
    versions = (
        db.session.query(TorVersion).filter_by(taskforce_id=tf.id).order_by(TorVersion.number).all()
    )
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].summary == "Purpose changed"
    html = web.get(f"/taskforces/{tf.id}/versions").get_data(as_text=True)
    assert "Version 2" in html and "(current)" in html


def test_a_stale_edit_is_shown_as_a_conflict_not_saved(web, secretariat, make_taskforce):
    tf = make_taskforce(by=secretariat, purpose="Agreed wording.")
    stale_version = str(tf.version)
    web.post(
        f"/taskforces/{tf.id}/edit",
        data={**FORM, "code": tf.code, "purpose": "Theirs.", "version": stale_version},
    )
    response = web.post(
        f"/taskforces/{tf.id}/edit",
        data={**FORM, "code": tf.code, "purpose": "Mine.", "version": stale_version},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "changed by someone else" in html
    assert "Mine." in html  # what the user typed is kept on the page
    db.session.expire_all()
    assert db.session.get(TaskForce, tf.id).purpose == "Theirs."


def test_adding_members_and_the_duplicate_error(web, secretariat, make_taskforce):
    tf = make_taskforce(by=secretariat)
    data = {
        "name": "Rhiannon Vale",
        "email": "rhiannon.vale@example.gov.uk",
        "role_title": "Minister for Water",
        "organisation": "Department for Rivers",
        "group": "minister",
        "is_chair": "y",
        "on_distribution": "y",
    }
    assert web.post(f"/taskforces/{tf.id}/members/new", data=data).status_code == 302
    html = web.post(f"/taskforces/{tf.id}/members/new", data={**data, "is_chair": ""}).get_data(
        as_text=True
    )
    assert "Rhiannon Vale is already a member" in html
    assert db.session.query(Member).count() == 1
    page = web.get(f"/taskforces/{tf.id}").get_data(as_text=True)
    assert "Rhiannon Vale" in page and "Ministers (1)" in page


def test_invalid_member_email_is_refused(web, secretariat, make_taskforce):
    tf = make_taskforce(by=secretariat)
    html = web.post(
        f"/taskforces/{tf.id}/members/new",
        data={"name": "X", "email": "not an email", "group": "official"},
    ).get_data(as_text=True)
    assert "Enter an email address in the correct format" in html
    assert db.session.query(Member).count() == 0


def test_removing_a_member_keeps_them_in_earlier_versions(web, secretariat, make_taskforce):
    tf = make_taskforce(by=secretariat, members=[member("Ivo Park", "ivo@example.gov.uk")])
    m = tf.members[0]
    assert web.post(f"/members/{m.id}/remove").status_code == 302
    html = web.get(f"/taskforces/{tf.id}/versions/1").get_data(as_text=True)
    assert "Ivo Park" in html
    assert "Ivo Park" not in web.get(f"/taskforces/{tf.id}").get_data(as_text=True)
    compare = web.get(f"/taskforces/{tf.id}/versions/compare?from=1&to=2").get_data(as_text=True)
    assert "Left: Ivo Park" in compare


def test_compare_with_an_unknown_version_is_a_clear_error(web, secretariat, make_taskforce):
    tf = make_taskforce(by=secretariat)
    single = web.get(f"/taskforces/{tf.id}/versions/compare")
    assert single.status_code == 200
    assert "only one version so far" in single.get_data(as_text=True)
    web.post(
        f"/taskforces/{tf.id}/edit",
        data={**FORM, "name": tf.name, "code": tf.code, "version": str(tf.version)},
    )
    for query in ("from=1&to=9", "from=%C2%B2&to=1", "from=" + "9" * 5000 + "&to=1"):
        response = web.get(f"/taskforces/{tf.id}/versions/compare?{query}")
        assert response.status_code == 400
        assert "Choose a version from 1 to 2" in response.get_data(as_text=True)


def test_edit_form_without_priorities_field_is_not_an_error(web, secretariat, make_taskforce):
    """A form that leaves the field out saves, and keeps the priorities as they were."""
    tf = make_taskforce(by=secretariat, priorities=["Homes", "Land"])
    form = {k: v for k, v in FORM.items() if k != "priorities"}
    response = web.post(
        f"/taskforces/{tf.id}/edit", data={**form, "code": tf.code, "version": str(tf.version)}
    )
    assert response.status_code == 302
    assert response.location == f"/taskforces/{tf.id}"
    db.session.expire_all()
    saved = db.session.get(TaskForce, tf.id)
    assert saved.purpose == "Protect homes."
    assert [p.title for p in saved.priorities] == ["Homes", "Land"]


def test_an_edit_with_an_odd_version_number_is_a_conflict_not_a_crash(
    web, secretariat, make_taskforce
):
    """ "²" passes str.isdigit() but is no version: the edit is refused, nothing saved."""
    tf = make_taskforce(by=secretariat, priorities=["Homes", "Land"])
    form = {k: v for k, v in FORM.items() if k != "priorities"}
    response = web.post(f"/taskforces/{tf.id}/edit", data={**form, "code": tf.code, "version": "²"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "The page you saved from did not say which version" in html
    assert "Protect homes." in html  # what the user typed is kept on the page
    db.session.expire_all()
    unsaved = db.session.get(TaskForce, tf.id)
    assert (unsaved.purpose, unsaved.version) == ("Make things better.", 1)
    assert [p.title for p in unsaved.priorities] == ["Homes", "Land"]


def test_history_shows_who_changed_what_and_how(web, secretariat, make_taskforce, api):
    tf = make_taskforce(by=secretariat)
    api.patch(f"/taskforces/{tf.id}", {"quorum": 3})
    html = web.get(f"/taskforces/{tf.id}/history").get_data(as_text=True)
    assert "through the API" in html
    assert "Changed quorum" in html
    assert "Quorum: <del>none</del> → <ins>3</ins>" in html


def test_purpose_with_script_renders_inert_on_the_page(web, secretariat, make_taskforce):
    tf = make_taskforce(
        by=secretariat,
        purpose=(
            '<script>alert("x")</script><img src=x onerror=alert(1)> [a](javascript:alert(2))'
        ),
    )
    html = web.get(f"/taskforces/{tf.id}").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "onerror" not in html
    assert "javascript:alert" not in html


def test_other_secretariat_cannot_open_or_edit(client, make_user, make_taskforce):
    owner = make_user("secretariat")
    tf = make_taskforce(by=owner)
    login(client, make_user("secretariat"))
    assert client.get(f"/taskforces/{tf.id}").status_code == 403
    assert client.post(f"/taskforces/{tf.id}/edit", data=FORM).status_code == 403
    assert client.get("/taskforces/99999").status_code == 404


def test_a_member_reads_but_sees_no_edit_buttons(client, make_user, make_taskforce):
    reader = make_user("member", email="reader@example.gov.uk")
    tf = make_taskforce(members=[member("Rea Der", "reader@example.gov.uk")])
    login(client, reader)
    html = client.get(f"/taskforces/{tf.id}").get_data(as_text=True)
    assert tf.name in html
    assert "Edit terms of reference" not in html
    assert client.get(f"/taskforces/{tf.id}/edit").status_code == 403

import json, pytest
from tests.performance.test_editing import tf, indicator, _risk  # noqa
from taskforce.extensions import db

def show(label, r):
    try:
        body = r.get_json()
    except Exception:
        body = None
    print(f"\n### {label}: {r.status_code} {json.dumps(body)[:400] if body is not None else r.get_data(as_text=True)[:300]}")

def raw(api, method, path, data):
    return api.client.open("/api/v1"+path, method=method, data=data, headers={**api.headers, "Content-Type":"application/json"})

def test_indicator_patch_odd(api, tf, indicator):
    url = f"/indicators/{indicator['id']}"
    cases = {
        "null name": {"name": None},
        "null trajectory": {"trajectory": None},
        "empty trajectory": {"trajectory": []},
        "bool version": {"version": True, "unit": "x"},
        "str version": {"version": "1", "unit": "y"},
        "float version": {"version": 1.0, "unit": "z"},
        "huge version": {"version": 10**30},
        "huge tolerance": {"tolerance_pct": 1e308},
        "retired str": {"retired": "yes"},
        "retired null": {"retired": None},
        "priority unknown": {"priority": "Nope"},
        "frequency weekly": {"frequency": "weekly"},
        "tolerance null": {"tolerance_pct": None},
        "traj huge": {"trajectory": [{"period": "2027-01", "value": 1e20}]},
        "traj 16 digits": {"trajectory": [{"period": "2027-01", "value": 1234567890.123456}]},
        "traj dup": {"trajectory": [{"period": "2027-01", "value": 1}, {"period": "2027-01", "value": 2}]},
        "traj null value": {"trajectory": [{"period": "2027-01", "value": None}]},
        "traj list of nulls": {"trajectory": [None]},
        "unknown": {"foo": 1},
        "name case": {"name": "STARTS"},
        "version -1": {"version": -1},
        "priority null": {"priority": None},
    }
    for k, body in cases.items():
        show(k, api.patch(url, body))
    show("array body", api.patch(url, [1]))
    show("empty body", raw(api, "PATCH", url, b""))
    show("NaN", raw(api, "PATCH", url, b'{"tolerance_pct": NaN}'))
    show("1e999", raw(api, "PATCH", url, b'{"tolerance_pct": 1e999}'))
    show("1e999 version", raw(api, "PATCH", url, b'{"version": 1e999}'))
    show("-1e999 version", raw(api, "PATCH", url, b'{"version": -1e999}'))
    show("1e50 version", raw(api, "PATCH", url, b'{"version": 1e50}'))
    show("bigint version", raw(api, "PATCH", url, b'{"version": 100000000000000000000000000000}'))
    show("bad utf8", raw(api, "PATCH", url, b'{"name": "\xff"}'))
    show("final", api.get(url))

def test_risk_patch_odd(api, tf):
    r = _risk(api, tf)
    _risk(api, tf, ref="R2")
    url = f"/risks/{r['id']}"
    cases = {
        "close": {"closed": True, "version": 1},
        "close again": {"closed": True},
        "closed str": {"closed": "false"},
        "closed num": {"closed": 1},
        "closed null": {"closed": None},
        "ref dup": {"ref": "R2"},
        "ref dup case": {"ref": "r2"},
        "ref null": {"ref": None},
        "review_on null": {"review_on": None},
        "review_on bad": {"review_on": "2027-02-30"},
        "review_on far": {"review_on": "9999-01-01"},
        "likelihood bad": {"likelihood": "low"},
        "description empty": {"description": ""},
        "description ws": {"description": "   "},
        "trend empty": {"trend": ""},
        "version stale": {"version": 1, "owner": "x"},
        "version ok": {"version": 3, "owner": "x"},
    }
    for k, body in cases.items():
        show(k, api.patch(url, body))
    show("get", api.get(url))
    show("list", api.get(f"/taskforces/{tf.id}/risks"))

def test_assessment_patch_odd(api, tf):
    body = {"priority": "Apprenticeship starts", "assessed_on": "2027-01-10", "degree_of_challenge": "H",
            "quality_of_planning": "R", "capacity_to_drive_progress": "AG", "stage_of_delivery": 2,
            "likelihood_of_delivery": "AR", "rationale": "x"}
    a = api.post(f"/taskforces/{tf.id}/assessments", body).get_json()
    b = api.post(f"/taskforces/{tf.id}/assessments", {**body, "assessed_on": "2027-02-10"}).get_json()
    url = f"/assessments/{a['id']}"
    cases = {
        "prio null": {"priority": None},
        "prio empty": {"priority": ""},
        "prio unknown": {"priority": "Nope"},
        "date clash": {"assessed_on": "2027-02-10"},
        "stage 2.0": {"stage_of_delivery": 2.0},
        "stage 5": {"stage_of_delivery": 5},
        "stage null": {"stage_of_delivery": None},
        "rationale null": {"rationale": None},
        "prio change": {"priority": "Youth guarantee", "version": 1},
        "prio change clash back": {"priority": "Apprenticeship starts", "assessed_on": "2027-02-10"},
    }
    for k, body in cases.items():
        show(k, api.patch(url, body))
    show("get", api.get(url))

def test_register_patch_odd(api, tf):
    m = api.post(f"/taskforces/{tf.id}/milestones", {"activity": "Do", "starts_on": "2027-01-01", "ends_on": "2027-02-01"}).get_json()
    d = api.post(f"/taskforces/{tf.id}/decisions", {"decided_on": "2027-01-01", "text": "Agreed"}).get_json()
    b = api.post(f"/taskforces/{tf.id}/benefits", {"benefit": "More", "measure": "Count"}).get_json()
    print(m, d, b)
    show("ms end before start", api.patch(f"/milestones/{m['id']}", {"ends_on": "2026-12-01"}))
    show("ms start null", api.patch(f"/milestones/{m['id']}", {"starts_on": None}))
    show("ms status bad", api.patch(f"/milestones/{m['id']}", {"status": "done"}))
    show("ms ends null", api.patch(f"/milestones/{m['id']}", {"ends_on": None}))
    show("dec meeting bad", api.patch(f"/decisions/{d['id']}", {"meeting_id": 999}))
    show("dec meeting str", api.patch(f"/decisions/{d['id']}", {"meeting_id": "1"}))
    show("dec meeting huge", api.patch(f"/decisions/{d['id']}", {"meeting_id": 2**40}))
    show("dec meeting null", api.patch(f"/decisions/{d['id']}", {"meeting_id": None}))
    show("dec text null", api.patch(f"/decisions/{d['id']}", {"text": None}))
    show("ben null", api.patch(f"/benefits/{b['id']}", {"measure": None}))
    show("ben ok", api.patch(f"/benefits/{b['id']}", {"measure": "Number", "version": 1}))
    show("ben stale", api.patch(f"/benefits/{b['id']}", {"measure": "N2", "version": 1}))
    show("ben 404", api.patch(f"/benefits/{d['id']+100}", {"measure": "N2"}))
    show("ben id of decision", api.patch(f"/benefits/{d['id']}", {"measure": "N2"}))

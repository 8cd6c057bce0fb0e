"""History records only real changes: a field is in an event only when its value reads
differently, so that nothing says "Due date: none → none"."""

from __future__ import annotations

from datetime import timedelta

import pytest

from taskforce.actions import services as action_services
from taskforce.audit.models import AuditEvent
from taskforce.audit.services import Actor, apply_changes, same
from taskforce.clock import today
from taskforce.extensions import db
from tests.pages import form_fields

pytestmark = pytest.mark.usefixtures("no_csrf")

WEB = Actor.system("web", "Tess Ward")


def _events(action: str) -> list[AuditEvent]:
    return db.session.query(AuditEvent).filter_by(action=action).order_by(AuditEvent.id).all()


def test_a_status_change_records_the_status_alone(make_action):
    action = make_action()
    action_services.update_action(
        action, {"status": "in_progress", "due_date": action.due_on, "comment": ""}, WEB
    )
    db.session.commit()
    (event,) = _events("action.updated")
    assert event.changes == {"status": ["open", "in_progress"]}


def test_an_owners_progress_records_what_they_changed(make_action):
    action = make_action()
    proposed = today() + timedelta(days=40)
    action_services.owner_update(
        action, status=None, proposed_due=proposed, comment="Need more time", actor=WEB
    )
    db.session.commit()
    (event,) = _events("action.owner_update")
    assert event.changes == {"proposed_due_date": proposed.isoformat(), "comment": "Need more time"}


@pytest.mark.parametrize(
    ("old", "new", "unchanged"),
    [
        (None, "", True),
        ("", None, True),
        ("Line one\nline two", "Line one\r\nline two", True),
        (5, "5", False),  # a number and text are not the same thing
        ("Medium", "High", False),
        (None, "Rising", False),
    ],
)
def test_a_value_is_changed_only_when_it_reads_differently(old, new, unchanged):
    assert same(old, new) is unchanged


def test_numbers_are_compared_as_numbers():
    from decimal import Decimal

    assert same(Decimal("5.00"), Decimal("5")) and same(Decimal("7.5"), 7.5)
    assert not same(Decimal("7.5"), Decimal("7.6"))


def test_saving_values_equal_to_the_saved_ones_changes_nothing():
    class Risk:
        trend = ""
        mitigation = "Contract a second provider\nthis year"

    risk = Risk()
    changes = apply_changes(
        risk,
        {"trend": None, "mitigation": "Contract a second provider\r\nthis year"},
        ("trend", "mitigation"),
    )
    assert changes == {}
    assert risk.trend == ""


def test_saving_an_edit_page_unchanged_records_nothing(web, tf, make_risk):
    risk = make_risk(ref="R1", mitigation="Contract a second provider")
    form = form_fields(web.get(f"/risks/{risk.id}").text)
    form["trend"] = ""  # as a browser sends the select's chosen option
    saved = web.post(f"/risks/{risk.id}", data=form)
    assert saved.status_code == 302, saved.text
    assert _events("risk.updated") == []
    page = form_fields(web.get(f"/members/{tf.members[0].id}/edit").text)
    saved = web.post(
        f"/members/{tf.members[0].id}/edit", data={**page, "group": "minister", "is_chair": "y"}
    )
    assert saved.status_code == 302, saved.text
    assert _events("member.updated") == []

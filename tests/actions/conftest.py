"""Shared set-up for the actions tests: a task force with a chair and a secretariat."""

from __future__ import annotations

from datetime import date

import pytest

from taskforce.actions import services
from taskforce.actions.models import Action
from taskforce.audit.services import Actor
from taskforce.extensions import db
from tests.conftest import member

CHAIR = "chair.person@example.gov.uk"
SECRETARIAT = "sec.team@example.gov.uk"


@pytest.fixture
def tf(make_taskforce, secretariat):
    return make_taskforce(
        by=secretariat,
        code="SW",
        members=[
            member("Nia Roberts", CHAIR, "minister", is_chair=True),
            member("Seren Pryce", SECRETARIAT, "secretariat"),
            member("Tom Okafor", "tom@example.gov.uk", "official"),
        ],
    )


@pytest.fixture
def allocate(tf):
    """Allocate an action straight through the service, as the secretariat would."""

    def make(owner_email: str, due: date, owner_name: str = "", **kw) -> Action:
        data = {
            "description": kw.pop("description", "Draft the employer survey"),
            "owner_name": owner_name or owner_email.split("@")[0].title(),
            "owner_email": owner_email,
            "owner_organisation": kw.pop("organisation", "Department for Skills"),
            "due_date": due,
        }
        action, _warnings = services.create_action(kw.pop("taskforce", tf), data, Actor.system())
        db.session.commit()
        return action

    return make

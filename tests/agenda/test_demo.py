"""The demo's agenda: standing items, two Markdown papers, an uploaded Word paper, a late
commissioned paper and a restricted item."""

from __future__ import annotations

from taskforce.agenda import services
from taskforce.agenda.demo import load_agenda_demo
from taskforce.extensions import db
from tests.conftest import CLI


def test_the_demo_agenda_has_every_kind_of_paper(api, make_meeting):
    meeting = make_meeting()
    load_agenda_demo(meeting, CLI)
    db.session.commit()
    items = services.items_of(meeting)
    assert sum(i.is_standing for i in items) == 4
    assert items[-1].title == "Any other business"
    kinds = [i.paper.current.kind for i in items if i.paper and i.paper.current]
    assert sorted(kinds) == ["docx", "markdown", "markdown", "markdown"]
    assert [i.title for i in items if services.paper_status(i.paper) == "late"] == [
        "Further education teacher recruitment"
    ]
    [restricted] = [i for i in items if i.restricted]
    assert [m.name for m in restricted.recipients] == ["Nia Roberts"]
    assert services.late_papers_count([meeting])[meeting.id] == 1
    listed = api.get(f"/meetings/{meeting.id}/agenda-items").json
    assert [i["number"] for i in listed["items"]] == list(range(1, 10))
    docx = next(i for i in listed["items"] if i["paper"] and i["paper"]["kind"] == "docx")
    assert docx["paper"]["word_count"] > 50

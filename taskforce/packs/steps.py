"""The pack's step in a meeting's cycle ("Pack issued"), for the meeting and home pages: done
once a version is issued, with the latest version and its date; the button leads the
secretariat to the pack page to issue it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask import url_for
from sqlalchemy import func, select

from taskforce import formatting
from taskforce.auth import permissions
from taskforce.auth.models import User
from taskforce.extensions import db
from taskforce.meetings import steps
from taskforce.meetings.models import Meeting, MeetingStatus
from taskforce.packs.models import PackVersion


def issued_progress(meetings: Sequence[Meeting]) -> Mapping[int, steps.Progress]:
    """Done once any version is issued: "Version 2 issued 3 May 2027"."""
    if not meetings:
        return {}
    latest = (
        select(
            PackVersion.meeting_id,
            func.max(PackVersion.number).label("number"),
            func.max(PackVersion.issued_at).label("at"),
        )
        .where(PackVersion.meeting_id.in_([m.id for m in meetings]))
        .group_by(PackVersion.meeting_id)
    )
    return {
        meeting_id: steps.Progress(
            done=True, summary=f"Version {number} issued {formatting.format_date(at)}"
        )
        for meeting_id, number, at in db.session.execute(latest)
    }


def pack_button(meeting: Meeting, user: User) -> steps.Button | None:
    if meeting.status == MeetingStatus.CANCELLED or not permissions.can_edit(
        user, meeting.taskforce
    ):
        return None
    return steps.Button("Issue pack", url_for("packs.show", meeting_id=meeting.id))


steps.register("pack_issued", progress=issued_progress, button=pack_button)

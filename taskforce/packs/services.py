"""Drafting and issuing a meeting's agenda pack: the work behind the pack page, the API and
`flask pack build` alike. Services flush; the request (or command) commits once.

- A draft is the pack as it stands now, built afresh each time it is asked for.
- Issuing freezes version N: the Word file, the PDF edition where LibreOffice can make it,
  and a restricted supplement for each named recipient of a restricted paper go into file
  storage by SHA-256, and are served byte for byte ever after. Two issues at once make one
  version: the row for version N is written first, and the database's unique rule on
  (meeting, number) refuses the second (it waits for the first to commit, then is refused).
- Every current member of the task force is emailed once per version (see emails.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from taskforce import clock
from taskforce.agenda import services as agenda_services
from taskforce.audit.services import Actor, record
from taskforce.auth import permissions
from taskforce.auth.models import User
from taskforce.bodies.models import Member, TaskForce
from taskforce.errors import Conflict, ValidationError
from taskforce.extensions import db
from taskforce.meetings.models import Meeting, MeetingStatus
from taskforce.packs import emails, gather, pdf
from taskforce.packs.document import BuiltPack, build_pack
from taskforce.packs.models import (
    CHANGE_NOTE_MAX,
    MARKINGS,
    PackMarking,
    PackSupplement,
    PackVersion,
)
from taskforce.storage import get_storage
from taskforce.text import multi_line_problem, normalise_newlines

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


@dataclass
class Draft:
    """The pack as it stands now, as the next version would be issued."""

    gathered: gather.Gathered
    built: BuiltPack
    version: int
    #: What changed since the last issued version, as data (none before the first).
    changes: list[dict] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        return [*self.gathered.warnings, *self.built.warnings]


@dataclass
class Issued:
    version: PackVersion
    #: Emails queued, and the addresses skipped because mail cannot reach them.
    emailed: int = 0
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --- Reading --------------------------------------------------------------------------------


def versions_of(meeting: Meeting) -> list[PackVersion]:
    """The meeting's issued versions, newest first."""
    return list(
        db.session.scalars(
            select(PackVersion)
            .where(PackVersion.meeting_id == meeting.id)
            .order_by(PackVersion.number.desc())
        )
    )


def version_of(meeting: Meeting, number: int) -> PackVersion | None:
    return db.session.scalar(
        select(PackVersion).where(
            PackVersion.meeting_id == meeting.id, PackVersion.number == number
        )
    )


def next_number(meeting: Meeting) -> int:
    latest = db.session.scalar(
        select(func.max(PackVersion.number)).where(PackVersion.meeting_id == meeting.id)
    )
    return (latest or 0) + 1


def can_download(user: User, meeting: Meeting) -> bool:
    """Issued packs: the secretariat and the members of the meeting's task force."""
    return permissions.can_view(user, meeting.taskforce)


def supplement_for(version: PackVersion, member_id: int) -> PackSupplement | None:
    return next((s for s in version.supplements if s.member_id == member_id), None)


def file_name(meeting: Meeting, number: int | None, suffix: str, what: str = "pack") -> str:
    """SW-3-pack-v2.docx, SW-3-pack-draft.pdf: made of the code and numbers alone."""
    code = meeting.taskforce.code
    return f"{code}-{meeting.number}-{what}-{'draft' if number is None else f'v{number}'}{suffix}"


# --- Drafts ---------------------------------------------------------------------------------


def draft(meeting: Meeting) -> Draft:
    """Build the pack as it stands now, as the next version would be issued."""
    number = next_number(meeting)
    previous = version_of(meeting, number - 1) if number > 1 else None
    gathered = gather.gather(meeting, version=number)
    changes = gather.changes_between(previous.snapshot, gathered.snapshot) if previous else []
    if changes:
        gathered = gather.gather(meeting, version=number, changes=gather.general_lines(changes))
    return Draft(gathered, build_pack(gathered.data), number, changes)


def draft_pdf(current: Draft) -> pdf.BuiltPdf:
    """The PDF edition of a draft; PdfUnavailable says why there is none."""
    return pdf.build_pdf(current.built.docx, current.built.contents, current.gathered.data.papers)


# --- Settings -----------------------------------------------------------------------------


def set_marking(tf: TaskForce, marking: str, actor: Actor) -> None:
    """Choose the protective marking the task force's packs carry from now on."""
    if marking not in MARKINGS:
        raise ValidationError.single("marking", "Choose OFFICIAL or OFFICIAL-SENSITIVE")
    row = db.session.get(PackMarking, tf.id)
    before = row.marking if row is not None else MARKINGS[0]
    if before == marking:
        return
    if row is None:
        db.session.add(PackMarking(taskforce_id=tf.id, marking=marking))
    else:
        row.marking = marking
    db.session.flush()
    record(
        actor,
        "pack.marking",
        tf,
        taskforce_id=tf.id,
        changes={"marking": [before, marking]},
        summary=f"Packs marked {marking} from now on",
    )


# --- Issuing --------------------------------------------------------------------------------


def check_change_note(note: str | None) -> str:
    note = normalise_newlines(note or "").strip()
    if len(note) > CHANGE_NOTE_MAX:
        raise ValidationError.single(
            "change_note", f"The change note must be {CHANGE_NOTE_MAX:,} characters or fewer"
        )
    if problem := multi_line_problem(note):
        raise ValidationError.single("change_note", f"The change note {problem}")
    return note


def issue(
    meeting: Meeting, actor: Actor, change_note: str | None = "", expected: int | None = None
) -> Issued:
    """Freeze the pack as version N, store its files, and email every member.

    `expected` is the version number the person confirming saw (the web form's): if another
    version was issued since, nothing is issued and they are told.
    """
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict(
            f"Meeting {meeting.number} is cancelled: its pack cannot be issued. "
            "Carry its items over to the next meeting and issue that meeting's pack instead."
        )
    note = check_change_note(change_note)
    number = next_number(meeting)
    if expected is not None and expected < 1:
        raise Conflict(
            "The page you issued from did not say which version it offered to issue. Open the "
            "pack page again and issue from there."
        )
    if expected is not None and expected != number:
        raise Conflict(
            f"Version {number - 1} of this pack was issued since you opened the page. "
            "Look at it in the list of versions before issuing another."
        )
    row = PackVersion(
        meeting_id=meeting.id,
        number=number,
        issued_by=actor.label[:255],
        issued_by_id=actor.user.id if actor.user is not None else None,
        via=actor.via,
    )
    try:
        # Written before the slow part: a second issue of the same number waits here for
        # this one to commit, then is refused.
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        raise Conflict(
            f"Version {number} of this pack was issued by someone else a moment ago: "
            "reload the pack page to see it."
        ) from None

    previous = version_of(meeting, number - 1) if number > 1 else None
    today = clock.today()
    gathered = gather.gather(meeting, version=number, issued_on=today)
    changes = gather.changes_between(previous.snapshot, gathered.snapshot) if previous else []
    if changes or note:
        gathered = gather.gather(
            meeting,
            version=number,
            issued_on=today,
            changes=gather.general_lines(changes),
            change_note=note,
        )
    built = build_pack(gathered.data)
    storage = get_storage()
    stored = storage.put(built.docx)
    row.sha256, row.size = stored.sha256, stored.size
    warnings = [*gathered.warnings, *built.warnings]
    problem = pdf.libreoffice_problem()
    if problem is None:
        try:
            edition = pdf.build_pdf(built.docx, built.contents, gathered.data.papers)
        except pdf.PdfUnavailable as error:
            problem = str(error)
        else:
            kept = storage.put(edition.pdf)
            row.pdf_sha256, row.pdf_size = kept.sha256, kept.size
            warnings += edition.warnings
    row.pdf_problem = (problem or "")[:500]
    row.change_note = note
    row.changes = changes
    row.snapshot = gathered.snapshot
    row.warnings = warnings
    supplements: dict[int, tuple[PackSupplement, bytes]] = {}
    for member, papers in gathered.recipients():
        content = build_pack(gather.supplement(gathered, member, papers)).docx
        kept = storage.put(content)
        supplement = PackSupplement(
            version=row,
            member_id=member.id,
            sha256=kept.sha256,
            size=kept.size,
            references=[p.reference for p in papers],
        )
        db.session.add(supplement)
        supplements[member.id] = (supplement, content)
    db.session.flush()
    agenda_services.mark_pack_issued(meeting, actor)
    record(
        actor,
        "pack.issued",
        meeting,
        taskforce_id=meeting.taskforce_id,
        changes={
            "version": number,
            "sha256": row.sha256,
            "pdf_sha256": row.pdf_sha256,
            "change_note": note or None,
            "supplements": len(supplements),
        },
        summary=f"Pack for meeting {meeting.number} issued: version {number}"
        + (f" ({len(changes)} change{'s' if len(changes) != 1 else ''})" if changes else ""),
    )
    result = Issued(row, warnings=warnings)
    for member in meeting.taskforce.members:
        supplement, content = supplements.get(member.id, (None, b""))
        sent = emails.send_pack(
            row, member, docx=built.docx, supplement=supplement, supplement_docx=content
        )
        if sent is None:
            result.skipped.append(member.email)
        elif sent:
            result.emailed += 1
    return result


def withdraw_links(meeting: Meeting, actor: Actor) -> int:
    """Withdraw every member's emailed download link for the meeting's packs."""
    count = emails.withdraw_links(meeting.id)
    if count:
        db.session.flush()
        record(
            actor,
            "pack.links_withdrawn",
            meeting,
            taskforce_id=meeting.taskforce_id,
            summary=f"Withdrew {count} pack download link{'s' if count != 1 else ''} for "
            f"meeting {meeting.number}",
        )
    return count


def member_for(user: User, meeting: Meeting) -> Member | None:
    """The signed-in user's membership of the meeting's task force, if any."""
    return next((m for m in meeting.taskforce.members if m.email == user.email), None)

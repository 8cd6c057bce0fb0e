"""The agenda pack over the API (API.md "Documents"): the draft as Word or PDF, issuing,
and every issued version byte for byte."""

from __future__ import annotations

from datetime import datetime

from flask import abort
from pydantic import Field

from taskforce import transaction
from taskforce.api.core import api_actor, bp, dump, get_for_taskforce, parse
from taskforce.api.errors import api_error_response
from taskforce.api.spec import operation
from taskforce.formatting import local
from taskforce.meetings.models import Meeting
from taskforce.packs import pdf, services
from taskforce.packs.models import CHANGE_NOTE_MAX
from taskforce.packs.views import download, issued_file
from taskforce.schemas import Input, Output, Text

TAG = "Documents"
NO_PDF = "The PDF edition cannot be made here (LibreOffice is missing or failed): the reason"


class PackIssueIn(Input):
    change_note: Text(CHANGE_NOTE_MAX) | None = Field(
        None, description="Shown on the cover and in the email; say why, for a re-issue"
    )


class PackIssued(Output):
    version: int
    issued_at: datetime
    sha256: str
    pdf_sha256: str | None
    #: Emails queued, one per member; and addresses mail cannot reach.
    emailed: int
    skipped: list[str]
    changes: list[str]
    warnings: list[str]


class PackVersionOut(Output):
    version: int
    issued_at: datetime
    issued_by: str
    sha256: str
    pdf_sha256: str | None
    change_note: str
    changes: list[str]


class PackVersionList(Output):
    items: list[PackVersionOut]


def _meeting(meeting_id: int, *, edit: bool = False) -> Meeting:
    return get_for_taskforce(Meeting, meeting_id, edit=edit)


@operation(
    bp,
    "/meetings/<int:meeting_id>/pack.docx",
    "GET",
    tag=TAG,
    produces=services.DOCX,
    summary="The agenda pack as it stands now (the draft of its next version), as Word",
)
def draft_docx(meeting_id: int):
    meeting = _meeting(meeting_id, edit=True)
    draft = services.draft(meeting)
    transaction.finish()  # keeps the charts it drew in the cache
    return download(
        draft.built.docx, None, services.DOCX, services.file_name(meeting, None, ".docx")
    )


@operation(
    bp,
    "/meetings/<int:meeting_id>/pack.pdf",
    "GET",
    tag=TAG,
    produces=services.PDF,
    errors={503: NO_PDF},
    summary="The agenda pack as it stands now, as PDF (Word converted, PDF papers appended)",
)
def draft_pdf(meeting_id: int):
    meeting = _meeting(meeting_id, edit=True)
    if problem := pdf.libreoffice_problem():
        return api_error_response(503, "unavailable", problem)
    draft = services.draft(meeting)
    transaction.finish()
    try:
        edition = services.draft_pdf(draft)
    except pdf.PdfUnavailable as problem:
        return api_error_response(503, "unavailable", str(problem))
    return download(edition.pdf, None, services.PDF, services.file_name(meeting, None, ".pdf"))


@operation(
    bp,
    "/meetings/<int:meeting_id>/pack/issue",
    "POST",
    tag=TAG,
    body=PackIssueIn,
    response=PackIssued,
    status=201,
    errors={409: "The meeting is cancelled, or the same version was issued at the same moment"},
    summary="Issue the pack: freeze version N (Word, and PDF where it can be made) and email "
    "every member",
)
def issue(meeting_id: int):
    meeting = _meeting(meeting_id, edit=True)
    data = parse(PackIssueIn)
    issued = services.issue(meeting, api_actor(), data.change_note)
    version = issued.version
    return dump(
        PackIssued(
            version=version.number,
            issued_at=local(version.issued_at),
            sha256=version.sha256,
            pdf_sha256=version.pdf_sha256,
            emailed=issued.emailed,
            skipped=issued.skipped,
            changes=[line["text"] for line in version.changes if not line.get("restricted")],
            warnings=issued.warnings,
        ),
        201,
    )


@operation(
    bp,
    "/meetings/<int:meeting_id>/packs",
    "GET",
    tag=TAG,
    response=PackVersionList,
    summary="The issued versions of the meeting's pack, newest first",
)
def versions(meeting_id: int):
    meeting = _meeting(meeting_id)
    return dump(
        PackVersionList(
            items=[
                PackVersionOut(
                    version=v.number,
                    issued_at=local(v.issued_at),
                    issued_by=v.issued_by,
                    sha256=v.sha256,
                    pdf_sha256=v.pdf_sha256,
                    change_note=v.change_note,
                    changes=[line["text"] for line in v.changes if not line.get("restricted")],
                )
                for v in services.versions_of(meeting)
            ]
        )
    )


def _issued(meeting_id: int, number: int, fmt: str):
    meeting = _meeting(meeting_id)
    version = services.version_of(meeting, number)
    if version is None:
        abort(404, description=f"Version {number} of this pack has not been issued")
    return issued_file(meeting, version, fmt)


@operation(
    bp,
    "/meetings/<int:meeting_id>/packs/<int:version>.docx",
    "GET",
    tag=TAG,
    produces=services.DOCX,
    summary="An issued version of the pack as Word, byte for byte as issued",
)
def issued_docx(meeting_id: int, version: int):
    return _issued(meeting_id, version, "docx")


@operation(
    bp,
    "/meetings/<int:meeting_id>/packs/<int:version>.pdf",
    "GET",
    tag=TAG,
    produces=services.PDF,
    summary="An issued version's PDF edition, byte for byte as issued (404 if it has none)",
)
def issued_pdf(meeting_id: int, version: int):
    return _issued(meeting_id, version, "pdf")

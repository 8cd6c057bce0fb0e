"""Web pages for a meeting's agenda pack: the pack page (a preview of the draft, warnings,
draft downloads, issuing with a confirmation step, the issued versions), downloads of issued
versions for members, and the page a member's emailed link opens, with no sign-in."""

from __future__ import annotations

import base64
import io
import logging
import re

import mammoth
import nh3
from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from taskforce import transaction
from taskforce.auth import permissions
from taskforce.extensions import db
from taskforce.forms import ButtonForm
from taskforce.links import LinkProblem, Purpose, resolve_for_member
from taskforce.meetings.models import Meeting, MeetingStatus
from taskforce.packs import emails, pdf, services
from taskforce.packs import steps as _steps  # noqa: F401 - registers the pack's cycle step
from taskforce.packs.forms import IssueForm, MarkingForm
from taskforce.packs.gather import marking_of
from taskforce.packs.models import PackSupplement, PackVersion
from taskforce.storage import get_storage
from taskforce.text import small_int
from taskforce.web import (
    attempt,
    flash_mail,
    flash_success,
    flash_warning,
    form_status,
    public,
    record_or_404,
    web_actor,
)

log = logging.getLogger(__name__)
bp = Blueprint("packs", __name__)


def _meeting(meeting_id: int, *, edit: bool = False) -> Meeting:
    return record_or_404(Meeting, meeting_id, edit=edit)


def download(content_or_sha: bytes | str, size: int | None, media_type: str, name: str):
    """A pack file as an attachment: stored bytes streamed by SHA-256, or bytes just built."""
    if isinstance(content_or_sha, bytes):
        response = Response(content_or_sha, content_type=media_type)
        response.headers["Content-Length"] = str(len(content_or_sha))
    else:
        response = Response(get_storage().stream(content_or_sha), content_type=media_type)
        response.headers["Content-Length"] = str(size)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def issued_file(meeting: Meeting, version: PackVersion, fmt: str):
    """An issued version's Word file or PDF edition, byte for byte as issued."""
    if fmt == "pdf":
        if version.pdf_sha256 is None:
            abort(404, description=version.pdf_problem or "This version has no PDF edition")
        name = services.file_name(meeting, version.number, ".pdf")
        return download(version.pdf_sha256, version.pdf_size, services.PDF, name)
    name = services.file_name(meeting, version.number, ".docx")
    return download(version.sha256, version.size, services.DOCX, name)


def supplement_file(meeting: Meeting, version: PackVersion, supplement: PackSupplement):
    name = services.file_name(meeting, version.number, ".docx", "restricted-supplement")
    return download(supplement.sha256, supplement.size, services.DOCX, name)


# --- The pack page ----------------------------------------------------------------------------

#: The pack's own headings sit under the page's: Title and Heading 1 as h3, and so on.
STYLE_MAP = """
p[style-name='Title'] => h3:fresh
p[style-name='Subtitle'] => p.govuk-body-l:fresh
p[style-name='TOC Heading'] => h3:fresh
p[style-name='heading 1'] => h3:fresh
p[style-name='Heading 1'] => h3:fresh
p[style-name='Heading 2'] => h4:fresh
p[style-name='Heading 3'] => h5:fresh
p[style-name='Heading 4'] => h6:fresh
p[style-name='Heading 5'] => h6:fresh
p[style-name='Heading 6'] => h6:fresh
"""
_CLASSES = {
    "<h3>": '<h3 class="govuk-heading-m">',
    "<h4>": '<h4 class="govuk-heading-s">',
    "<h5>": '<h5 class="govuk-heading-s">',
    "<h6>": '<h6 class="govuk-heading-s">',
    "<p>": '<p class="govuk-body">',
    "<ul>": '<ul class="govuk-list govuk-list--bullet">',
    "<ol>": '<ol class="govuk-list govuk-list--number">',
    "<table>": '<table class="govuk-table">',
    "<th>": '<th scope="col" class="govuk-table__header">',
    "<td>": '<td class="govuk-table__cell">',
}
#: Pixels a picture is shown at in the preview.
PREVIEW_WIDTH = 640
_TAG = re.compile("|".join(re.escape(k) for k in _CLASSES))


def _drop_data_links(tag: str, attribute: str, value: str) -> str | None:
    # Pictures come as data: URLs; a link must never be one.
    if attribute == "href" and not value.startswith(("#", "http:", "https:", "mailto:")):
        return None
    return value


@mammoth.images.img_element
def _picture(image) -> dict[str, str]:
    # Charts are drawn for print (1,600 dots wide): shown at the width of the page's text.
    with image.open() as stream:
        data = base64.b64encode(stream.read()).decode("ascii")
    return {"src": f"data:{image.content_type};base64,{data}", "width": str(PREVIEW_WIDTH)}


def preview_html(docx: bytes) -> Markup:
    """The pack as HTML for the page: converted by mammoth, sanitised by nh3."""
    result = mammoth.convert_to_html(
        io.BytesIO(docx), style_map=STYLE_MAP, id_prefix="pack-", convert_image=_picture
    )
    html = nh3.clean(
        result.value,
        tags={"h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "strong", "em", "a", "br",
              "table", "thead", "tbody", "tr", "th", "td", "img", "sup", "sub", "s"},
        attributes={"a": {"href", "id"}, "img": {"src", "alt", "width"},
                    "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}, "p": {"id"},
                    "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"}},
        url_schemes={"http", "https", "mailto", "data"},
        attribute_filter=_drop_data_links,
        link_rel="noopener noreferrer",
    )  # fmt: skip
    html = _TAG.sub(lambda m: _CLASSES[m.group(0)], html)
    return Markup(html)  # noqa: S704 - sanitised by nh3 above


@bp.get("/meetings/<int:meeting_id>/pack")
def show(meeting_id: int):
    meeting = _meeting(meeting_id)
    tf = meeting.taskforce
    can_edit = permissions.can_edit(current_user, tf)
    versions = services.versions_of(meeting)
    member = services.member_for(current_user, meeting)
    context = {
        "tf": tf,
        "meeting": meeting,
        "versions": versions,
        "can_edit": can_edit,
        "own_supplements": {v.number: services.supplement_for(v, member.id) for v in versions}
        if member is not None
        else {},
    }
    if can_edit and meeting.status != MeetingStatus.CANCELLED:
        draft = services.draft(meeting)
        marking = MarkingForm(marking=marking_of(tf.id))
        context |= {
            "draft": draft,
            "preview": preview_html(draft.built.docx),
            "pdf_problem": pdf.libreoffice_problem(),
            "marking_form": marking,
            "button": ButtonForm(),
            "live_links": emails.live_links(meeting.id),
        }
        transaction.finish()  # a read that keeps the charts it drew in the cache
    return render_template("packs/show.html", **context)


@bp.get("/meetings/<int:meeting_id>/pack/draft.docx", defaults={"fmt": "docx"})
@bp.get("/meetings/<int:meeting_id>/pack/draft.pdf", defaults={"fmt": "pdf"})
def draft_download(meeting_id: int, fmt: str):
    meeting = _meeting(meeting_id, edit=True)
    draft = services.draft(meeting)
    transaction.finish()  # keeps the charts it drew in the cache
    if fmt == "docx":
        name = services.file_name(meeting, None, ".docx")
        return download(draft.built.docx, None, services.DOCX, name)
    try:
        edition = services.draft_pdf(draft)
    except pdf.PdfUnavailable as problem:
        return render_template(
            "errors/error.html", title="The PDF edition is not available", message=str(problem)
        ), 503
    return download(edition.pdf, None, services.PDF, services.file_name(meeting, None, ".pdf"))


@bp.route("/meetings/<int:meeting_id>/pack/issue", methods=["GET", "POST"])
def issue(meeting_id: int):
    meeting = _meeting(meeting_id, edit=True)
    tf = meeting.taskforce
    form = IssueForm()
    number = services.next_number(meeting)
    error = None
    if request.method == "GET":
        form.version.data = str(number)
    if meeting.status == MeetingStatus.CANCELLED:
        form.form_errors.append(
            f"Meeting {meeting.number} is cancelled: its pack cannot be issued. Carry its "
            "items over to the next meeting and issue that meeting's pack instead."
        )
    elif form.validate_on_submit():
        with attempt(form) as outcome:
            issued = services.issue(
                meeting,
                web_actor(),
                form.change_note.data,
                expected=small_int(form.version.data) or -1,
            )
        error = outcome.error
        if not outcome.error:
            number = issued.version.number
            delivery = transaction.finish()
            flash_mail(
                delivery,
                issued.emailed,
                sent=f"Version {number} of the pack issued and emailed to {issued.emailed} "
                "members.",
                kept=f"Version {number} of the pack issued. Its {issued.emailed} emails are "
                "kept here, not sent: no mail server is configured.",
                waiting=f"Version {number} of the pack issued. Some of its {issued.emailed} "
                "emails have not gone yet.",
            )
            if issued.skipped:
                flash_warning(
                    f"Not sent to {', '.join(issued.skipped)}: mail cannot be delivered to an "
                    "address with letters other than A to Z. Correct the member's address; "
                    "they can download the pack once signed in."
                )
            return redirect(url_for("packs.show", meeting_id=meeting.id))
    draft = services.draft(meeting) if meeting.status != MeetingStatus.CANCELLED else None
    return render_template(
        "packs/issue.html",
        tf=tf,
        meeting=meeting,
        form=form,
        number=number,
        draft=draft,
        members=len(tf.members),
        pdf_problem=pdf.libreoffice_problem(),
    ), form_status(form, error)


@bp.post("/meetings/<int:meeting_id>/pack/marking")
def marking(meeting_id: int):
    meeting = _meeting(meeting_id, edit=True)
    form = MarkingForm()
    if not form.validate_on_submit():
        flash_warning("Choose OFFICIAL or OFFICIAL-SENSITIVE.")
        return redirect(url_for("packs.show", meeting_id=meeting.id))
    services.set_marking(meeting.taskforce, form.marking.data, web_actor())
    flash_success(f"Packs of the {meeting.taskforce.name} are marked {form.marking.data}.")
    return redirect(url_for("packs.show", meeting_id=meeting.id))


@bp.post("/meetings/<int:meeting_id>/pack/links/withdraw")
def withdraw_links(meeting_id: int):
    meeting = _meeting(meeting_id, edit=True)
    if not ButtonForm().validate_on_submit():
        abort(400)
    count = services.withdraw_links(meeting, web_actor())
    flash_success(
        f"{count} download link{'s' if count != 1 else ''} withdrawn. Members signed in can "
        "still download the pack."
        if count
        else "There were no live download links to withdraw."
    )
    return redirect(url_for("packs.show", meeting_id=meeting.id))


# --- Issued versions, signed in -------------------------------------------------------------


def _issued(meeting_id: int, number: int) -> tuple[Meeting, PackVersion]:
    meeting = _meeting(meeting_id)  # members of its task force and the secretariat only
    version = services.version_of(meeting, number)
    if version is None:
        abort(404)
    return meeting, version


@bp.get("/meetings/<int:meeting_id>/packs/<int:number>.docx", defaults={"fmt": "docx"})
@bp.get("/meetings/<int:meeting_id>/packs/<int:number>.pdf", defaults={"fmt": "pdf"})
def issued_download(meeting_id: int, number: int, fmt: str):
    meeting, version = _issued(meeting_id, number)
    return issued_file(meeting, version, fmt)


@bp.get("/meetings/<int:meeting_id>/packs/<int:number>/supplement.docx")
def supplement_download(meeting_id: int, number: int):
    """A restricted supplement: the signed-in recipient's own; the secretariat names whose."""
    meeting, version = _issued(meeting_id, number)
    if permissions.serves(current_user, meeting.taskforce):
        member_id = small_int(request.args.get("member"))
    else:
        member = services.member_for(current_user, meeting)
        member_id = member.id if member is not None else None
    supplement = services.supplement_for(version, member_id) if member_id else None
    if supplement is None:
        abort(404)
    return supplement_file(meeting, version, supplement)


# --- A member's emailed link, no sign-in --------------------------------------------------


def _link(token: str):
    link, member = resolve_for_member(token, Purpose.PACK)
    meeting = db.session.get(Meeting, link.meeting_id) if link.meeting_id else None
    if meeting is None or meeting.taskforce_id != member.taskforce_id:
        raise LinkProblem(410, "This meeting no longer exists.")
    return meeting, member


def _problem(token: str, problem: LinkProblem):
    log.warning("pack link refused (%s): %s", problem.status, problem.message)
    return render_template("links/problem.html", problem=problem), problem.status


# Mail scanners open links: every page here only shows or downloads, and changes nothing.
@bp.get("/pack/<token>")
@public
def link(token: str):
    try:
        meeting, member = _link(token)
    except LinkProblem as problem:
        return _problem(token, problem)
    versions = services.versions_of(meeting)
    return render_template(
        "packs/link.html",
        token=token,
        meeting=meeting,
        member=member,
        tf=meeting.taskforce,
        versions=versions,
        supplements={v.number: services.supplement_for(v, member.id) for v in versions},
    )


@bp.get("/pack/<token>/<int:number>.docx", defaults={"fmt": "docx"})
@bp.get("/pack/<token>/<int:number>.pdf", defaults={"fmt": "pdf"})
@public
def link_download(token: str, number: int, fmt: str):
    try:
        meeting, _member = _link(token)
    except LinkProblem as problem:
        return _problem(token, problem)
    version = services.version_of(meeting, number)
    if version is None:
        abort(404)
    return issued_file(meeting, version, fmt)


@bp.get("/pack/<token>/<int:number>/supplement.docx")
@public
def link_supplement(token: str, number: int):
    try:
        meeting, member = _link(token)
    except LinkProblem as problem:
        return _problem(token, problem)
    version = services.version_of(meeting, number)
    supplement = services.supplement_for(version, member.id) if version else None
    if supplement is None:
        abort(404)
    return supplement_file(meeting, version, supplement)

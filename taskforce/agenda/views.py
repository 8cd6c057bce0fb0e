"""Web pages for a meeting's agenda and papers: the agenda builder, item forms, the papers
view, commissioning, uploads, previews and each task force's standing items."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from taskforce import clock, transaction
from taskforce.agenda import commissioning, services
from taskforce.agenda import steps as _steps  # noqa: F401 - registers the agenda's cycle steps
from taskforce.agenda.downloads import paper_download
from taskforce.agenda.forms import (
    PURPOSE_CHOICES,
    CommissionForm,
    ItemForm,
    MoveForm,
    UploadForm,
)
from taskforce.agenda.lead_links import live_links
from taskforce.agenda.models import DURATION_MAX, AgendaItem, PaperStatus
from taskforce.auth import permissions
from taskforce.errors import Conflict
from taskforce.forms import ButtonForm
from taskforce.meetings.models import Meeting
from taskforce.meetings.services import milestones
from taskforce.text import small_int
from taskforce.web import (
    attempt,
    flash_success,
    form_status,
    record_or_404,
    require_button,
    taskforce_or_404,
    web_actor,
)

bp = Blueprint("agenda", __name__)

#: Pages that take a paper upload: their body may be as large as a paper (PAPER_MAX_MB).
UPLOAD_ENDPOINTS = {"agenda.upload"}


@bp.url_value_preprocessor
def _allow_paper_uploads(endpoint: str | None, _values) -> None:
    # Before any before_request function: CSRF protection reads the form, and with it the
    # file, before the view runs.
    if endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = allowed_upload_bytes()


def allowed_upload_bytes() -> int:
    """A paper at the limit, with room for the form's other parts."""
    return services.max_paper_bytes(current_app.config) + 64 * 1024


def _meeting(meeting_id: int, *, edit: bool = False) -> Meeting:
    return record_or_404(Meeting, meeting_id, edit=edit)


def _item(item_id: int, *, edit: bool = False) -> AgendaItem:
    item = db_get_item(item_id)
    taskforce_or_404(item.meeting.taskforce_id, edit=edit)
    return item


def db_get_item(item_id: int) -> AgendaItem:
    from taskforce.extensions import db

    item = db.session.get(AgendaItem, item_id)
    if item is None:
        abort(404)
    return item


def _agenda_url(meeting: Meeting, **kw) -> str:
    return url_for("agenda.show", meeting_id=meeting.id, **kw)


# --- The agenda builder --------------------------------------------------------------------


@bp.get("/meetings/<int:meeting_id>/agenda")
def show(meeting_id: int):
    meeting = _meeting(meeting_id)
    tf = meeting.taskforce
    timing = services.timing(meeting)
    today = clock.today()
    moved = small_int(request.args.get("moved"))
    return render_template(
        "agenda/show.html",
        tf=tf,
        meeting=meeting,
        timing=timing,
        agenda=services.agenda_of(meeting),
        milestone=next(m for m in milestones(meeting) if m.kind == "agenda_agreed"),
        status={t.item.id: services.paper_status(t.item.paper, today) for t in timing.items},
        sees={t.item.id: services.can_see_paper(current_user, t.item) for t in timing.items},
        can_edit=permissions.can_edit(current_user, tf),
        next_meeting=services.next_meeting(meeting),
        moved=moved,
        moved_direction=request.args.get("dir"),
        form=MoveForm(),
        button=ButtonForm(),
    )


@bp.post("/agenda-items/<int:item_id>/move")
def move(item_id: int):
    item = _item(item_id, edit=True)
    form = MoveForm()
    if not form.validate_on_submit() or form.direction.data not in ("up", "down"):
        abort(400)
    services.move(item, form.direction.data, web_actor())
    # The moved item's button keeps the focus on the page that comes back (autofocus, which
    # browsers skip when the address has a #fragment to scroll to: so none here).
    return redirect(_agenda_url(item.meeting, moved=item.id, dir=form.direction.data))


def _item_form(tf, item: AgendaItem | None = None) -> ItemForm:
    form = ItemForm(obj=item) if item is not None and request.method == "GET" else ItemForm()
    form.lead_member_id.choices = [("", "Someone else (name below)")] + [
        (str(m.id), f"{m.name}, {m.role_title}" if m.role_title else m.name) for m in tf.members
    ]
    form.restricted_to.choices = [(m.id, m.name) for m in tf.members]
    if request.method == "GET" and item is not None:
        form.lead_member_id.data = str(item.lead_member_id or "")
        form.lead_name.data = "" if item.lead_member_id else item.lead_name
        form.restricted_to.data = [m.id for m in item.recipients]
        form.paper_lead_email.data = item.paper.paper_lead_email if item.paper else ""
        current = item.paper.current if item.paper else None
        form.paper.data = current.markdown if current and current.kind == "markdown" else ""
        form.version.data = str(item.version)
    return form


@bp.route("/meetings/<int:meeting_id>/agenda/new", methods=["GET", "POST"])
def new_item(meeting_id: int):
    meeting = _meeting(meeting_id, edit=True)
    tf = meeting.taskforce
    form = _item_form(tf)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            item = services.add_item(meeting, form.service_data(), web_actor())
        if not outcome.error:
            flash_success(f"“{item.title}” added to the agenda.")
            return redirect(_agenda_url(meeting) + f"#agenda-item-{item.id}")
    return render_template(
        "agenda/item_form.html", tf=tf, meeting=meeting, item=None, form=form
    ), form_status(form)


@bp.route("/agenda-items/<int:item_id>/edit", methods=["GET", "POST"])
def edit_item(item_id: int):
    item = _item(item_id, edit=True)
    meeting = item.meeting
    tf = meeting.taskforce
    form = _item_form(tf, item)
    conflict = False
    if form.validate_on_submit():
        with attempt(form) as outcome:
            services.update_item(
                item, form.service_data(), web_actor(), expected_version=form.expected_version()
            )
        if isinstance(outcome.error, Conflict):
            conflict = True
        elif not outcome.error:
            flash_success(f"“{item.title}” saved.")
            return redirect(_agenda_url(meeting) + f"#agenda-item-{item.id}")
    status = 409 if conflict else form_status(form)
    return render_template(
        "agenda/item_form.html",
        tf=tf,
        meeting=meeting,
        item=item,
        form=form,
        next_meeting=services.next_meeting(meeting),
        button=ButtonForm(),
    ), status


@bp.route("/agenda-items/<int:item_id>/delete", methods=["GET", "POST"])
def delete_item(item_id: int):
    item = _item(item_id, edit=True)
    meeting = item.meeting
    form = ButtonForm()
    if form.validate_on_submit():
        title = item.title
        with attempt(form) as outcome:
            services.delete_item(item, web_actor())
        if not outcome.error:
            flash_success(f"“{title}” taken off the agenda.")
            return redirect(_agenda_url(meeting))
    return render_template(
        "agenda/delete.html", tf=meeting.taskforce, meeting=meeting, item=item, form=form
    ), form_status(form)


@bp.post("/agenda-items/<int:item_id>/carry-over")
def carry_over(item_id: int):
    item = _item(item_id, edit=True)
    source = item.meeting
    require_button()
    target = services.carry_over(item, web_actor())
    flash_success(f"“{item.title}” carried over to meeting {target.number}.")
    return redirect(_agenda_url(source))


@bp.post("/meetings/<int:meeting_id>/agenda/agreed")
def agree(meeting_id: int):
    meeting = _meeting(meeting_id, edit=True)
    require_button()
    agenda = services.record_agreement(meeting, web_actor())
    flash_success(f"Recorded: the agenda is agreed with {agenda.agreed_with}.")
    return redirect(_agenda_url(meeting))


# --- Papers ----------------------------------------------------------------------------------


@bp.get("/meetings/<int:meeting_id>/papers")
def papers(meeting_id: int):
    meeting = _meeting(meeting_id, edit=True)
    timing = services.timing(meeting)
    today = clock.today()
    return render_template(
        "agenda/papers.html",
        tf=meeting.taskforce,
        meeting=meeting,
        timing=timing,
        status={t.item.id: services.paper_status(t.item.paper, today) for t in timing.items},
        summary=services.papers_summary(meeting, today),
        deadline=services.papers_deadline(meeting),
        pack_issued=services.pack_issued(meeting),
        statuses=PaperStatus,
        button=ButtonForm(),
    )


@bp.route("/agenda-items/<int:item_id>/commission", methods=["GET", "POST"])
def commission(item_id: int):
    item = _item(item_id, edit=True)
    meeting = item.meeting
    form = CommissionForm()
    if request.method == "GET":
        form.paper_lead_email.data = item.paper.paper_lead_email if item.paper else ""
        # The date it was due, or the papers deadline, unless that has passed.
        today = clock.today()
        form.due_on.data = next(
            (
                day
                for day in (
                    item.paper.due_on if item.paper else None,
                    services.papers_deadline(meeting),
                )
                if day is not None and day >= today
            ),
            None,
        )
    if form.validate_on_submit():
        with attempt(form) as outcome:
            done = commissioning.commission(
                item,
                web_actor(),
                paper_lead_email=form.paper_lead_email.data,
                due_on=form.due_on.data,
            )
        if not outcome.error:
            delivery = transaction.finish()
            sent = "sent" if delivery.sent else "queued: it will be sent shortly"
            flash_success(
                f"Request for {item.paper.reference} {sent} to {done.email}, "
                f"due {done.due_on:%A %-d %B %Y}."
            )
            return redirect(url_for("agenda.papers", meeting_id=meeting.id))
    return render_template(
        "agenda/commission.html",
        tf=meeting.taskforce,
        meeting=meeting,
        item=item,
        form=form,
        live_links=len(live_links(item.paper)) if item.paper else 0,
        button=ButtonForm(),
    ), form_status(form)


@bp.post("/agenda-items/<int:item_id>/withdraw-links")
def withdraw_links(item_id: int):
    item = _item(item_id, edit=True)
    require_button()
    count = commissioning.withdraw(item, web_actor())
    flash_success(
        f"{count} upload link{'s' if count != 1 else ''} withdrawn."
        if count
        else "There were no live upload links to withdraw."
    )
    return redirect(url_for("agenda.papers", meeting_id=item.meeting_id))


def read_upload(form: UploadForm) -> tuple[bytes, str] | None:
    """The uploaded file's bytes (at most one more than a paper may have) and its name."""
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        form.file.errors = [*form.file.errors, "Choose the paper's Word document or PDF"]
        return None
    limit = services.max_paper_bytes(current_app.config)
    return upload.stream.read(limit + 1), upload.filename


@bp.route("/agenda-items/<int:item_id>/paper/upload", methods=["GET", "POST"])
def upload(item_id: int):
    item = _item(item_id, edit=True)
    meeting = item.meeting
    form = UploadForm()
    if form.validate_on_submit() and (received := read_upload(form)):
        content, filename = received
        with attempt(form) as outcome:
            version = services.upload_paper(
                item,
                content,
                filename,
                web_actor(),
                max_bytes=services.max_paper_bytes(current_app.config),
            )
        if outcome.error and outcome.error.status == 413:
            return render_template(
                "agenda/upload.html", tf=meeting.taskforce, meeting=meeting, item=item, form=form
            ), 413
        if not outcome.error:
            flash_success(f"{item.paper.reference} version {version.number} uploaded.")
            return redirect(url_for("agenda.paper", item_id=item.id))
    return render_template(
        "agenda/upload.html", tf=meeting.taskforce, meeting=meeting, item=item, form=form
    ), form_status(form)


def _visible_paper(item_id: int) -> AgendaItem:
    item = _item(item_id)
    if not services.can_see_paper(current_user, item):
        abort(403)
    return item


@bp.get("/agenda-items/<int:item_id>/paper")
def paper(item_id: int):
    item = _visible_paper(item_id)
    meeting = item.meeting
    number = next(t.number for t in services.timing(meeting).items if t.item.id == item.id)
    return render_template(
        "agenda/paper.html",
        tf=meeting.taskforce,
        meeting=meeting,
        item=item,
        number=number,
        status=services.paper_status(item.paper),
        can_edit=permissions.can_edit(current_user, meeting.taskforce),
    )


@bp.get("/agenda-items/<int:item_id>/paper/download")
def download(item_id: int):
    item = _visible_paper(item_id)
    if item.paper is None or item.paper.current is None:
        abort(404)
    wanted = small_int(request.args.get("version"))
    version = item.paper.current
    if wanted is not None:
        version = next((v for v in item.paper.versions if v.number == wanted), None)
        if version is None:
            abort(404)
    return paper_download(item.paper, version)


# --- Standing items ----------------------------------------------------------------------------


@bp.route("/taskforces/<int:taskforce_id>/standing-items", methods=["GET", "POST"])
def standing_items(taskforce_id: int):
    tf = taskforce_or_404(taskforce_id, edit=True)
    form = ButtonForm()
    current = services.standing_items_for(tf)
    rows = current + [{"title": "", "duration_minutes": "", "purpose": "information"}] * 3
    error = None
    if form.validate_on_submit():
        rows, items, row_of = _posted_rows()
        with attempt(form) as outcome:
            services.set_standing_items(tf, items, web_actor())
        if outcome.error:
            # The service numbers the items it was given; the page, every row it showed.
            outcome.error.fields = {
                _row_field(name, row_of): messages
                for name, messages in outcome.error.fields.items()
            }
        else:
            flash_success("Standing items saved. Meetings scheduled from now on start with them.")
            return redirect(url_for("agenda.standing_items", taskforce_id=tf.id))
        error = outcome.error
    return render_template(
        "agenda/standing_items.html",
        tf=tf,
        rows=rows,
        form=form,
        error=error,
        purposes=PURPOSE_CHOICES,
        duration_max=DURATION_MAX,
    ), (422 if error or form.errors else 200)


def _row_field(name: str, row_of: list[int]) -> str:
    parts = name.split(".")
    if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(row_of):
        parts[1] = str(row_of[int(parts[1])])
    return ".".join(parts)


def _posted_rows() -> tuple[list[dict], list[dict], list[int]]:
    """The posted rows (to redraw), the items they make (rows with a title or minutes) and
    the row of each item."""
    rows, items, row_of = [], [], []
    for index in range(50):
        if f"title-{index}" not in request.form:
            break
        title = request.form.get(f"title-{index}", "").strip()
        minutes = request.form.get(f"minutes-{index}", "").strip()
        purpose = request.form.get(f"purpose-{index}", "information")
        rows.append({"title": title, "duration_minutes": minutes, "purpose": purpose})
        if title or minutes:
            number = small_int(minutes)
            items.append(
                {"title": title[:1000], "duration_minutes": number, "purpose": purpose[:20]}
            )
            row_of.append(index)
    return rows, items, row_of


# --- For other pages ------------------------------------------------------------------------


@bp.app_template_global()
def agenda_status(meeting: Meeting) -> dict:
    """What the meeting page and home page show of a meeting's agenda and papers."""
    agenda = services.agenda_of(meeting)
    return {
        "items": len(services.items_of(meeting)),
        "agreed": agenda if agenda is not None and agenda.agreed_at is not None else None,
        "papers": services.papers_summary(meeting),
    }


@bp.app_template_global()
def late_papers(meeting: Meeting) -> int:
    """How many of the meeting's commissioned papers are late."""
    return services.late_papers_count([meeting])[meeting.id]

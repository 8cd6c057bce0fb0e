"""Agendas and papers over JSON: items, their order, papers, commissioning, restricted items."""

from __future__ import annotations

from flask import abort, current_app, request

from taskforce.agenda import commissioning, services
from taskforce.agenda.downloads import paper_download
from taskforce.agenda.models import AgendaItem, Paper
from taskforce.agenda.schemas import (
    AgendaItemChange,
    AgendaItemCreate,
    AgendaItemList,
    AgendaItemOut,
    AgendaOrderIn,
    AgendaOut,
    Commissioned,
    CommissionIn,
    MeetingRef,
    PaperOut,
    PaperRow,
    PapersView,
    StandingItemOut,
    StandingItemsIn,
    StandingItemsOut,
)
from taskforce.api.core import (
    api_actor,
    api_user,
    bp,
    dump,
    get_for_taskforce,
    get_or_404,
    load_taskforce,
    parse,
    parse_change,
    parse_root,
)
from taskforce.api.spec import operation
from taskforce.auth import permissions
from taskforce.errors import ValidationError
from taskforce.formatting import local
from taskforce.meetings.models import Meeting

TAG = "Agenda and papers"
DOWNLOADS = (*services.MEDIA_TYPES.values(),)
COMMISSION_REFUSED = (
    "The meeting is past or cancelled, its pack has been issued, or mail cannot be delivered "
    "to the address"
)


def _meeting(meeting_id: int, *, edit: bool = False) -> Meeting:
    return get_for_taskforce(Meeting, meeting_id, edit=edit)


def _item(item_id: int, *, edit: bool = False) -> AgendaItem:
    item = get_or_404(AgendaItem, item_id)
    permissions.load_taskforce(api_user(), item.meeting.taskforce_id, edit=edit)
    return item


def _paper_state(paper: Paper | None) -> dict:
    """Where a paper stands, as PaperOut and PaperRow both say it: a missing paper is none."""
    current = paper.current if paper else None
    return {
        "reference": paper.reference if paper else None,
        "kind": current.kind if current else None,
        "status": str(services.paper_status(paper)),
        "due_on": paper.due_on if paper else None,
        "commissioned_at": local(paper.commissioned_at)
        if paper and paper.commissioned_at
        else None,
        "received_at": local(current.created_at) if current else None,
        "received_by": current.created_by if current else None,
    }


def paper_out(paper: Paper | None, *, sees: bool, edits: bool) -> PaperOut | None:
    if paper is None or not sees:
        return None
    current = paper.current
    return PaperOut(
        **_paper_state(paper),
        paper_lead_email=paper.paper_lead_email if edits else None,
        version=current.number if current else None,
        filename=current.filename or None if current else None,
        size=current.size if current else None,
        page_count=current.page_count if current else None,
        word_count=current.word_count if current else None,
    )


def item_out(timed: services.TimedItem) -> AgendaItemOut:
    item = timed.item
    user = api_user()
    sees = services.can_see_paper(user, item)
    edits = permissions.can_edit(user, item.meeting.taskforce)
    return AgendaItemOut(
        id=item.id,
        meeting_id=item.meeting_id,
        number=timed.number,
        title=item.title,
        lead=item.lead_name,
        lead_member_id=item.lead_member_id,
        purpose=item.purpose,
        duration_minutes=item.duration_minutes,
        start=local(timed.start),
        end=local(timed.end),
        standing=item.is_standing,
        restricted=item.restricted,
        restricted_to=[m.id for m in item.recipients] if sees else None,
        carried_from=MeetingRef(meeting_id=item.carried_from.id, number=item.carried_from.number)
        if item.carried_from
        else None,
        version=item.version,
        paper=paper_out(item.paper, sees=sees, edits=edits),
    )


def _timed(item: AgendaItem) -> services.TimedItem:
    return next(t for t in services.timing(item.meeting).items if t.item.id == item.id)


def _data(body: dict) -> dict:
    """The API's field names as the service takes them (`lead` is `lead_name`)."""
    if "lead" in body:
        body["lead_name"] = body.pop("lead")
    return body


@operation(
    bp,
    "/meetings/<int:meeting_id>/agenda-items",
    "POST",
    tag=TAG,
    body=AgendaItemCreate,
    response=AgendaItemOut,
    status=201,
    errors={409: "The meeting is cancelled, or its agenda is full"},
    summary="Add an item at the end of the agenda, with its Markdown paper if given",
)
def create_item(meeting_id: int):
    meeting = _meeting(meeting_id, edit=True)
    data = _data(parse(AgendaItemCreate).model_dump(exclude_unset=True))
    item = services.add_item(meeting, data, api_actor())
    return dump(item_out(_timed(item)), 201)


@operation(
    bp,
    "/meetings/<int:meeting_id>/agenda-items",
    "GET",
    tag=TAG,
    response=AgendaItemList,
    summary="The agenda in order: each item's number, start time and paper",
)
def list_items(meeting_id: int):
    meeting = _meeting(meeting_id)
    timing = services.timing(meeting)
    return dump(
        AgendaItemList(
            items=[item_out(t) for t in timing.items],
            total_minutes=timing.total_minutes,
            meeting_minutes=timing.meeting_minutes,
            warnings=[w for w in [timing.warning()] if w],
        )
    )


@operation(
    bp,
    "/agenda-items/<int:item_id>",
    "GET",
    tag=TAG,
    response=AgendaItemOut,
    summary="One agenda item",
)
def get_item(item_id: int):
    return dump(item_out(_timed(_item(item_id))))


@operation(
    bp,
    "/agenda-items/<int:item_id>",
    "PATCH",
    tag=TAG,
    body=AgendaItemChange,
    response=AgendaItemOut,
    summary="Change an agenda item; a new Markdown `paper` becomes the paper's next version",
)
def change_item(item_id: int):
    item = _item(item_id, edit=True)
    data, expected = parse_change(AgendaItemChange)
    services.update_item(item, _data(data), api_actor(), expected_version=expected)
    return dump(item_out(_timed(item)))


@operation(
    bp,
    "/agenda-items/<int:item_id>",
    "DELETE",
    tag=TAG,
    status=204,
    errors={409: "The meeting is cancelled"},
    summary="Take an item off the agenda, with its paper",
)
def delete_item(item_id: int):
    services.delete_item(_item(item_id, edit=True), api_actor())
    return "", 204


@operation(
    bp,
    "/meetings/<int:meeting_id>/agenda-order",
    "PUT",
    tag=TAG,
    body=AgendaOrderIn,
    response=AgendaItemList,
    summary="Reorder the agenda: every item's id exactly once, in the new order",
)
def put_order(meeting_id: int):
    meeting = _meeting(meeting_id, edit=True)
    services.reorder(meeting, parse_root(AgendaOrderIn), api_actor())
    return list_items(meeting_id)


@operation(
    bp,
    "/agenda-items/<int:item_id>/carry-over",
    "POST",
    tag=TAG,
    response=AgendaItemOut,
    errors={409: "There is no scheduled meeting after this one, or its pack has been issued"},
    summary="Carry an item over to the next scheduled meeting, with its paper",
)
def carry_over(item_id: int):
    item = _item(item_id, edit=True)
    services.carry_over(item, api_actor())
    return dump(item_out(_timed(item)))


@operation(
    bp,
    "/agenda-items/<int:item_id>/paper",
    "PUT",
    tag=TAG,
    response=PaperOut,
    multipart={"file": "The paper: a Word document (.docx) or a PDF, checked by its content"},
    errors={409: "The meeting is cancelled"},
    summary="Upload the item's paper (multipart `file`); an earlier file is kept as a version",
)
def upload_paper(item_id: int):
    item = _item(item_id, edit=True)
    max_bytes = services.max_paper_bytes(current_app.config)
    request.max_content_length = max_bytes + 64 * 1024  # the form's own parts besides
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError.single("file", "Send the file as multipart form data named file")
    content = upload.stream.read(max_bytes + 1)
    services.upload_paper(item, content, upload.filename, api_actor(), max_bytes=max_bytes)
    return dump(paper_out(item.paper, sees=True, edits=True))


@operation(
    bp,
    "/agenda-items/<int:item_id>/paper",
    "GET",
    tag=TAG,
    produces=DOWNLOADS,
    errors={403: "The paper is restricted and you are not one of its recipients"},
    summary="Download the item's current paper: the file, or the Markdown as text",
)
def download_paper(item_id: int):
    item = _item(item_id)
    if not services.can_see_paper(api_user(), item):
        abort(403, description="This paper is restricted to named recipients")
    if item.paper is None or item.paper.current is None:
        abort(404, description="This item has no paper yet")
    return paper_download(item.paper, item.paper.current)


@operation(
    bp,
    "/agenda-items/<int:item_id>/commission",
    "POST",
    tag=TAG,
    body=CommissionIn,
    response=Commissioned,
    status=202,
    errors={409: COMMISSION_REFUSED},
    summary="Commission the paper: email its lead a personal upload link and the due date",
)
def commission(item_id: int):
    item = _item(item_id, edit=True)
    data = parse(CommissionIn)
    done = commissioning.commission(
        item, api_actor(), paper_lead_email=data.paper_lead_email, due_on=data.due_on
    )
    return dump(Commissioned(sent=done.sent, due_on=done.due_on, email=done.email), 202)


def agenda_out(meeting: Meeting) -> AgendaOut:
    agenda = services.agenda_of(meeting)

    def moment(value):
        return local(value) if value else None

    return AgendaOut(
        meeting_id=meeting.id,
        agreed_at=moment(agenda.agreed_at) if agenda else None,
        agreed_with=(agenda.agreed_with or None) if agenda else None,
        agreed_recorded_by=(agenda.agreed_recorded_by or None) if agenda else None,
        changed_after_agreement_at=moment(agenda.changed_after_agreement_at) if agenda else None,
        pack_issued_at=moment(agenda.pack_issued_at) if agenda else None,
    )


@operation(
    bp,
    "/meetings/<int:meeting_id>/agenda",
    "GET",
    tag=TAG,
    response=AgendaOut,
    summary="Whether the chair has agreed the agenda (and whether it changed since)",
)
def get_agenda(meeting_id: int):
    return dump(agenda_out(_meeting(meeting_id)))


@operation(
    bp,
    "/meetings/<int:meeting_id>/agenda/agreed",
    "POST",
    tag=TAG,
    response=AgendaOut,
    errors={409: "The meeting is cancelled"},
    summary="Record that the chair agreed the agenda as it stands",
)
def agree(meeting_id: int):
    meeting = _meeting(meeting_id, edit=True)
    services.record_agreement(meeting, api_actor())
    return dump(agenda_out(meeting))


@operation(
    bp,
    "/meetings/<int:meeting_id>/papers",
    "GET",
    tag=TAG,
    response=PapersView,
    summary="Each item's paper and where it stands: not commissioned, commissioned, "
    "received (when, by whom) or late",
)
def papers(meeting_id: int):
    meeting = _meeting(meeting_id, edit=True)
    rows = []
    for timed in services.timing(meeting).items:
        item, paper = timed.item, timed.item.paper
        rows.append(
            PaperRow(
                **_paper_state(paper),
                agenda_item_id=item.id,
                number=timed.number,
                title=item.title,
                restricted=item.restricted,
                paper_lead_email=(paper.paper_lead_email or None) if paper else None,
                reminded_on=paper.reminded_on if paper else None,
                chased_on=paper.chased_on if paper else None,
            )
        )
    summary = services.papers_summary(meeting)
    return dump(PapersView(items=rows, counts=summary.counts, late=summary.late))


@operation(
    bp,
    "/taskforces/<int:taskforce_id>/standing-items",
    "GET",
    tag=TAG,
    response=StandingItemsOut,
    summary="The items every new meeting's agenda starts with",
)
def get_standing_items(taskforce_id: int):
    tf = load_taskforce(taskforce_id)
    items = [StandingItemOut(**i) for i in services.standing_items_for(tf)]
    return dump(StandingItemsOut(items=items))


@operation(
    bp,
    "/taskforces/<int:taskforce_id>/standing-items",
    "PUT",
    tag=TAG,
    body=StandingItemsIn,
    response=StandingItemsOut,
    summary="Replace the standing items (meetings scheduled from now on start with them)",
)
def put_standing_items(taskforce_id: int):
    tf = load_taskforce(taskforce_id, edit=True)
    items = [i.model_dump() for i in parse_root(StandingItemsIn)]
    services.set_standing_items(tf, items, api_actor())
    return get_standing_items(taskforce_id)

"""The page a paper lead reaches from an emailed link, with no account or sign-in.

GET only shows (mail scanners open links); an upload is a POST carrying the page's CSRF
token and the paper it is for. A link reaches only the paper it was issued for, until the
meeting's pack is issued. Posts are rate-limited per link; every refusal is logged.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from taskforce.agenda import services
from taskforce.agenda.commissioning import paper_for_link
from taskforce.agenda.forms import LeadUploadForm
from taskforce.agenda.models import Paper
from taskforce.agenda.views import allowed_upload_bytes, read_upload
from taskforce.audit.services import Actor
from taskforce.db import utcnow
from taskforce.extensions import limiter
from taskforce.link_pages import fingerprint, rate_key, refuse
from taskforce.links import AccessLink, LinkProblem
from taskforce.web import attempt, flash_success, public

log = logging.getLogger(__name__)
bp = Blueprint("paper_links", __name__)


@bp.url_value_preprocessor
def _allow_paper_uploads(endpoint: str | None, _values) -> None:
    # Before CSRF protection reads the form (and the file with it).
    if endpoint == "paper_links.upload":
        request.max_content_length = allowed_upload_bytes()


_rate_key = rate_key("paper-link")


def _refuse(token: str, problem: LinkProblem):
    return refuse("paper", token, problem, log)


@bp.route("/p/<token>", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: current_app.config["OWNER_LINK_RATE_LIMIT"], key_func=_rate_key, methods=["POST"]
)
def upload(token: str):
    try:
        link, paper = paper_for_link(token)
    except LinkProblem as problem:
        return _refuse(token, problem)
    form = LeadUploadForm()
    status = 200
    if request.method == "POST":
        if form.paper_id.data != str(paper.id):
            return _refuse(token, LinkProblem(404, "This link cannot change that paper."))
        status = 422
        if form.validate_on_submit() and (received := read_upload(form)):
            content, filename = received
            actor = Actor.system("email_link", label=f"{link.email} (paper lead)")
            with attempt(form) as outcome:
                version = services.upload_paper(
                    paper.item,
                    content,
                    filename,
                    actor,
                    max_bytes=services.max_paper_bytes(current_app.config),
                )
            if outcome.error:
                log.info("paper link %s: upload refused: %s", fingerprint(token), outcome.error)
                status = outcome.error.status
            else:
                link.last_used_at = utcnow()
                flash_success(
                    f"Thank you. Version {version.number} of {paper.reference} has reached "
                    "the secretariat."
                )
                return redirect(url_for("paper_links.upload", token=token))
    return _page(link, paper, form, status)


def _page(link: AccessLink, paper: Paper, form: LeadUploadForm, status: int):
    form.paper_id.data = str(paper.id)
    item = paper.item
    return render_template(
        "agenda/lead_upload.html",
        link=link,
        paper=paper,
        item=item,
        meeting=item.meeting,
        tf=item.meeting.taskforce,
        form=form,
        max_mb=current_app.config["PAPER_MAX_MB"],
    ), status

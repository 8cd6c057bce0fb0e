"""The home page and the health check."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from taskforce import clock
from taskforce.auth import permissions
from taskforce.extensions import db
from taskforce.meetings import services as meeting_services
from taskforce.web import public

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    taskforces = permissions.visible_taskforces_by_name(current_user, with_members=True)
    today = clock.today()
    week_start = today - timedelta(days=today.weekday())
    served = [tf for tf in taskforces if permissions.can_edit(current_user, tf)]
    return render_template(
        "main/home.html",
        taskforces=taskforces,
        can_create=permissions.can_create_taskforce(current_user),
        today=today,
        due=meeting_services.due_between(served, week_start, week_start + timedelta(days=6)),
    )


@bp.get("/healthz")
@public
def healthz():
    db.session.execute(text("SELECT 1"))
    return jsonify({"status": "ok"})

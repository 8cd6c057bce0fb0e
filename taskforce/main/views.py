"""The home page and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.orm import selectinload

from taskforce.auth import permissions
from taskforce.bodies.models import TaskForce
from taskforce.extensions import db
from taskforce.web import public

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    stmt = (
        permissions.visible_taskforces(current_user)
        .options(selectinload(TaskForce.all_members), selectinload(TaskForce.tor_versions))
        .order_by(TaskForce.name)
    )
    taskforces = list(db.session.scalars(stmt))
    return render_template(
        "main/home.html",
        taskforces=taskforces,
        can_create=permissions.can_create_taskforce(current_user),
    )


@bp.get("/healthz")
@public
def healthz():
    db.session.execute(text("SELECT 1"))
    return jsonify({"status": "ok"})

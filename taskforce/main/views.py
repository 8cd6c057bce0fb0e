"""The home page and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from taskforce.auth import permissions
from taskforce.extensions import db
from taskforce.main.home import home_for
from taskforce.web import public

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    return render_template(
        "main/home.html",
        home=home_for(current_user),
        can_create=permissions.can_create_taskforce(current_user),
    )


@bp.get("/healthz")
@public
def healthz():
    db.session.execute(text("SELECT 1"))
    return jsonify({"status": "ok"})

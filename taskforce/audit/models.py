"""The shared record of who changed what, when, and by which route."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from taskforce.auth.models import User
from taskforce.db import utcnow
from taskforce.extensions import db

VIAS = ("web", "api", "cli", "email_link", "minutes", "scheduler", "system")


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_subject", "subject_type", "subject_id"),
        Index("ix_audit_events_taskforce_at", "taskforce_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Who acted, in words: a user's name, an action owner's email, or "scheduler".
    actor_label: Mapped[str] = mapped_column(String(255))
    via: Mapped[str] = mapped_column(String(20))
    #: Dotted verb, e.g. "taskforce.updated", "member.added".
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    taskforce_id: Mapped[int | None] = mapped_column(ForeignKey("taskforces.id"))
    #: {"field": [old, new], ...} for updates; the created values for creations.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    summary: Mapped[str] = mapped_column(String(500), default="")

    actor: Mapped[User | None] = relationship()

"""Issued agenda packs: each version's exact bytes, who issued it and what changed.

A version is frozen when it is issued: the Word file (and the PDF edition, where LibreOffice
was there to make it) go into the same file storage as papers (taskforce.storage, by
SHA-256), so every app host serves the same bytes ever after. A restricted item's paper is
never in a version's own file: each of its named recipients gets a supplement holding it,
issued and versioned with the pack.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from taskforce.bodies.models import Member
from taskforce.db import utcnow
from taskforce.extensions import db
from taskforce.meetings.models import Meeting

#: A change note is a few sentences at most.
CHANGE_NOTE_MAX = 2000
MARKINGS = ("OFFICIAL", "OFFICIAL-SENSITIVE")


class PackVersion(db.Model):
    """Version N of a meeting's pack, as issued."""

    __tablename__ = "pack_versions"
    #: Two issues at once both try the same number: one wins, the other is refused.
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    number: Mapped[int]
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by: Mapped[str] = mapped_column(String(255))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    via: Mapped[str] = mapped_column(String(20))
    #: The Word pack in storage; empty only while the issuing request is still building it.
    sha256: Mapped[str] = mapped_column(String(64), default="")
    size: Mapped[int] = mapped_column(default=0)
    #: The PDF edition in storage, or None where it could not be made (pdf_problem says why).
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_size: Mapped[int | None]
    pdf_problem: Mapped[str] = mapped_column(String(500), default="")
    change_note: Mapped[str] = mapped_column(Text, default="")
    #: What changed since the version before, as data: [{"kind", "text", "restricted"}].
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: The agenda as this version showed it, to compare the next version with.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: What the secretariat was warned of before issuing it.
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)

    meeting: Mapped[Meeting] = relationship()
    supplements: Mapped[list[PackSupplement]] = relationship(
        back_populates="version", order_by="PackSupplement.id"
    )

    @property
    def taskforce_id(self) -> int:
        return self.meeting.taskforce_id


class PackSupplement(db.Model):
    """The restricted papers one named recipient may see, issued with a pack version."""

    __tablename__ = "pack_supplements"
    __table_args__ = (UniqueConstraint("pack_version_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pack_version_id: Mapped[int] = mapped_column(ForeignKey("pack_versions.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    #: The references of the restricted papers it holds.
    references: Mapped[list[str]] = mapped_column(JSON, default=list)

    version: Mapped[PackVersion] = relationship(back_populates="supplements")
    member: Mapped[Member] = relationship()


class PackMarking(db.Model):
    """The protective marking a task force's packs carry; without a row, OFFICIAL."""

    __tablename__ = "pack_markings"
    __table_args__ = (
        CheckConstraint(
            "marking IN (" + ", ".join(f"'{m}'" for m in MARKINGS) + ")", name="marking_known"
        ),
    )

    taskforce_id: Mapped[int] = mapped_column(ForeignKey("taskforces.id"), primary_key=True)
    marking: Mapped[str] = mapped_column(String(30))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

"""Agendas and papers: items in order, papers and their versions, files stored by SHA-256

Revision ID: 0015_agenda
Revises: 0014_number_counters
Create Date: 2026-12-01 16:58:37.427802

Paper references get a series of their own in number_counters ("paper", per meeting). Meetings
still to come start their agendas with the default standing items, as new meetings do.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015_agenda"
down_revision = "0014_number_counters"
branch_labels = None
depends_on = None


#: As agenda.models.DEFAULT_STANDING_ITEMS when this was written.
STANDING = [
    ("Welcome and apologies", 5, "information"),
    ("Minutes and actions of the last meeting", 10, "decision"),
    ("Performance report", 20, "discussion"),
    ("Any other business", 5, "information"),
]


def _series_rule(series: tuple[str, ...]) -> None:
    with op.batch_alter_table("number_counters", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_number_counters_series_known"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_number_counters_series_known"),
            "series IN (" + ", ".join(f"'{s}'" for s in series) + ")",
        )


def _start_agendas() -> None:
    """Meetings still to come get the standing items a newly scheduled meeting would."""
    conn = op.get_bind()
    meetings = sa.table(
        "meetings", sa.column("id"), sa.column("status"), sa.column("start_at", sa.DateTime)
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    ids = (
        conn.execute(
            sa.select(meetings.c.id).where(
                meetings.c.status == "scheduled", meetings.c.start_at > now
            )
        )
        .scalars()
        .all()
    )
    items = sa.table(
        "agenda_items",
        *(sa.column(c) for c in ("meeting_id", "position", "title", "lead_name", "purpose")),
        *(sa.column(c) for c in ("duration_minutes", "is_standing", "restricted", "version")),
        sa.column("created_at", sa.DateTime),
    )
    rows = [
        {
            "meeting_id": meeting_id,
            "position": position,
            "title": title,
            "lead_name": "",
            "purpose": purpose,
            "duration_minutes": minutes,
            "is_standing": True,
            "restricted": False,
            "version": 1,
            "created_at": now,
        }
        for meeting_id in ids
        for position, (title, minutes, purpose) in enumerate(STANDING, start=1)
    ]
    if rows:
        conn.execute(items.insert(), rows)


def upgrade():
    _series_rule(("meeting", "action", "tor_version", "paper"))
    op.create_table(
        "file_blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_file_blobs")),
    )
    op.create_table(
        "standing_items",
        sa.Column("taskforce_id", sa.Integer(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["taskforce_id"],
            ["taskforces.id"],
            name=op.f("fk_standing_items_taskforce_id_taskforces"),
        ),
        sa.PrimaryKeyConstraint("taskforce_id", name=op.f("pk_standing_items")),
    )
    op.create_table(
        "agenda_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("lead_member_id", sa.Integer(), nullable=True),
        sa.Column("lead_name", sa.String(length=120), nullable=False),
        sa.Column("purpose", sa.String(length=12), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("is_standing", sa.Boolean(), nullable=False),
        sa.Column("restricted", sa.Boolean(), nullable=False),
        sa.Column("carried_from_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "purpose IN ('decision', 'discussion', 'information')",
            name=op.f("ck_agenda_items_purpose_known"),
        ),
        sa.CheckConstraint(
            "duration_minutes BETWEEN 1 AND 480", name=op.f("ck_agenda_items_duration_range")
        ),
        sa.ForeignKeyConstraint(
            ["carried_from_id"],
            ["meetings.id"],
            name=op.f("fk_agenda_items_carried_from_id_meetings"),
        ),
        sa.ForeignKeyConstraint(
            ["lead_member_id"], ["members.id"], name=op.f("fk_agenda_items_lead_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_agenda_items_meeting_id_meetings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_items")),
    )
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agenda_items_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "agendas",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("agreed_at", sa.DateTime(), nullable=True),
        sa.Column("agreed_with", sa.String(length=255), nullable=False),
        sa.Column("agreed_recorded_by", sa.String(length=255), nullable=False),
        sa.Column("changed_after_agreement_at", sa.DateTime(), nullable=True),
        sa.Column("pack_issued_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_agendas_meeting_id_meetings")
        ),
        sa.PrimaryKeyConstraint("meeting_id", name=op.f("pk_agendas")),
    )
    op.create_table(
        "agenda_item_recipients",
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_items.id"],
            name=op.f("fk_agenda_item_recipients_agenda_item_id_agenda_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_agenda_item_recipients_member_id_members")
        ),
        sa.PrimaryKeyConstraint(
            "agenda_item_id", "member_id", name=op.f("pk_agenda_item_recipients")
        ),
    )
    with op.batch_alter_table("agenda_item_recipients", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agenda_item_recipients_member_id"), ["member_id"], unique=False
        )

    op.create_table(
        "papers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("paper_lead_email", sa.String(length=254), nullable=False),
        sa.Column("commissioned_at", sa.DateTime(), nullable=True),
        sa.Column("commissioned_by", sa.String(length=255), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("reminded_on", sa.Date(), nullable=True),
        sa.Column("chased_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_items.id"],
            name=op.f("fk_papers_agenda_item_id_agenda_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_papers")),
        sa.UniqueConstraint("agenda_item_id", name=op.f("uq_papers_agenda_item_id")),
    )
    op.create_table(
        "paper_links",
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["access_links.id"],
            name=op.f("fk_paper_links_link_id_access_links"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.id"],
            name=op.f("fk_paper_links_paper_id_papers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("link_id", name=op.f("pk_paper_links")),
    )
    with op.batch_alter_table("paper_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paper_links_paper_id"), ["paper_id"], unique=False)

    op.create_table(
        "paper_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("markdown", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.Column("word_count", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("via", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "(kind = 'markdown') = (markdown IS NOT NULL) AND (kind = 'markdown') = (sha256 IS NULL)",
            name=op.f("ck_paper_versions_content_matches_kind"),
        ),
        sa.CheckConstraint(
            "kind IN ('markdown', 'docx', 'pdf')", name=op.f("ck_paper_versions_kind_known")
        ),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["papers.id"], name=op.f("fk_paper_versions_paper_id_papers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_versions")),
    )
    with op.batch_alter_table("paper_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paper_versions_paper_id"), ["paper_id"], unique=False)

    _start_agendas()


def downgrade():
    with op.batch_alter_table("paper_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_versions_paper_id"))

    op.drop_table("paper_versions")
    with op.batch_alter_table("paper_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_links_paper_id"))

    op.drop_table("paper_links")
    op.drop_table("papers")
    with op.batch_alter_table("agenda_item_recipients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_item_recipients_member_id"))

    op.drop_table("agenda_item_recipients")
    op.drop_table("agendas")
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_items_meeting_id"))

    op.drop_table("agenda_items")
    op.drop_table("standing_items")
    op.drop_table("file_blobs")
    op.execute("DELETE FROM number_counters WHERE series = 'paper'")
    _series_rule(("meeting", "action", "tor_version"))

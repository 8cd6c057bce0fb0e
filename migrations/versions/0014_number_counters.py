"""Number counters: meetings, actions and ToR versions numbered without max() + 1

Revision ID: 0014_number_counters
Revises: 0013_access_hardening
Create Date: 2026-12-01 15:10:26.907654

Each counter starts at the highest number its series has already given out, so the next
meeting, action or ToR version carries on from there.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014_number_counters"
down_revision = "0013_access_hardening"
branch_labels = None
depends_on = None

#: Each series, and the table whose rows already carry its numbers.
SEEDS = {"meeting": "meetings", "action": "actions", "tor_version": "tor_versions"}
COUNTERS = sa.table(
    "number_counters",
    sa.column("taskforce_id"),
    sa.column("series"),
    sa.column("scope"),
    sa.column("last_number"),
)


def _seed(series: str, table_name: str) -> None:
    """Start a series' counters at the highest number already given out: per meeting for
    actions, per task force for the rest."""
    table = sa.table(
        table_name, sa.column("taskforce_id"), sa.column("meeting_number"), sa.column("number")
    )
    scoped = series == "action"
    scope = table.c.meeting_number if scoped else sa.literal(0)
    maxima = sa.select(
        table.c.taskforce_id, sa.literal(series), scope, sa.func.max(table.c.number)
    ).group_by(table.c.taskforce_id, *([table.c.meeting_number] if scoped else []))
    op.execute(COUNTERS.insert().from_select(list(COUNTERS.c.keys()), maxima))


def upgrade():
    op.create_table(
        "number_counters",
        sa.Column("taskforce_id", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(length=20), nullable=False),
        sa.Column("scope", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "series IN ('meeting', 'action', 'tor_version')",
            name=op.f("ck_number_counters_series_known"),
        ),
        sa.ForeignKeyConstraint(
            ["taskforce_id"],
            ["taskforces.id"],
            name=op.f("fk_number_counters_taskforce_id_taskforces"),
        ),
        sa.PrimaryKeyConstraint("taskforce_id", "series", "scope", name=op.f("pk_number_counters")),
    )
    for series, table_name in SEEDS.items():
        _seed(series, table_name)


def downgrade():
    op.drop_table("number_counters")

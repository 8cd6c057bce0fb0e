"""Indicators, trajectories and actuals

Revision ID: 0008_indicators
Revises: 0007_owner_links_chasing
Create Date: 2026-11-23 13:05:31.033085

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008_indicators"
down_revision = "0007_owner_links_chasing"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "indicators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("taskforce_id", sa.Integer(), nullable=False),
        sa.Column("priority_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("frequency", sa.String(length=10), nullable=False),
        sa.Column("direction", sa.String(length=4), nullable=False),
        sa.Column(
            "tolerance_pct", sa.Numeric(20, 6).with_variant(sa.String(40), "sqlite"), nullable=False
        ),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "direction IN ('up', 'down')", name=op.f("ck_indicators_direction_known")
        ),
        sa.CheckConstraint(
            "frequency IN ('weekly', 'monthly', 'quarterly')",
            name=op.f("ck_indicators_frequency_known"),
        ),
        sa.ForeignKeyConstraint(
            ["priority_id"], ["priorities.id"], name=op.f("fk_indicators_priority_id_priorities")
        ),
        sa.ForeignKeyConstraint(
            ["taskforce_id"], ["taskforces.id"], name=op.f("fk_indicators_taskforce_id_taskforces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicators")),
        sa.UniqueConstraint("taskforce_id", "name", name=op.f("uq_indicators_taskforce_id_name")),
    )
    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_indicators_taskforce_id"), ["taskforce_id"], unique=False
        )

    op.create_table(
        "actuals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("value", sa.Numeric(20, 6).with_variant(sa.String(40), "sqlite"), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=255), nullable=False),
        sa.Column("via", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"], ["indicators.id"], name=op.f("fk_actuals_indicator_id_indicators")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actuals")),
        sa.UniqueConstraint("indicator_id", "period", name=op.f("uq_actuals_indicator_id_period")),
    )
    with op.batch_alter_table("actuals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actuals_indicator_id"), ["indicator_id"], unique=False)

    op.create_table(
        "trajectory_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("value", sa.Numeric(20, 6).with_variant(sa.String(40), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_trajectory_points_indicator_id_indicators"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trajectory_points")),
        sa.UniqueConstraint(
            "indicator_id", "period", name=op.f("uq_trajectory_points_indicator_id_period")
        ),
    )
    with op.batch_alter_table("trajectory_points", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_trajectory_points_indicator_id"), ["indicator_id"], unique=False
        )

    op.create_table(
        "actual_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actual_id", sa.Integer(), nullable=False),
        sa.Column(
            "old_value", sa.Numeric(20, 6).with_variant(sa.String(40), "sqlite"), nullable=False
        ),
        sa.Column(
            "new_value", sa.Numeric(20, 6).with_variant(sa.String(40), "sqlite"), nullable=False
        ),
        sa.Column("replaced_at", sa.DateTime(), nullable=False),
        sa.Column("replaced_by", sa.String(length=255), nullable=False),
        sa.Column("via", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actual_id"], ["actuals.id"], name=op.f("fk_actual_revisions_actual_id_actuals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actual_revisions")),
    )
    with op.batch_alter_table("actual_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_actual_revisions_actual_id"), ["actual_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("actual_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actual_revisions_actual_id"))

    op.drop_table("actual_revisions")
    with op.batch_alter_table("trajectory_points", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trajectory_points_indicator_id"))

    op.drop_table("trajectory_points")
    with op.batch_alter_table("actuals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actuals_indicator_id"))

    op.drop_table("actuals")
    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicators_taskforce_id"))

    op.drop_table("indicators")

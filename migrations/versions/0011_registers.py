"""Benefits, delivery milestones and decisions registers

Revision ID: 0011_registers
Revises: 0010_assessments_risks
Create Date: 2026-11-23 13:44:48.939080

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011_registers"
down_revision = "0010_assessments_risks"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "benefits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("taskforce_id", sa.Integer(), nullable=False),
        sa.Column("benefit", sa.Text(), nullable=False),
        sa.Column("measure", sa.String(length=300), nullable=False),
        sa.Column("baseline", sa.String(length=100), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=False),
        sa.Column("realised", sa.String(length=100), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["taskforce_id"], ["taskforces.id"], name=op.f("fk_benefits_taskforce_id_taskforces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benefits")),
    )
    with op.batch_alter_table("benefits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_benefits_taskforce_id"), ["taskforce_id"], unique=False
        )

    op.create_table(
        "delivery_milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("taskforce_id", sa.Integer(), nullable=False),
        sa.Column("activity", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('not_started', 'on_track', 'at_risk', 'late', 'complete')",
            name=op.f("ck_delivery_milestones_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["taskforce_id"],
            ["taskforces.id"],
            name=op.f("fk_delivery_milestones_taskforce_id_taskforces"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_milestones")),
    )
    with op.batch_alter_table("delivery_milestones", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_delivery_milestones_taskforce_id"), ["taskforce_id"], unique=False
        )

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("taskforce_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_decisions_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["taskforce_id"], ["taskforces.id"], name=op.f("fk_decisions_taskforce_id_taskforces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_decisions_taskforce_id"), ["taskforce_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_taskforce_id"))

    op.drop_table("decisions")
    with op.batch_alter_table("delivery_milestones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_milestones_taskforce_id"))

    op.drop_table("delivery_milestones")
    with op.batch_alter_table("benefits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_benefits_taskforce_id"))

    op.drop_table("benefits")

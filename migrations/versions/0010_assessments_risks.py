"""Delivery assessments and the risk register

Revision ID: 0010_assessments_risks
Revises: 0009_chart_images
Create Date: 2026-11-23 13:35:21.768338

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010_assessments_risks"
down_revision = "0009_chart_images"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "risks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("taskforce_id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("likelihood", sa.String(length=6), nullable=False),
        sa.Column("impact", sa.String(length=6), nullable=False),
        sa.Column("impact_statement", sa.Text(), nullable=False),
        sa.Column("mitigation", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("trend", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["taskforce_id"], ["taskforces.id"], name=op.f("fk_risks_taskforce_id_taskforces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risks")),
        sa.UniqueConstraint("taskforce_id", "ref", name=op.f("uq_risks_taskforce_id_ref")),
    )
    with op.batch_alter_table("risks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risks_taskforce_id"), ["taskforce_id"], unique=False)

    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("taskforce_id", sa.Integer(), nullable=False),
        sa.Column("priority_id", sa.Integer(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("degree_of_challenge", sa.String(length=1), nullable=False),
        sa.Column("quality_of_planning", sa.String(length=2), nullable=False),
        sa.Column("capacity_to_drive_progress", sa.String(length=2), nullable=False),
        sa.Column("stage_of_delivery", sa.Integer(), nullable=False),
        sa.Column("likelihood_of_delivery", sa.String(length=2), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.CheckConstraint(
            "degree_of_challenge IN ('H', 'M', 'L')", name=op.f("ck_assessments_challenge_known")
        ),
        sa.CheckConstraint(
            "stage_of_delivery BETWEEN 1 AND 4", name=op.f("ck_assessments_stage_known")
        ),
        sa.ForeignKeyConstraint(
            ["priority_id"], ["priorities.id"], name=op.f("fk_assessments_priority_id_priorities")
        ),
        sa.ForeignKeyConstraint(
            ["taskforce_id"], ["taskforces.id"], name=op.f("fk_assessments_taskforce_id_taskforces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
        sa.UniqueConstraint(
            "priority_id", "assessed_on", name=op.f("uq_assessments_priority_id_assessed_on")
        ),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessments_priority_id"), ["priority_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_assessments_taskforce_id"), ["taskforce_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_taskforce_id"))
        batch_op.drop_index(batch_op.f("ix_assessments_priority_id"))

    op.drop_table("assessments")
    with op.batch_alter_table("risks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risks_taskforce_id"))

    op.drop_table("risks")

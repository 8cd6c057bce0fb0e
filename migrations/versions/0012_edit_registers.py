"""Versions on register entries, retired indicators and closed risks

Revision ID: 0012_edit_registers
Revises: 0011_registers
Create Date: 2026-11-23 14:46:28.201386

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012_edit_registers"
down_revision = "0011_registers"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("benefits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("delivery_milestones", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retired_at", sa.DateTime(), nullable=True))

    with op.batch_alter_table("risks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("risks", schema=None) as batch_op:
        batch_op.drop_column("closed_on")

    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.drop_column("retired_at")

    with op.batch_alter_table("delivery_milestones", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("benefits", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_column("version")

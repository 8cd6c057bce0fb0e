"""Cached chart images

Revision ID: 0009_chart_images
Revises: 0008_indicators
Create Date: 2026-11-23 13:33:40.653857

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009_chart_images"
down_revision = "0008_indicators"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "chart_images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chart_images")),
        sa.UniqueConstraint("key", name=op.f("uq_chart_images_key")),
    )


def downgrade():
    op.drop_table("chart_images")

"""Issued packs: each version's files and what changed, restricted supplements, markings

Revision ID: 0016_packs
Revises: 0015_agenda
Create Date: 2026-12-01 17:52:06.991819

The lead re-chains this after whichever migration lands before it on main.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016_packs"
down_revision = "0015_agenda"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pack_markings",
        sa.Column("taskforce_id", sa.Integer(), nullable=False),
        sa.Column("marking", sa.String(length=30), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "marking IN ('OFFICIAL', 'OFFICIAL-SENSITIVE')",
            name=op.f("ck_pack_markings_marking_known"),
        ),
        sa.ForeignKeyConstraint(
            ["taskforce_id"],
            ["taskforces.id"],
            name=op.f("fk_pack_markings_taskforce_id_taskforces"),
        ),
        sa.PrimaryKeyConstraint("taskforce_id", name=op.f("pk_pack_markings")),
    )
    op.create_table(
        "pack_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by", sa.String(length=255), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("via", sa.String(length=20), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.Column("pdf_size", sa.Integer(), nullable=True),
        sa.Column("pdf_problem", sa.String(length=500), nullable=False),
        sa.Column("change_note", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["users.id"], name=op.f("fk_pack_versions_issued_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_pack_versions_meeting_id_meetings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pack_versions")),
        sa.UniqueConstraint(
            "meeting_id", "number", name=op.f("uq_pack_versions_meeting_id_number")
        ),
    )
    with op.batch_alter_table("pack_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pack_versions_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "pack_supplements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pack_version_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("references", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_pack_supplements_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["pack_version_id"],
            ["pack_versions.id"],
            name=op.f("fk_pack_supplements_pack_version_id_pack_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pack_supplements")),
        sa.UniqueConstraint(
            "pack_version_id",
            "member_id",
            name=op.f("uq_pack_supplements_pack_version_id_member_id"),
        ),
    )
    with op.batch_alter_table("pack_supplements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pack_supplements_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pack_supplements_pack_version_id"), ["pack_version_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("pack_supplements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pack_supplements_pack_version_id"))
        batch_op.drop_index(batch_op.f("ix_pack_supplements_member_id"))

    op.drop_table("pack_supplements")
    with op.batch_alter_table("pack_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pack_versions_meeting_id"))

    op.drop_table("pack_versions")
    op.drop_table("pack_markings")

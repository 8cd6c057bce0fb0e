"""Owner links and the chase log

Revision ID: 0007_owner_links_chasing
Revises: 0006_actions
Create Date: 2026-11-23 12:10:52.733781

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007_owner_links_chasing"
down_revision = "0006_actions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "access_link_actions",
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["actions.id"],
            name=op.f("fk_access_link_actions_action_id_actions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["access_links.id"],
            name=op.f("fk_access_link_actions_link_id_access_links"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("link_id", "action_id", name=op.f("pk_access_link_actions")),
    )
    with op.batch_alter_table("access_link_actions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_access_link_actions_action_id"), ["action_id"], unique=False
        )

    op.create_table(
        "chase_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("run_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_to", sa.Text(), nullable=False),
        sa.Column("outbox_message_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_chase_log_action_id_actions")
        ),
        sa.ForeignKeyConstraint(
            ["outbox_message_id"],
            ["outbox_messages.id"],
            name=op.f("fk_chase_log_outbox_message_id_outbox_messages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chase_log")),
        sa.UniqueConstraint(
            "action_id", "step", "due_on", name=op.f("uq_chase_log_action_id_step_due_on")
        ),
    )
    with op.batch_alter_table("chase_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chase_log_action_id"), ["action_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_chase_log_run_on"), ["run_on"], unique=False)

    with op.batch_alter_table("taskforces", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chase_offsets", sa.JSON(), nullable=True))

    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposed_due_on", sa.Date(), nullable=True))

    with op.batch_alter_table("action_updates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_proposed", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_column("proposed_due_on")

    with op.batch_alter_table("action_updates", schema=None) as batch_op:
        batch_op.drop_column("due_proposed")

    with op.batch_alter_table("taskforces", schema=None) as batch_op:
        batch_op.drop_column("chase_offsets")

    with op.batch_alter_table("chase_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chase_log_run_on"))
        batch_op.drop_index(batch_op.f("ix_chase_log_action_id"))

    op.drop_table("chase_log")
    with op.batch_alter_table("access_link_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_link_actions_action_id"))

    op.drop_table("access_link_actions")

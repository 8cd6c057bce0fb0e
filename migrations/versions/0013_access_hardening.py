"""Owner links let go of closed and dropped actions for good; a session token per user;
rate-limit counters in the database

Revision ID: 0013_access_hardening
Revises: 0012_edit_registers
Create Date: 2026-11-24 10:00:00.000000

"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013_access_hardening"
down_revision = "0012_edit_registers"
branch_labels = None
depends_on = None


def upgrade():
    # Every session cookie carries the user's session token (User.get_id); a new token ends
    # all of that user's sessions. Cookies from before this release carry none, so everyone
    # signs in once more.
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_token", sa.String(length=64), nullable=True))
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("session_token", sa.String))
    conn = op.get_bind()
    for (user_id,) in conn.execute(sa.select(users.c.id)).all():
        conn.execute(
            users.update()
            .where(users.c.id == user_id)
            .values(session_token=secrets.token_urlsafe(32))
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("session_token", existing_type=sa.String(length=64), nullable=False)

    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limits")),
    )

    # Closing or dropping an action now takes it out of its owner links for good. Links
    # issued before that rule still reach closed and dropped actions, and would come back to
    # life if those were reopened: let go of them now, as the rule would have.
    op.execute(
        "DELETE FROM access_link_actions WHERE action_id IN "
        "(SELECT id FROM actions WHERE status IN ('closed', 'dropped'))"
    )


def downgrade():
    # The links stay without the ended actions: there is nothing to restore.
    op.drop_table("rate_limits")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_token")

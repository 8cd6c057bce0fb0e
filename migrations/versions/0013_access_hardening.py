"""Owner links let go of closed and dropped actions for good

Revision ID: 0013_access_hardening
Revises: 0012_edit_registers
Create Date: 2026-11-24 10:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0013_access_hardening"
down_revision = "0012_edit_registers"
branch_labels = None
depends_on = None


def upgrade():
    # Closing or dropping an action now takes it out of its owner links for good. Links
    # issued before that rule still reach closed and dropped actions, and would come back to
    # life if those were reopened: let go of them now, as the rule would have.
    op.execute(
        "DELETE FROM access_link_actions WHERE action_id IN "
        "(SELECT id FROM actions WHERE status IN ('closed', 'dropped'))"
    )


def downgrade():
    pass  # the links stay without the ended actions: nothing to restore

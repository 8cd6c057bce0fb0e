"""Who may see and change which task force. Denied unless a rule here allows it."""

from __future__ import annotations

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import selectinload

from taskforce.auth.models import Role, User
from taskforce.bodies.models import Member, MemberGroup, TaskForce
from taskforce.extensions import db


def _live_member_of(user: User, group: MemberGroup | None = None):
    clause = (Member.taskforce_id == TaskForce.id) & (Member.email == user.email)
    clause &= Member.removed_at.is_(None)
    if group is not None:
        clause &= Member.group == group.value
    return exists().where(clause)


def visible_taskforces(user: User) -> Select[tuple[TaskForce]]:
    """Select the task forces a user may read."""
    stmt = select(TaskForce)
    if user.role == Role.ADMIN:
        return stmt
    if user.role == Role.SECRETARIAT:
        return stmt.where(
            or_(TaskForce.created_by_id == user.id, _live_member_of(user, MemberGroup.SECRETARIAT))
        )
    return stmt.where(_live_member_of(user))


def visible_taskforces_by_name(user: User, *, with_members: bool = False) -> list[TaskForce]:
    """The task forces a user may read, by name: for pickers, menus and the home page."""
    stmt = visible_taskforces(user).order_by(TaskForce.name)
    if with_members:
        stmt = stmt.options(selectinload(TaskForce.all_members))
    return list(db.session.scalars(stmt))


def membership(user: User, tf: TaskForce) -> Member | None:
    """The user's own current membership of this task force, if they are a member."""
    return next((m for m in tf.members if m.email == user.email), None)


def serves(user: User, tf: TaskForce) -> bool:
    """True if the user is secretariat for this task force (or an admin)."""
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.SECRETARIAT:
        return False
    if tf.created_by_id == user.id:
        return True
    member = membership(user, tf)
    return member is not None and member.group == MemberGroup.SECRETARIAT


def can_view(user: User, tf: TaskForce) -> bool:
    if serves(user, tf):
        return True
    if user.role == Role.SECRETARIAT:
        return False
    return membership(user, tf) is not None


def can_edit(user: User, tf: TaskForce) -> bool:
    return serves(user, tf)


def owns_action(user: User, action) -> bool:
    """True if the action is allocated to this user's email address: its owner may see and
    update it signed in, as from the link emailed to that address, in any task force."""
    return action.owner_email == user.email


def can_create_taskforce(user: User) -> bool:
    return user.role in (Role.ADMIN, Role.SECRETARIAT)


def load_taskforce(user: User, taskforce_id: int, *, edit: bool = False) -> TaskForce:
    """Return a task force the user may read (or, with edit, change); else 404 or 403."""
    from flask import abort

    tf = db.session.get(TaskForce, taskforce_id)
    if tf is None:
        abort(404, description=f"No task force with id {taskforce_id}")
    if not (can_edit if edit else can_view)(user, tf):
        abort(
            403,
            description="You do not serve this task force"
            if edit
            else "You are not a member of this task force",
        )
    return tf


def load_member(user: User, member_id: int, *, edit: bool = False) -> Member:
    """Return a current member of a task force the user may read (or change)."""
    from flask import abort

    from taskforce.bodies.services import get_member

    member = get_member(member_id)
    if member is None:
        abort(404, description=f"No member with id {member_id}")
    load_taskforce(user, member.taskforce_id, edit=edit)
    return member

"""Task forces, members and ToR versions over JSON."""

from __future__ import annotations

from flask import abort, jsonify, request
from sqlalchemy.orm import selectinload

from taskforce import links
from taskforce.api.core import (
    EmailsSent,
    api_actor,
    api_user,
    bp,
    dump,
    emails_sent,
    load_taskforce,
    page_of,
    parse,
    parse_change,
)
from taskforce.api.spec import operation
from taskforce.audit.models import AuditEvent
from taskforce.auth import permissions
from taskforce.bodies import services
from taskforce.bodies.models import Member, TaskForce, TorVersion
from taskforce.bodies.schemas import (
    AuditEventOut,
    LinksRevoked,
    MemberCreate,
    MemberOut,
    MemberUpdate,
    TaskForceCreate,
    TaskForceOut,
    TaskForceUpdate,
    TorComparisonOut,
    TorVersionOut,
)
from taskforce.errors import ValidationError
from taskforce.extensions import db
from taskforce.meetings import emails
from taskforce.text import small_int

TAG = "Task forces"
#: Every /members/{member_id} operation answers 410 for a member who was removed.
REMOVED = {410: "The member was removed from the task force"}


def _member(member_id: int, *, edit: bool = False) -> Member:
    member = services.get_member(member_id)
    if member is None:
        abort(404, description=f"No member with id {member_id}")
    load_taskforce(member.taskforce_id, edit=edit)
    return member


@operation(
    bp,
    "/taskforces",
    "POST",
    summary="Create a task force",
    tag=TAG,
    body=TaskForceCreate,
    response=TaskForceOut,
    status=201,
)
def create_taskforce():
    if not permissions.can_create_taskforce(api_user()):
        abort(403, description="Only the secretariat or an admin can create task forces")
    data = parse(TaskForceCreate)
    tf = services.create_taskforce(data.model_dump(), api_actor())
    return dump(TaskForceOut.of(tf), 201)


@operation(
    bp,
    "/taskforces",
    "GET",
    summary="List the task forces you can see",
    tag=TAG,
    response=TaskForceOut,
    paged=True,
)
def list_taskforces():
    stmt = permissions.visible_taskforces(api_user()).options(
        selectinload(TaskForce.all_members), selectinload(TaskForce.all_priorities)
    )
    return page_of(stmt, TaskForce.id, lambda tf: TaskForceOut.of(tf).model_dump(mode="json"))


@operation(
    bp,
    "/taskforces/<int:taskforce_id>",
    "GET",
    summary="Read a task force",
    tag=TAG,
    response=TaskForceOut,
)
def get_taskforce(taskforce_id: int):
    return dump(TaskForceOut.of(load_taskforce(taskforce_id)))


@operation(
    bp,
    "/taskforces/<int:taskforce_id>",
    "PATCH",
    tag=TAG,
    body=TaskForceUpdate,
    response=TaskForceOut,
    summary="Change a task force; a change to its ToR makes a new version",
)
def update_taskforce(taskforce_id: int):
    tf = load_taskforce(taskforce_id, edit=True)
    changes, expected = parse_change(TaskForceUpdate)
    services.update_taskforce(tf, changes, api_actor(), expected_version=expected)
    return dump(TaskForceOut.of(tf))


@operation(
    bp,
    "/taskforces/<int:taskforce_id>/tor-versions",
    "GET",
    tag=TAG,
    response=TorVersionOut,
    paged=True,
    summary="List the versions of the terms of reference, oldest first",
)
def list_tor_versions(taskforce_id: int):
    tf = load_taskforce(taskforce_id)
    stmt = db.select(TorVersion).where(TorVersion.taskforce_id == tf.id)
    return page_of(
        stmt, TorVersion.id, lambda v: TorVersionOut.model_validate(v).model_dump(mode="json")
    )


@operation(
    bp,
    "/taskforces/<int:taskforce_id>/tor-versions/<int:number>",
    "GET",
    tag=TAG,
    response=TorVersionOut,
    summary="Read one version of the terms of reference",
)
def get_tor_version(taskforce_id: int, number: int):
    tf = load_taskforce(taskforce_id)
    version = services.tor_version(tf, number)
    if version is None:
        abort(404, description=f"No version {number} of these terms of reference")
    return dump(TorVersionOut.model_validate(version))


@operation(
    bp,
    "/taskforces/<int:taskforce_id>/tor-versions/compare",
    "GET",
    tag=TAG,
    response=TorComparisonOut,
    summary="Compare two versions of the terms of reference",
    query={"from": "older version number", "to": "newer version number"},
)
def compare_tor_versions(taskforce_id: int):
    tf = load_taskforce(taskforce_id)
    found = {}
    for arg in ("from", "to"):
        raw = request.args.get(arg, "")
        number = small_int(raw)
        if number is None:
            raise ValidationError.single(arg, f"Give {arg}= as a version number")
        found[arg] = services.tor_version(tf, number)
        if found[arg] is None:
            raise ValidationError.single(arg, f"There is no version {raw}")
    comparison = services.compare_versions(found["from"], found["to"]).as_dict()
    return jsonify(
        TorComparisonOut.model_validate(comparison).model_dump(mode="json", by_alias=True)
    )


@operation(
    bp,
    "/taskforces/<int:taskforce_id>/audit",
    "GET",
    tag=TAG,
    response=AuditEventOut,
    summary="Every change to a task force, newest first",
    paged=True,
)
def taskforce_audit(taskforce_id: int):
    tf = load_taskforce(taskforce_id, edit=True)
    stmt = db.select(AuditEvent).where(AuditEvent.taskforce_id == tf.id)
    return page_of(
        stmt,
        AuditEvent.id,
        lambda e: AuditEventOut.model_validate(e).model_dump(mode="json"),
        newest_first=True,
    )


@operation(
    bp,
    "/taskforces/<int:taskforce_id>/members",
    "POST",
    tag=TAG,
    body=MemberCreate,
    response=MemberOut,
    status=201,
    summary="Add a member",
)
def add_member(taskforce_id: int):
    tf = load_taskforce(taskforce_id, edit=True)
    data = parse(MemberCreate)
    member = services.add_member(tf, data.model_dump(), api_actor())
    return dump(MemberOut.model_validate(member), 201)


@operation(
    bp,
    "/taskforces/<int:taskforce_id>/members",
    "GET",
    tag=TAG,
    response=MemberOut,
    paged=True,
    summary="List the current members",
)
def list_members(taskforce_id: int):
    tf = load_taskforce(taskforce_id)
    stmt = db.select(Member).where(Member.taskforce_id == tf.id, Member.removed_at.is_(None))
    return page_of(stmt, Member.id, lambda m: MemberOut.model_validate(m).model_dump(mode="json"))


@operation(
    bp,
    "/members/<int:member_id>",
    "GET",
    tag=TAG,
    response=MemberOut,
    errors=REMOVED,
    summary="Read a member",
)
def get_member(member_id: int):
    return dump(MemberOut.model_validate(_member(member_id)))


@operation(
    bp,
    "/members/<int:member_id>",
    "PATCH",
    tag=TAG,
    errors=REMOVED,
    body=MemberUpdate,
    response=MemberOut,
    summary="Change a member",
)
def update_member(member_id: int):
    member = _member(member_id, edit=True)
    changes, expected = parse_change(MemberUpdate)
    services.update_member(member, changes, api_actor(), expected_version=expected)
    return dump(MemberOut.model_validate(member))


@operation(
    bp,
    "/members/<int:member_id>",
    "DELETE",
    tag=TAG,
    errors=REMOVED,
    status=204,
    summary="Remove a member (kept in history and earlier ToR versions)",
)
def remove_member(member_id: int):
    member = _member(member_id, edit=True)
    services.remove_member(member, api_actor())
    return "", 204


@operation(
    bp,
    "/members/<int:member_id>/calendar-link",
    "POST",
    tag=TAG,
    errors=REMOVED,
    status=202,
    response=EmailsSent,
    summary="Email the member a personal calendar feed of all their meetings",
)
def send_calendar_link(member_id: int):
    member = _member(member_id, edit=True)
    return emails_sent(emails.send_feed_link(member))


@operation(
    bp,
    "/members/<int:member_id>/calendar-link",
    "DELETE",
    tag=TAG,
    response=LinksRevoked,
    errors=REMOVED,
    summary="Withdraw every calendar feed link sent for this membership",
)
def revoke_calendar_link(member_id: int):
    member = _member(member_id, edit=True)
    revoked = links.revoke_for_member(member.id, links.Purpose.CALENDAR_FEED)
    return dump(LinksRevoked(revoked=revoked))

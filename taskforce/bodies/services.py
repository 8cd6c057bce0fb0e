"""Task forces and their terms of reference: create, change, version, compare.

Services flush; the caller (view, API handler, CLI) commits once.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from taskforce import numbering
from taskforce.actions.ladder import ladder_problems
from taskforce.audit.services import Actor, apply_changes, jsonable, record
from taskforce.bodies.models import Member, MemberGroup, Priority, TaskForce, TorVersion
from taskforce.db import utcnow
from taskforce.errors import Gone, ValidationError, check_version
from taskforce.extensions import db
from taskforce.links import revoke_for_member
from taskforce.meetings.cycle import offset_problems

#: Fields of the task force that are part of its terms of reference.
TOR_FIELDS = ("name", "code", "purpose", "cadence_weeks", "quorum", "review_on")
#: Fields of a member that appear in the terms of reference.
MEMBER_TOR_FIELDS = ("name", "role_title", "organisation", "group", "is_chair")
MEMBER_FIELDS = (
    "name",
    "email",
    "role_title",
    "organisation",
    "group",
    "is_chair",
    "on_distribution",
)

FIELD_LABELS = {
    "name": "Name",
    "code": "Code",
    "purpose": "Purpose",
    "cadence_weeks": "Cadence (weeks)",
    "quorum": "Quorum",
    "review_on": "Review date",
    "priorities": "Priorities tracked",
    "role_title": "Role title",
    "organisation": "Organisation",
    "group": "Group",
    "is_chair": "Chair",
    "email": "Email",
    "on_distribution": "On distribution list",
    "milestone_offsets": "Cycle milestones",
    "chase_offsets": "Chasing ladder",
}


# --- Reading ---------------------------------------------------------------------------


def get_member(member_id: int) -> Member | None:
    """Return a current member, None if there never was one; Gone if they were removed."""
    member = db.session.get(Member, member_id)
    if member is not None and member.removed_at is not None:
        raise Gone(
            f"{member.name} was removed from the task force on {member.removed_at:%-d %B %Y}"
        )
    return member


def memberships_of(email: str) -> list[Member]:
    """Every live membership of one email address, in any task force."""
    return list(
        db.session.scalars(
            select(Member).where(
                Member.email == normalise_email(email), Member.removed_at.is_(None)
            )
        )
    )


def snapshot(tf: TaskForce) -> dict[str, Any]:
    """Return the whole terms of reference as plain data, for a version record."""
    return {
        "name": tf.name,
        "code": tf.code,
        "purpose": tf.purpose,
        "cadence_weeks": tf.cadence_weeks,
        "quorum": tf.quorum,
        "review_on": tf.review_on.isoformat() if tf.review_on else None,
        "priorities": [p.title for p in tf.priorities],
        "members": [
            {
                "id": m.id,
                "name": m.name,
                "role_title": m.role_title,
                "organisation": m.organisation,
                "group": m.group,
                "is_chair": m.is_chair,
            }
            for m in tf.members
        ],
    }


# --- Validation shared by the web forms and the API -----------------------------------


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _check_code_free(code: str, taskforce_id: int | None = None) -> None:
    stmt = select(TaskForce.id).where(TaskForce.code == code)
    if taskforce_id is not None:
        stmt = stmt.where(TaskForce.id != taskforce_id)
    if db.session.scalar(stmt) is not None:
        # Not "used by another task force": nothing here says whose, or what it is called.
        raise ValidationError.single("code", f"The code {code} is not available: choose another")


def _check_member_rules(tf: TaskForce, data: dict[str, Any], member: Member | None = None) -> None:
    errors: dict[str, list[str]] = {}
    if "email" in data:
        email = data["email"]
        for other in tf.members:
            if other is not member and other.email == email:
                errors["email"] = [f"{other.name} is already a member with the email {email}"]
    if data.get("is_chair"):
        chair = tf.chair
        if chair is not None and chair is not member:
            errors["is_chair"] = [
                f"{chair.name} already chairs this task force: remove their chair role first"
            ]
    if errors:
        raise ValidationError(errors)


# --- ToR versions ----------------------------------------------------------------------


def _describe(value: Any) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _tor_change(name: str, old: Any, new: Any) -> str:
    """A change to the terms of reference as its version's summary words it."""
    return f"{FIELD_LABELS[name].lower()} {_describe(old)} → {_describe(new)}"


def _new_tor_version(tf: TaskForce, actor: Actor, summary: str) -> TorVersion:
    db.session.flush()
    [number] = numbering.allocate(tf.id, numbering.Series.TOR_VERSION)
    # Read the whole ToR again only now: taking the number waited for any other change to
    # this task force's ToR to commit, so this version shows that change as well as this one.
    tor = [*sa_inspect(TaskForce).column_attrs.keys(), "all_members", "all_priorities"]
    db.session.refresh(tf, tor)
    version = TorVersion(
        taskforce=tf,
        number=number,
        created_by_id=actor.user.id if actor.user else None,
        created_by_label=actor.label,
        via=actor.via,
        summary=summary[:2000],
        snapshot=snapshot(tf),
    )
    db.session.add(version)
    db.session.flush()
    return version


def _sync_priorities(tf: TaskForce, titles: list[str]) -> list[str]:
    """Make the live priorities match `titles`, keeping rows whose title survives."""
    changes: list[str] = []
    live: dict[str, Priority] = {}
    for priority in tf.priorities:
        if priority.title in titles and priority.title not in live:
            live[priority.title] = priority
        else:  # no longer tracked, or a duplicate of one kept
            priority.retired_at = utcnow()
            if priority.title not in titles:
                changes.append(f"stopped tracking “{priority.title}”")
    for position, title in enumerate(titles):
        if title in live:
            live[title].position = position
        else:
            tf.all_priorities.append(Priority(title=title, position=position))
            changes.append(f"now tracks “{title}”")
    return changes


# --- Task forces -----------------------------------------------------------------------


#: Working practice kept on a task force, each checked by the rule of the domain that uses it.
PRACTICE_RULES = {"milestone_offsets": offset_problems, "chase_offsets": ladder_problems}


def _check_practice(data: dict[str, Any]) -> None:
    """Refuse a cycle or chasing ladder that breaks its rules, each step named."""
    problems = {
        f"{name}.{step}": messages
        for name, rule in PRACTICE_RULES.items()
        for step, messages in rule(data.get(name) or {}).items()
    }
    if problems:
        raise ValidationError(problems)


def create_taskforce(data: dict[str, Any], actor: Actor) -> TaskForce:
    """Create a task force with its first ToR version."""
    _check_code_free(data["code"])
    _check_practice(data)
    tf = TaskForce(
        name=data["name"],
        code=data["code"],
        purpose=data.get("purpose") or "",
        cadence_weeks=data.get("cadence_weeks") or 6,
        quorum=data.get("quorum"),
        review_on=data.get("review_on"),
        milestone_offsets=data.get("milestone_offsets") or None,
        created_by_id=actor.user.id if actor.user else None,
    )
    db.session.add(tf)
    for position, title in enumerate(data.get("priorities") or []):
        tf.all_priorities.append(Priority(title=title, position=position))
    db.session.flush()
    # Members given with the task force join its first version rather than one version each.
    for member_data in data.get("members") or []:
        member_data = {**member_data, "email": normalise_email(member_data["email"])}
        _check_member_rules(tf, member_data)
        tf.all_members.append(_build_member(member_data))
        db.session.flush()
    _new_tor_version(tf, actor, "First version of the terms of reference")
    record(
        actor,
        "taskforce.created",
        tf,
        taskforce_id=tf.id,
        changes=snapshot(tf),
        summary=f"Created {tf.name} ({tf.code})",
    )
    return tf


def update_taskforce(
    tf: TaskForce, data: dict[str, Any], actor: Actor, expected_version: int | None = None
) -> TaskForce:
    """Apply changes; a change to the ToR makes a new version saying what changed."""
    check_version(tf.version, expected_version, "task force")
    if "code" in data and data["code"] != tf.code:
        _check_code_free(data["code"], tf.id)
    _check_practice(data)

    # A purpose sent as null is emptied; a cadence sent as null is left as it was.
    tor_data = {name: data[name] for name in TOR_FIELDS if name in data}
    if "purpose" in tor_data and tor_data["purpose"] is None:
        tor_data["purpose"] = ""
    if "cadence_weeks" in tor_data and tor_data["cadence_weeks"] is None:
        del tor_data["cadence_weeks"]
    changes = apply_changes(tf, tor_data, TOR_FIELDS)
    tor_changes = [
        "purpose changed" if name == "purpose" else _tor_change(name, old, new)
        for name, (old, new) in changes.items()
    ]

    # Working practice, not terms of reference: recorded in the audit, no new ToR version.
    practice = ("milestone_offsets", "chase_offsets")
    changes.update(
        apply_changes(tf, {name: data[name] or None for name in practice if name in data}, practice)
    )

    if "priorities" in data and data["priorities"] is not None:
        old_titles = [p.title for p in tf.priorities]
        priority_changes = _sync_priorities(tf, data["priorities"])
        if priority_changes or old_titles != data["priorities"]:
            changes["priorities"] = [old_titles, data["priorities"]]
            tor_changes.extend(priority_changes or ["priorities reordered"])

    if not changes:
        return tf
    # Priorities live in their own table: touch the row so its version moves on regardless.
    tf.updated_at = utcnow()
    db.session.flush()
    if tor_changes:
        summary = "; ".join(tor_changes)
        _new_tor_version(tf, actor, summary[:1].upper() + summary[1:])
    record(
        actor,
        "taskforce.updated",
        tf,
        taskforce_id=tf.id,
        changes=changes,
        summary=f"Changed {', '.join(FIELD_LABELS[c].lower() for c in changes)}",
    )
    return tf


# --- Members ---------------------------------------------------------------------------


def _member_title(m: Member | dict[str, Any]) -> str:
    get = m.get if isinstance(m, dict) else lambda k, d=None: getattr(m, k, d)
    role = get("role_title") or ""
    return f"{get('name')} ({role})" if role else str(get("name"))


def _build_member(data: dict[str, Any]) -> Member:
    return Member(
        name=data["name"],
        email=data["email"],
        role_title=data.get("role_title") or "",
        organisation=data.get("organisation") or "",
        group=str(data.get("group") or MemberGroup.OFFICIAL),
        is_chair=bool(data.get("is_chair")),
        on_distribution=data.get("on_distribution", True) is not False,
    )


def add_member(tf: TaskForce, data: dict[str, Any], actor: Actor) -> Member:
    """Add a member and re-issue the ToR with them in it."""
    data = {**data, "email": normalise_email(data["email"])}
    _check_member_rules(tf, data)
    member = _build_member(data)
    tf.all_members.append(member)
    db.session.flush()
    chair = " as chair" if member.is_chair else ""
    _new_tor_version(tf, actor, f"Added {_member_title(member)}{chair}")
    record(
        actor,
        "member.added",
        member,
        taskforce_id=tf.id,
        changes={k: getattr(member, k) for k in MEMBER_FIELDS},
        summary=f"Added {member.name}",
    )
    return member


def update_member(
    member: Member, data: dict[str, Any], actor: Actor, expected_version: int | None = None
) -> Member:
    """Change a member; changes that show in the ToR make a new version."""
    check_version(member.version, expected_version, "member")
    if "email" in data and data["email"] is not None:
        data = {**data, "email": normalise_email(data["email"])}
    _check_member_rules(member.taskforce, data, member)
    member_data = {
        name: str(value) if name == "group" else value
        for name, value in data.items()
        if value is not None
    }
    changes = apply_changes(member, member_data, MEMBER_FIELDS)
    tor_changes = [
        _tor_change(name, old, new)
        for name, (old, new) in changes.items()
        if name in MEMBER_TOR_FIELDS
    ]
    if not changes:
        return member
    if "email" in changes:
        # Links went to the old address, which may now be someone else's mailbox.
        revoke_for_member(member.id)
    db.session.flush()
    if tor_changes:
        _new_tor_version(member.taskforce, actor, f"{member.name}: {'; '.join(tor_changes)}")
    record(
        actor,
        "member.updated",
        member,
        taskforce_id=member.taskforce_id,
        changes=changes,
        summary=f"Changed {member.name}",
    )
    return member


def remove_member(member: Member, actor: Actor) -> None:
    """Take a member off the task force; their row stays for history."""
    member.removed_at = utcnow()
    member.is_chair = False
    revoke_for_member(member.id)  # their feed and apologies links die with the membership
    db.session.flush()
    _new_tor_version(member.taskforce, actor, f"Removed {_member_title(member)}")
    record(
        actor,
        "member.removed",
        member,
        taskforce_id=member.taskforce_id,
        summary=f"Removed {member.name}",
    )


# --- Comparing versions ----------------------------------------------------------------


@dataclass
class TorComparison:
    older: TorVersion
    newer: TorVersion
    fields: list[tuple[str, str, str]] = field(default_factory=list)
    purpose_diff: list[tuple[str, str]] = field(default_factory=list)
    priorities_added: list[str] = field(default_factory=list)
    priorities_removed: list[str] = field(default_factory=list)
    members_added: list[dict[str, Any]] = field(default_factory=list)
    members_removed: list[dict[str, Any]] = field(default_factory=list)
    members_changed: list[tuple[str, list[tuple[str, str, str]]]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.fields
            or self.purpose_diff
            or self.priorities_added
            or self.priorities_removed
            or self.members_added
            or self.members_removed
            or self.members_changed
        )

    def as_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "from": self.older.number,
                "to": self.newer.number,
                "fields": [{"field": f, "from": a, "to": b} for f, a, b in self.fields],
                "purpose_diff": [{"op": op, "line": line} for op, line in self.purpose_diff],
                "priorities_added": self.priorities_added,
                "priorities_removed": self.priorities_removed,
                "members_added": self.members_added,
                "members_removed": self.members_removed,
                "members_changed": [
                    {"name": n, "changes": [{"field": f, "from": a, "to": b} for f, a, b in c]}
                    for n, c in self.members_changed
                ],
            }
        )


def compare_versions(older: TorVersion, newer: TorVersion) -> TorComparison:
    """Say what changed between two versions of the terms of reference."""
    if older.number > newer.number:
        older, newer = newer, older
    a, b = older.snapshot, newer.snapshot
    result = TorComparison(older=older, newer=newer)
    for name in ("name", "code", "cadence_weeks", "quorum", "review_on"):
        if a.get(name) != b.get(name):
            result.fields.append(
                (FIELD_LABELS[name], _describe(a.get(name)), _describe(b.get(name)))
            )
    if a.get("purpose") != b.get("purpose"):
        for line in difflib.ndiff(
            (a.get("purpose") or "").splitlines(), (b.get("purpose") or "").splitlines()
        ):
            op = line[:2]
            if op in ("+ ", "- ", "  "):
                result.purpose_diff.append(
                    ({"+ ": "added", "- ": "removed"}.get(op, "same"), line[2:])
                )
    pa, pb = a.get("priorities") or [], b.get("priorities") or []
    result.priorities_added = [p for p in pb if p not in pa]
    result.priorities_removed = [p for p in pa if p not in pb]
    ma = {m["id"]: m for m in a.get("members") or []}
    mb = {m["id"]: m for m in b.get("members") or []}
    result.members_added = [mb[i] for i in sorted(mb.keys() - ma.keys())]
    result.members_removed = [ma[i] for i in sorted(ma.keys() - mb.keys())]
    for member_id in sorted(ma.keys() & mb.keys()):
        old, new = ma[member_id], mb[member_id]
        diffs = [
            (FIELD_LABELS[f], _describe(old.get(f)), _describe(new.get(f)))
            for f in MEMBER_TOR_FIELDS
            if old.get(f) != new.get(f)
        ]
        if diffs:
            result.members_changed.append((new["name"], diffs))
    return result


def tor_version(tf: TaskForce, number: int) -> TorVersion | None:
    return db.session.scalar(
        select(TorVersion).where(TorVersion.taskforce_id == tf.id, TorVersion.number == number)
    )

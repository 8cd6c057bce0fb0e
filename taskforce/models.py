"""Every model, imported in one place so the metadata holds the whole schema."""

from taskforce.audit.models import AuditEvent
from taskforce.auth.models import ApiToken, User
from taskforce.bodies.models import Member, Priority, TaskForce, TorVersion

__all__ = ["ApiToken", "AuditEvent", "Member", "Priority", "TaskForce", "TorVersion", "User"]

"""Every model, imported in one place so the metadata holds the whole schema."""

from taskforce.actions.models import Action, ActionUpdate, ChaseLog
from taskforce.agenda.models import Agenda, AgendaItem, Paper, PaperVersion, StandingItems
from taskforce.audit.models import AuditEvent
from taskforce.auth.models import ApiToken, User
from taskforce.bodies.models import Member, Priority, TaskForce, TorVersion
from taskforce.links import AccessLink
from taskforce.mail import OutboxMessage
from taskforce.meetings.models import Attendance, Meeting
from taskforce.numbering import NumberCounter
from taskforce.packs.models import PackMarking, PackSupplement, PackVersion
from taskforce.performance.models import (
    Actual,
    ActualRevision,
    Assessment,
    ChartImage,
    Indicator,
    TrajectoryPoint,
)
from taskforce.ratelimits import rate_limits
from taskforce.registers.models import Benefit, Decision, DeliveryMilestone, Risk
from taskforce.storage import FileBlob

__all__ = [
    "AccessLink",
    "Action",
    "ActionUpdate",
    "Actual",
    "ActualRevision",
    "Agenda",
    "AgendaItem",
    "ApiToken",
    "Assessment",
    "Attendance",
    "AuditEvent",
    "Benefit",
    "ChartImage",
    "ChaseLog",
    "Decision",
    "DeliveryMilestone",
    "FileBlob",
    "Indicator",
    "Meeting",
    "Member",
    "NumberCounter",
    "OutboxMessage",
    "PackMarking",
    "PackSupplement",
    "PackVersion",
    "Paper",
    "PaperVersion",
    "Priority",
    "Risk",
    "StandingItems",
    "TaskForce",
    "TorVersion",
    "TrajectoryPoint",
    "User",
    "rate_limits",
]

"""The registers over JSON: the risk register, and the benefits, delivery milestones and
decisions registers."""

from __future__ import annotations

from taskforce.api.records import record_routes
from taskforce.registers import services
from taskforce.registers.models import Risk
from taskforce.registers.schemas import REGISTER_SCHEMAS, RiskChange, RiskIn, RiskOut

# The registers are part of a task force's performance, in the API's description as on the web.
TAG = "Performance"

record_routes(
    "risks",
    Risk,
    tag=TAG,
    schema_in=RiskIn,
    schema_out=RiskOut,
    change=RiskChange,
    out=RiskOut.model_validate,
    add=services.add_risk,
    update=services.update_risk,
    noun="risk",
    added="Add a risk to the register; its rating follows from likelihood and impact",
    listed="The risk register, in the order risks were added",
    changed="Change a risk, or close (`closed: true`) or reopen it; history is kept",
)
for _kind, _noun in (
    ("benefits", "benefit"),
    ("milestones", "delivery milestone"),
    ("decisions", "decision"),
):
    _in, _out, _change_schema = REGISTER_SCHEMAS[_kind]
    record_routes(
        _kind,
        services.REGISTER_MODELS[_kind],
        tag=TAG,
        schema_in=_in,
        schema_out=_out,
        change=_change_schema,
        out=_out.model_validate,
        add=lambda tf, data, actor, kind=_kind: services.add_entry(tf, kind, data, actor),
        update=lambda entry, data, actor, expected_version, kind=_kind: services.update_entry(
            entry, kind, data, actor, expected_version
        ),
        noun=_noun,
        added=f"Add a {_noun} to the register",
        listed=f"The {_kind} register",
        changed=f"Change a {_noun}; the audit trail keeps what it said before",
    )

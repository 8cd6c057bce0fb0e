"""Forms for the risk register and the benefits, delivery milestones and decisions registers."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Optional, Regexp

from taskforce.forms import (
    Editable,
    GovDateField,
    InYears,
    OptionalDate,
    line_field,
    max_length,
    strip,
    text_field,
)
from taskforce.registers.models import REF_PATTERN

_LEVELS = [("Low", "Low"), ("Medium", "Medium"), ("High", "High")]


class RiskForm(Editable, FlaskForm):
    ref = StringField(
        "Reference",
        widget=GovTextInput(),
        filters=[strip],
        description="For example, R07",
        validators=[
            InputRequired(message="Enter a reference"),
            max_length("Reference", 20),
            Regexp(REF_PATTERN, message="Use letters, numbers and . _ / - only"),
        ],
    )
    description = text_field("Risk", 2000, message="Describe the risk")
    likelihood = RadioField(
        "Likelihood",
        widget=GovRadioInput(),
        choices=_LEVELS,
        validators=[InputRequired(message="Choose the likelihood")],
    )
    impact = RadioField(
        "Impact",
        widget=GovRadioInput(),
        choices=_LEVELS,
        validators=[InputRequired(message="Choose the impact")],
    )
    impact_statement = text_field("Impact statement", 2000, required=False)
    mitigation = text_field("Mitigation", 2000, required=False)
    owner = line_field("Owner", 200)
    review_on = GovDateField(
        "Review date (optional)", widget=GovDateInput(), validators=[OptionalDate(), InYears()]
    )
    trend = SelectField(
        "Trend",
        widget=GovSelect(),
        choices=[
            ("", "Not set"),
            ("rising", "Rising"),
            ("steady", "Steady"),
            ("falling", "Falling"),
        ],
        validators=[Optional()],
    )
    submit = SubmitField("Add the risk", widget=GovSubmitInput())


class BenefitForm(Editable, FlaskForm):
    benefit = text_field("Benefit", 2000)
    measure = line_field("Measure", 300, required=True)
    baseline = line_field("Baseline", 100)
    target = line_field("Target", 100)
    realised = line_field("Realised to date", 100)
    owner = line_field("Owner", 200)
    submit = SubmitField("Add the benefit", widget=GovSubmitInput())


class MilestoneForm(Editable, FlaskForm):
    activity = text_field("Activity", 2000)
    starts_on = GovDateField(
        "Start (optional)", widget=GovDateInput(), validators=[OptionalDate(), InYears()]
    )
    ends_on = GovDateField(
        "End",
        widget=GovDateInput(),
        validators=[InputRequired(message="Enter the end date"), InYears()],
    )
    status = SelectField(
        "Status",
        widget=GovSelect(),
        choices=[
            ("not_started", "Not started"),
            ("on_track", "On track"),
            ("at_risk", "At risk"),
            ("late", "Late"),
            ("complete", "Complete"),
        ],
    )
    owner = line_field("Owner", 200)
    submit = SubmitField("Add the milestone", widget=GovSubmitInput())


class DecisionForm(Editable, FlaskForm):
    decided_on = GovDateField(
        "Date of the decision",
        widget=GovDateInput(),
        validators=[InputRequired(message="Enter the date"), InYears()],
    )
    text = text_field("Decision", 5000)
    submit = SubmitField("Add the decision", widget=GovSubmitInput())

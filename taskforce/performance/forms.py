"""Forms for indicators, actuals, imports and delivery assessments."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    DecimalField,
    RadioField,
    SelectField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    InputRequired,
    NumberRange,
    Optional,
    StopValidation,
)
from wtforms.validators import ValidationError as FieldError

from taskforce.forms import (
    CharacterCount,
    Editable,
    GovDateField,
    InYears,
    NoControlCharacters,
    line_field,
    max_length,
    strip,
)


def parse_points(text: str) -> list[dict[str, str]]:
    """Read "period, value" lines (or tab-separated, as pasted from a spreadsheet).

    Each point keeps its line number, so later errors can name the line a person sees.
    The service checks each value's size and places, as it does for the API, naming the
    line; it knows which values are already stored and need no check again.
    """
    points = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("\t", ",").split(",", 1)]
        if len(parts) != 2 or not parts[1]:
            raise FieldError(f"Line {number}: write a period and a value, like 2027-03, 1200")
        raw = parts[1].replace(" ", "")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise FieldError(f"Line {number}: {parts[1]!r} is not a number") from None
        if not value.is_finite():
            raise FieldError(f"Line {number}: the value is not a finite number")
        points.append({"period": parts[0], "value": raw, "line": number})
    return points


class FiniteNumber:
    """Stop at NaN or infinity before any range check tries to compare them."""

    def __call__(self, form, field):
        if field.data is not None and not field.data.is_finite():
            field.errors[:] = []
            raise StopValidation("Enter a number")


class IndicatorForm(Editable, FlaskForm):
    name = line_field("Name", 200, required=True)
    unit = line_field("Unit", 40, description="For example, starts, people or %")
    frequency = RadioField(
        "How often is it reported?",
        widget=GovRadioInput(),
        choices=[("weekly", "Weekly"), ("monthly", "Monthly"), ("quarterly", "Quarterly")],
        validators=[InputRequired(message="Choose how often it is reported")],
    )
    direction = RadioField(
        "Which way is good?",
        widget=GovRadioInput(),
        choices=[("up", "Higher is better"), ("down", "Lower is better")],
        validators=[InputRequired(message="Choose which way is good")],
    )
    tolerance_pct = DecimalField(
        "Tolerance",
        widget=GovTextInput(),
        default=Decimal(5),
        description="How far below trajectory, as a percentage of it, is still amber",
        places=2,
        validators=[
            InputRequired(message="Enter the tolerance"),
            FiniteNumber(),
            NumberRange(0, 100, message="Give a percentage from 0 to 100"),
        ],
    )
    priority = SelectField("Priority it tracks (optional)", widget=GovSelect(), coerce=str)
    source = line_field("Source", 200, description="Where the figures come from")
    owner = line_field("Owner", 200)
    trajectory = TextAreaField(
        "Trajectory (optional)",
        widget=GovTextArea(),
        description="One period and planned value a line, like 2027-03, 1200. "
        "You can paste two columns from a spreadsheet.",
        validators=[Optional(), max_length("Trajectory", 20000), NoControlCharacters("Trajectory")],
    )
    submit = SubmitField("Add the indicator", widget=GovSubmitInput())

    def validate_trajectory(self, field):
        self.points = parse_points(field.data)


class ActualsForm(FlaskForm):
    actuals = TextAreaField(
        "Actuals",
        widget=GovTextArea(),
        description="One period and value a line, like 2027-03, 1185. A period already "
        "reported is corrected, and the old value kept in its history.",
        validators=[
            InputRequired(message="Enter at least one period and value"),
            max_length("Actuals", 20000),
            NoControlCharacters("Actuals"),
        ],
    )
    submit = SubmitField("Record the actuals", widget=GovSubmitInput())

    def validate_actuals(self, field):
        self.points = parse_points(field.data)


class ImportForm(FlaskForm):
    file = FileField(
        "Upload a file",
        widget=GovFileInput(),
        description="CSV (UTF-8) or Excel (.xlsx) with indicator, period and value columns",
    )
    submit = SubmitField("Import", widget=GovSubmitInput())


_RATING_CHOICES = [("R", "Red"), ("AR", "Amber/Red"), ("AG", "Amber/Green"), ("G", "Green")]


def _rating(label: str) -> RadioField:
    return RadioField(
        label,
        widget=GovRadioInput(),
        choices=_RATING_CHOICES,
        validators=[InputRequired(message=f"Choose a rating for {label.lower()}")],
    )


class AssessmentForm(Editable, FlaskForm):
    priority = SelectField(
        "Priority",
        widget=GovSelect(),
        coerce=str,
        validators=[InputRequired(message="Choose the priority")],
    )
    assessed_on = GovDateField(
        "Date of the assessment",
        widget=GovDateInput(),
        validators=[InputRequired(message="Enter the date of the assessment"), InYears()],
    )
    degree_of_challenge = RadioField(
        "Degree of challenge",
        widget=GovRadioInput(),
        choices=[("H", "High"), ("M", "Medium"), ("L", "Low")],
        validators=[InputRequired(message="Choose the degree of challenge")],
    )
    quality_of_planning = _rating("Quality of planning, implementation and performance management")
    capacity_to_drive_progress = _rating("Capacity to drive progress")
    stage_of_delivery = RadioField(
        "Stage of delivery",
        widget=GovRadioInput(),
        coerce=int,
        choices=[
            (1, "1 Policy development"),
            (2, "2 Implementation"),
            (3, "3 Embedding change"),
            (4, "4 Irreversible progress"),
        ],
        validators=[InputRequired(message="Choose the stage of delivery")],
    )
    likelihood_of_delivery = _rating("Likelihood of delivery")
    rationale = TextAreaField(
        "Rationale",
        widget=CharacterCount(5000),
        filters=[strip],
        validators=[Optional(), max_length("Rationale", 5000), NoControlCharacters("Rationale")],
    )
    submit = SubmitField("Record the assessment", widget=GovSubmitInput())

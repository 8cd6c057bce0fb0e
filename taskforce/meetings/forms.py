"""Forms for scheduling, changing and cancelling meetings and recording attendance."""

from __future__ import annotations

from datetime import datetime, time

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovDateInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.validators import ValidationError as FieldError

from taskforce.bodies.models import CADENCE_MAX, CADENCE_MIN
from taskforce.forms import (
    CharacterCount,
    GovDateField,
    LineField,
    NoControlCharacters,
    SingleLine,
    line_field,
    max_length,
    strip,
    working_day_offsets_form,
)
from taskforce.meetings.cycle import MILESTONE_LABELS, OFFSET_LIMIT
from taskforce.meetings.models import DEPUTY_NAME_MAX, LOCATION_MAX, REASON_MAX, TITLE_MAX
from taskforce.meetings.services import COUNT_MAX, DURATION_MAX, DURATION_MIN

TIME_PATTERN = r"^([01]?\d|2[0-3])[:.]([0-5]\d)$"


def _time_field(label: str, **kwargs) -> StringField:
    return StringField(
        label,
        widget=GovTextInput(),
        filters=[strip],
        description="24-hour clock, UK time. For example, 14:30",
        validators=[
            InputRequired(message="Enter a start time, like 14:30"),
            Regexp(TIME_PATTERN, message="Enter the time on the 24-hour clock, like 14:30"),
        ],
        **kwargs,
    )


def combine(day, clock: str) -> datetime:
    hours, minutes = clock.replace(".", ":").split(":")
    return datetime.combine(day, time(int(hours), int(minutes)))


class _MeetingFields(FlaskForm):
    duration_minutes = IntegerField(
        "Length",
        widget=GovTextInput(),
        default=90,
        validators=[
            InputRequired(message="Enter how long the meeting lasts, in minutes"),
            NumberRange(
                DURATION_MIN,
                DURATION_MAX,
                message=f"A meeting lasts from {DURATION_MIN} to {DURATION_MAX} minutes",
            ),
        ],
    )
    location = LineField(
        "Location",
        widget=GovTextInput(),
        filters=[strip],
        description="A room and building, or a video-call link",
        validators=[max_length("Location", LOCATION_MAX), SingleLine("Location")],
    )


class ScheduleForm(_MeetingFields):
    first_date = GovDateField(
        "Date of the first meeting",
        widget=GovDateInput(),
        description="For example, 12 1 2027",
        validators=[InputRequired(message="Enter the date of the first meeting")],
    )
    start_time = _time_field("Start time")
    count = IntegerField(
        "How many meetings",
        widget=GovTextInput(),
        default=6,
        validators=[
            InputRequired(message="Enter how many meetings to schedule"),
            NumberRange(1, COUNT_MAX, message=f"Schedule from 1 to {COUNT_MAX} meetings"),
        ],
    )
    cadence_weeks = IntegerField(
        "Weeks between meetings",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the number of weeks between meetings"),
            NumberRange(
                CADENCE_MIN,
                CADENCE_MAX,
                message=f"Cadence must be from {CADENCE_MIN} to {CADENCE_MAX} weeks",
            ),
        ],
    )
    record_history = BooleanField("These meetings have already happened", widget=GovCheckboxInput())
    submit = SubmitField("Schedule meetings", widget=GovSubmitInput())


class MeetingForm(_MeetingFields):
    title = line_field("Title", TITLE_MAX, required=True, message="Enter a title")
    date = GovDateField(
        "Date", widget=GovDateInput(), validators=[InputRequired(message="Enter the date")]
    )
    start_time = _time_field("Start time")
    version = HiddenField()
    submit = SubmitField("Save and send updates", widget=GovSubmitInput())


class CancelForm(FlaskForm):
    reason = TextAreaField(
        "Reason (optional)",
        widget=CharacterCount(REASON_MAX),
        description="Members see this in the cancellation",
        validators=[Optional(), max_length("Reason", REASON_MAX), NoControlCharacters("Reason")],
    )
    submit = SubmitField("Cancel the meeting", widget=GovSubmitInput())


class ApologiesForm(FlaskForm):
    """A member's own apologies for a meeting, or the deputy coming in their place.

    The page has two forms: one that sends apologies (its token alone) and one that names a
    deputy (deputy "yes" and the name), so pressing Enter in the name box names the deputy.
    """

    deputy = HiddenField()
    deputy_name = LineField(
        "Your deputy's name",
        widget=GovTextInput(),
        filters=[strip],
        description="The secretariat records them as attending in your place",
        validators=[Length(max=DEPUTY_NAME_MAX), SingleLine("Your deputy's name")],
    )

    @property
    def names_deputy(self) -> bool:
        return self.deputy.data == "yes"

    def validate_deputy_name(self, field) -> None:
        if self.names_deputy and not field.data:
            raise FieldError("Enter your deputy's name")


#: A task force's milestone offsets, one field per milestone.
CycleForm = working_day_offsets_form("CycleForm", MILESTONE_LABELS, OFFSET_LIMIT, "Save the cycle")

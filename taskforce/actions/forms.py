"""Forms for allocating and updating actions, for the tracker's filters and for owners."""

from __future__ import annotations

from datetime import date, timedelta

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional, ValidationError

from taskforce.actions.ladder import LADDER_LIMIT, STEP_LABELS
from taskforce.actions.models import COMMENT_MAX, DESCRIPTION_MAX, ActionStatus
from taskforce.clock import today
from taskforce.forms import (
    GovDateField,
    InYears,
    LineField,
    OptionalDate,
    SingleLine,
    email_field,
    line_field,
    max_length,
    strip,
    text_field,
    working_day_offsets_form,
)

_WHO_DECIDES = {
    ActionStatus.COMPLETE: " (owner says done)",
    ActionStatus.CLOSED: " (agreed done)",
}
#: Status choices on the secretariat's form, with who decides where that is not obvious.
STATUS_CHOICES = [
    (status.value, status.label + _WHO_DECIDES.get(status, "")) for status in ActionStatus
]


#: A due date further back than this is asked about before it is saved: more likely a slip
#: of the year than an action really agreed that late.
LONG_PAST = timedelta(days=30)
CONFIRM_PAST_DUE = "Yes, the due date is in the past"


class LongPastConfirmed:
    """Refuse a due date more than LONG_PAST ago until the form's confirm_past_due box is
    ticked; the page then shows the box beside the error. A date left as it was saved
    (form.saved_due, on the edit form) is not asked about again."""

    def __call__(self, form, field):
        if field.errors or field.data is None or field.data == getattr(form, "saved_due", None):
            return  # said already (not a real date, or out of range), or kept as it was
        if field.data < today() - LONG_PAST:
            form.asks_past_due = True
            if not form.confirm_past_due.data:
                raise ValidationError(
                    f"The due date is more than {LONG_PAST.days} days ago. Check it, or tick "
                    f"“{CONFIRM_PAST_DUE}”"
                )


def _confirm_past_due() -> BooleanField:
    return BooleanField(CONFIRM_PAST_DUE, widget=GovCheckboxInput())


def _comment(description: str = "") -> TextAreaField:
    return text_field("Comment", COMMENT_MAX, required=False, description=description)


class ActionCreateForm(FlaskForm):
    meeting_id = SelectField(
        "Meeting that agreed it",
        widget=GovSelect(),
        coerce=str,
        description="Choose “Between meetings” for an action agreed by correspondence",
    )
    description = text_field("Action", DESCRIPTION_MAX, message="Describe the action")
    owner_name = line_field("Owner's name", 120, required=True)
    owner_email = email_field(
        "Owner's email address",
        required=True,
        description="Reminders, chases and their update link go here. They need no account.",
    )
    owner_organisation = line_field("Owner's organisation", 200)
    due_date = GovDateField(
        "Due date",
        widget=GovDateInput(),
        description="For example, 27 3 2027",
        validators=[InputRequired(message="Enter the due date"), InYears(), LongPastConfirmed()],
    )
    confirm_past_due = _confirm_past_due()
    send_link = BooleanField(
        "Email the owner now, with a link to update it",
        widget=GovCheckboxInput(),
        default=True,
    )
    submit = SubmitField("Allocate the action", widget=GovSubmitInput())
    #: Whether the due date is long past, so the page shows the box to confirm it.
    asks_past_due = False


class ActionUpdateForm(FlaskForm):
    version = HiddenField()
    status = SelectField(
        "Status",
        widget=GovSelect(),
        choices=STATUS_CHOICES,
        validators=[InputRequired()],
    )
    due_date = GovDateField(
        "Due date",
        widget=GovDateInput(),
        validators=[InputRequired(message="Enter the due date"), InYears(), LongPastConfirmed()],
    )
    confirm_past_due = _confirm_past_due()
    description = text_field("Action", DESCRIPTION_MAX, message="Describe the action")
    comment = _comment("Required when dropping an action: say why")
    submit = SubmitField("Save the update", widget=GovSubmitInput())
    asks_past_due = False
    #: The due date as saved: keeping it is never asked about, however long past.
    saved_due: date | None = None


class ProposalForm(FlaskForm):
    version = HiddenField()
    decision = HiddenField()
    comment = _comment()


class OwnerUpdateForm(FlaskForm):
    """What an owner may do from an emailed link: progress, complete, a new date, a comment."""

    action_id = HiddenField()
    version = HiddenField()
    status = RadioField(
        "How is it going?",
        widget=GovRadioInput(),
        choices=[
            (ActionStatus.IN_PROGRESS.value, ActionStatus.IN_PROGRESS.label),
            (ActionStatus.COMPLETE.value, "Complete: I have done it"),
        ],
        validators=[Optional()],
    )
    due_date = GovDateField(
        "Propose a new due date (optional)",
        widget=GovDateInput(),
        description="The secretariat will confirm it. For example, 27 3 2027",
        validators=[OptionalDate(), InYears()],
    )
    comment = _comment("For example, what is done and what is left")
    submit = SubmitField("Send update", widget=GovSubmitInput())


#: A task force's chasing ladder, one field per step.
LadderForm = working_day_offsets_form("LadderForm", STEP_LABELS, LADDER_LIMIT, "Save the ladder")


class FilterForm(FlaskForm):
    """The tracker's filters, read from the query string (no CSRF: GET changes nothing)."""

    class Meta:
        csrf = False

    status = SelectMultipleField(
        "Status",
        widget=GovCheckboxesInput(),
        choices=[(status.value, status.label) for status in ActionStatus],
        validators=[Optional()],
    )
    overdue = BooleanField("Overdue only", widget=GovCheckboxInput())
    owner = LineField(
        "Owner",
        widget=GovTextInput(),
        filters=[strip],
        description="Part of a name or email address",
        validators=[Optional(), max_length("Owner", 254), SingleLine("Owner")],
    )
    organisation = SelectField("Organisation", widget=GovSelect(), validators=[Optional()])
    meeting = SelectField("Meeting", widget=GovSelect(), validators=[Optional()])
    taskforce = SelectField("Task force", widget=GovSelect(), validators=[Optional()])
    sort = SelectField(
        "Sort by",
        widget=GovSelect(),
        choices=[
            ("due", "Due date, soonest first"),
            ("-due", "Due date, latest first"),
            ("reference", "Reference"),
        ],
        validators=[Optional()],
    )
    submit = SubmitField("Apply filters", widget=GovSubmitInput())

"""Forms for agenda items, papers and commissioning; the rules are the services' own."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovDateInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from taskforce.agenda.models import (
    DURATION_MAX,
    DURATION_MIN,
    LEAD_MAX,
    MARKDOWN_MAX,
    TITLE_MAX,
    Purpose,
)
from taskforce.forms import (
    Editable,
    GovDateField,
    InYears,
    NoControlCharacters,
    OptionalDate,
    SafeMarkdown,
    email_field,
    line_field,
)

PURPOSE_CHOICES = [(p.value, p.label) for p in Purpose]


class MinutesField(IntegerField):
    """Whole minutes, with a message people understand when it is not a number."""

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0].strip():
            try:
                self.data = int(valuelist[0].strip())
            except ValueError:
                self.data = None
                raise ValueError(
                    "Enter the time the item takes in whole minutes, like 15"
                ) from None


class ItemForm(Editable, FlaskForm):
    title = line_field("Title", TITLE_MAX, required=True, message="Enter the item's title")
    lead_member_id = SelectField(
        "Lead",
        widget=GovSelect(),
        description="The member who introduces the item",
        validators=[Optional()],
    )
    lead_name = line_field(
        "Lead, if not a member", LEAD_MAX, description="For example, a director invited for it"
    )
    purpose = RadioField(
        "The meeting is asked to consider it",
        widget=GovRadioInput(),
        choices=PURPOSE_CHOICES,
        default=Purpose.DISCUSSION.value,
        validators=[InputRequired(message="Choose what the meeting is asked to do")],
    )
    duration_minutes = MinutesField(
        "Time (minutes)",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the time the item takes in minutes"),
            NumberRange(
                DURATION_MIN,
                DURATION_MAX,
                message=f"An item takes from {DURATION_MIN} minute to {DURATION_MAX // 60} hours "
                f"({DURATION_MAX} minutes)",
            ),
        ],
    )
    paper_lead_email = email_field(
        "Paper lead's email address",
        description="Who writes the paper; commission it from the papers page",
    )
    paper = TextAreaField(
        "Paper, written here (optional)",
        widget=GovTextArea(),
        description="In Markdown: **bold**, - lists, | tables |. Saving a change keeps the "
        "earlier text as a version. Or upload a Word document or PDF instead.",
        validators=[
            Optional(),
            Length(max=MARKDOWN_MAX),
            NoControlCharacters("The paper"),
            SafeMarkdown(),
        ],
    )
    restricted = BooleanField(
        "Restricted: only named recipients may see its paper",
        widget=GovCheckboxInput(),
        description="For commercial, personnel or market-sensitive papers. They are left out "
        "of everyone else's pack.",
    )
    restricted_to = SelectMultipleField(
        "Recipients of the restricted paper",
        widget=GovCheckboxesInput(),
        coerce=int,
        validators=[Optional()],
    )
    submit = SubmitField("Save the item", widget=GovSubmitInput())

    def service_data(self) -> dict:
        lead_member = int(self.lead_member_id.data) if self.lead_member_id.data else None
        data = {
            "title": self.title.data,
            "lead_member_id": lead_member,
            "lead_name": "" if lead_member else (self.lead_name.data or ""),
            "purpose": self.purpose.data,
            "duration_minutes": self.duration_minutes.data,
            "paper_lead_email": self.paper_lead_email.data or "",
            "restricted": bool(self.restricted.data),
            "restricted_to": list(self.restricted_to.data or []),
        }
        if self.paper.data:
            data["paper"] = self.paper.data
        return data


class MoveForm(FlaskForm):
    direction = HiddenField()


class CommissionForm(FlaskForm):
    paper_lead_email = email_field(
        "Paper lead's email address",
        required=True,
        description="They need no account: the email gives them a personal link to upload it",
    )
    due_on = GovDateField(
        "Due date",
        widget=GovDateInput(),
        description="The papers deadline unless you change it. For example, 27 3 2027",
        validators=[OptionalDate(), InYears()],
    )
    submit = SubmitField("Send the request", widget=GovSubmitInput())


class UploadForm(FlaskForm):
    file = FileField(
        "Upload the paper",
        widget=GovFileInput(),
        description="A Word document (.docx) or a PDF",
    )
    submit = SubmitField("Upload", widget=GovSubmitInput())


class LeadUploadForm(UploadForm):
    """The paper lead's form: which paper it is for, so a link cannot reach another."""

    paper_id = HiddenField()
    submit = SubmitField("Upload the paper", widget=GovSubmitInput())

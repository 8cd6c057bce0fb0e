"""Forms for task forces and members; the rules mirror bodies/schemas.py for the API."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovDateInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    InputRequired,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from taskforce.bodies.models import (
    CADENCE_MAX,
    CADENCE_MIN,
    CODE_PATTERN,
    NAME_MAX,
    ORGANISATION_MAX,
    PERSON_NAME_MAX,
    PRIORITIES_MAX,
    PRIORITY_MAX,
    PURPOSE_MAX,
    QUORUM_MAX,
    ROLE_TITLE_MAX,
    MemberGroup,
)
from taskforce.forms import (
    CharacterCount,
    Editable,
    GovDateField,
    LineField,
    NoControlCharacters,
    SafeMarkdown,
    SingleLine,
    email_field,
    max_length,
    strip,
)
from taskforce.text import one_line_problem


def _upper(value):
    return value.strip().upper() if isinstance(value, str) else value


def priorities_from_text(text: str | None) -> list[str]:
    """One priority per line; blank lines and list bullets are ignored."""
    titles = []
    for line in (text or "").splitlines():
        title = line.strip().lstrip("-*•").strip()
        if title and title not in titles:
            titles.append(title)
    return titles


class PrioritiesText:
    def __call__(self, form, field):
        titles = priorities_from_text(field.data)
        if len(titles) > PRIORITIES_MAX:
            raise ValidationError(f"List at most {PRIORITIES_MAX} priorities")
        too_long = [t for t in titles if len(t) > PRIORITY_MAX]
        if too_long:
            raise ValidationError(
                f"Each priority must be {PRIORITY_MAX} characters or fewer: "
                f"shorten “{too_long[0][:40]}…”"
            )
        # Each line becomes a one-line title: what splitting into lines leaves (a tab, a
        # control character) must pass the one-line rule like any other title.
        for title in titles:
            if problem := one_line_problem(title):
                raise ValidationError(f"Each priority {problem}")


class TaskForceForm(Editable, FlaskForm):
    name = LineField(
        "Name",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            InputRequired(message="Enter the task force's name"),
            max_length("Name", NAME_MAX),
            SingleLine("Name"),
        ],
    )
    code = StringField(
        "Code",
        widget=GovTextInput(),
        filters=[_upper],
        description="2 to 8 capital letters, used in action references such as SW-3/14",
        validators=[
            InputRequired(message="Enter a code"),
            Regexp(CODE_PATTERN, message="Code must be 2 to 8 capital letters, like SW"),
        ],
    )
    purpose = TextAreaField(
        "Purpose",
        widget=CharacterCount(PURPOSE_MAX),
        description="What the task force is for. You can use Markdown: **bold**, lists, links.",
        validators=[
            max_length("Purpose", PURPOSE_MAX),
            NoControlCharacters("Purpose"),
            SafeMarkdown(),
        ],
    )
    priorities = TextAreaField(
        "Priorities tracked",
        widget=GovTextArea(),
        description="The policies or objectives whose delivery it tracks, one per line",
        validators=[PrioritiesText(), NoControlCharacters("Priorities")],
    )
    cadence_weeks = IntegerField(
        "Meets every (weeks)",
        widget=GovTextInput(),
        default=6,
        validators=[
            InputRequired(message="Enter how many weeks apart meetings are, like 6"),
            NumberRange(
                CADENCE_MIN,
                CADENCE_MAX,
                message=f"Cadence must be from {CADENCE_MIN} to {CADENCE_MAX} weeks",
            ),
        ],
    )
    quorum = IntegerField(
        "Quorum (optional)",
        widget=GovTextInput(),
        description="How many members must attend for the meeting to be quorate",
        validators=[
            Optional(),
            NumberRange(1, QUORUM_MAX, message=f"Quorum must be from 1 to {QUORUM_MAX}"),
        ],
    )
    review_on = GovDateField(
        "Review date (optional)",
        widget=GovDateInput(),
        description="When the terms of reference are next to be re-agreed. For example, 27 3 2027",
        validators=[Optional()],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    @classmethod
    def editing(cls, tf) -> TaskForceForm:
        """The form filled from a task force; its priorities (rows) become lines of text."""
        fields = ("name", "code", "purpose", "cadence_weeks", "quorum", "review_on")
        return cls(
            data={
                **{f: getattr(tf, f) for f in fields},
                "priorities": "\n".join(p.title for p in tf.priorities),
                "version": str(tf.version),
            }
        )

    def data_for_service(self) -> dict:
        return {
            "name": self.name.data,
            "code": self.code.data,
            "purpose": self.purpose.data or "",
            "priorities": priorities_from_text(self.priorities.data),
            "cadence_weeks": self.cadence_weeks.data,
            "quorum": self.quorum.data,
            "review_on": self.review_on.data,
        }


class MemberForm(Editable, FlaskForm):
    name = LineField(
        "Full name",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            InputRequired(message="Enter the member's full name"),
            max_length("Name", PERSON_NAME_MAX),
            SingleLine("Name"),
        ],
    )
    email = email_field(
        "Email address",
        required=True,
        message="Enter the member's email address",
        description="Invites, packs and minutes go here",
    )
    role_title = LineField(
        "Role title",
        widget=GovTextInput(),
        filters=[strip],
        description="For example, Minister of State for Skills",
        validators=[
            max_length("Role title", ROLE_TITLE_MAX),
            SingleLine("Role title"),
        ],
    )
    organisation = LineField(
        "Organisation",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            max_length("Organisation", ORGANISATION_MAX),
            SingleLine("Organisation"),
        ],
    )
    group = RadioField(
        "Group",
        widget=GovRadioInput(),
        choices=[
            (g.value, g.label[:-1] if g.label.endswith("s") else g.label) for g in MemberGroup
        ],
        default=MemberGroup.OFFICIAL.value,
        validators=[InputRequired(message="Choose the member's group")],
    )
    is_chair = BooleanField("Chairs the task force", widget=GovCheckboxInput())
    on_distribution = BooleanField(
        "On the distribution list for minutes", widget=GovCheckboxInput(), default=True
    )
    submit = SubmitField("Save member", widget=GovSubmitInput())

    def data_for_service(self) -> dict:
        return {
            "name": self.name.data,
            "email": self.email.data,
            "role_title": self.role_title.data or "",
            "organisation": self.organisation.data or "",
            "group": self.group.data,
            "is_chair": bool(self.is_chair.data),
            "on_distribution": bool(self.on_distribution.data),
        }


class ConfirmForm(FlaskForm):
    submit = SubmitField("Remove member", widget=GovSubmitInput())

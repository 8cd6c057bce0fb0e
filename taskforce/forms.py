"""Validators and fields every form shares."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovSubmitInput, GovTextInput
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from taskforce.auth.models import EMAIL_MAX
from taskforce.markdown import markdown_problem
from taskforce.text import (
    YEARS,
    address_problem,
    expected_version,
    multi_line_problem,
    normalise_newlines,
    one_line,
    one_line_problem,
)


def max_length(label: str, limit: int) -> Length:
    """At most limit characters, in a message that names the field: WTForms' own ("Field
    cannot be longer than 2000 characters") says neither which field nor in our style."""
    return Length(max=limit, message=f"{label} must be {limit:,} characters or fewer")


class CharacterCount(GovCharacterCount):
    """A text area with GOV.UK's character count: it says how many characters are left as
    the user types (static/js/app.mjs starts it), and how many too many."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        params.setdefault("maxlength", self.limit)
        return params


class ButtonForm(FlaskForm):
    """A one-button form (send, withdraw, retry): its CSRF token is its only field."""

    submit = SubmitField("Continue", widget=GovSubmitInput())


class SingleLine:
    """Refuse line breaks of every kind, tabs and control characters in a one-line field
    (the rule is text.one_line_problem, which the API's Line applies too)."""

    def __init__(self, label: str):
        self.label = label

    def __call__(self, form, field):
        if isinstance(field.data, str) and (problem := one_line_problem(field.data)):
            raise ValidationError(f"{self.label} {problem}")


class LineField(StringField):
    """A one-line text box. A stored value from before the one-line rule is redrawn on one
    line (each line break a space), so saving the form puts it right."""

    def _value(self) -> str:
        return one_line(super()._value())


class NoControlCharacters:
    """For text over several lines: Unicode's line and paragraph separators and NEL become
    plain newlines (text.normalise_newlines), and any other control character but tab, LF
    and CR is refused."""

    def __init__(self, label: str):
        self.label = label

    def __call__(self, form, field):
        if not isinstance(field.data, str):
            return
        field.data = normalise_newlines(field.data)
        if problem := multi_line_problem(field.data):
            raise ValidationError(f"{self.label} {problem}")


class Deliverable:
    """An address mail can be sent to (text.address_problem, the API's rule too)."""

    def __call__(self, form, field):
        if isinstance(field.data, str) and (problem := address_problem(field.data)):
            raise ValidationError(problem)


class EmailAddress:
    """An email address in the correct format that mail can be sent to; its domain is not
    looked up. The address rule every form where one is typed shares."""

    def __init__(self):
        self.format = Email(
            message="Enter an email address in the correct format, like name@example.gov.uk",
            check_deliverability=False,
        )

    def __call__(self, form, field):
        # Said first: the format check's message would not say what is wrong with "zoë@…".
        Deliverable()(form, field)
        self.format(form, field)


def email_format() -> EmailAddress:
    """An email address in the correct format that mail can reach (see EmailAddress)."""
    return EmailAddress()


def strip(value):
    return value.strip() if isinstance(value, str) else value


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class GovDateField(DateField):
    """A day, month and year in three boxes, with an error message people understand."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", "%d %m %Y")
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            self.raw_data = ["", "", ""]  # not posted at all: three empty boxes to redraw
            return
        if len(valuelist) == 1 and ISO_DATE.fullmatch(valuelist[0].strip()):
            # One ISO value (a native date input, or a script posting the form) is fine too.
            year, month, day = valuelist[0].strip().split("-")
            valuelist = self.raw_data = [day, month, year]
        if valuelist and len(valuelist) != 3:
            # The widget redraws three boxes from raw_data: give it three, then say why.
            self.raw_data = [*valuelist, "", "", ""][:3]
            raise ValueError(f"{self.label.text.split(' (')[0]} must be a day, month and year")
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(
                f"{self.label.text.split(' (')[0]} must be a real date, like 30 9 2027"
            ) from exc


class OptionalDate:
    """Like Optional, for three date boxes: empty only when all three are empty."""

    field_flags = {"optional": True}

    def __call__(self, form, field):
        if not any((part or "").strip() for part in (field.raw_data or [])):
            field.errors[:] = []
            raise StopValidation()


class InYears:
    """A date within the years the service works with (see text.YEARS)."""

    def __call__(self, form, field):
        if field.data is not None and field.data.year not in YEARS:
            label = field.label.text.split(" (")[0]
            raise ValidationError(f"{label} must be between {YEARS[0]} and {YEARS[-1]}")


class SafeMarkdown:
    def __call__(self, form, field):
        problem = markdown_problem(field.data)
        if problem:
            raise ValidationError(problem)


class Editable:
    """Mixed into a form that edits as well as adds: the version the page was drawn from,
    so a change made meanwhile by someone else is shown, not overwritten."""

    version = HiddenField()

    def expected_version(self) -> int:
        """The version the page was drawn from, as posted; -1 (a conflict) if it sent none."""
        return expected_version(self.version.data)

    def fields_for_data(self) -> list:
        return [f for f in self if f.name not in ("csrf_token", "submit", "version")]

    def data_for_service(self) -> dict:
        """The form's values by field name, as the services take them."""
        return {f.name: f.data for f in self.fields_for_data()}


class RetireForm(FlaskForm):
    """One button that retires or reinstates (closes or reopens): retire is "yes" or "no"."""

    retire = HiddenField()
    version = HiddenField()


def working_day_offsets_form(
    name: str, labels: dict[str, str], limit: int, submit: str
) -> type[FlaskForm]:
    """A form of whole numbers of working days, one per key of `labels` (the cycle's
    milestones, the chasing ladder); its offsets() gives them back as a dict."""
    fields = {
        key: IntegerField(
            label,
            widget=GovTextInput(),
            validators=[
                InputRequired(message=f"Enter the working days for “{label}”"),
                NumberRange(-limit, limit, message=f"Give a number from -{limit} to {limit}"),
            ],
        )
        for key, label in labels.items()
    }

    def offsets(self) -> dict[str, int]:
        return {key: self[key].data for key in labels}

    return type(
        name,
        (FlaskForm,),
        {**fields, "submit": SubmitField(submit, widget=GovSubmitInput()), "offsets": offsets},
    )


def _typed_field(field, label: str, limit: int, rule, *, required: bool, message: str, **kw):
    """A stripped, length-limited field of this class whose text must pass rule. A required
    one asks for itself ("Enter the title"); an optional one says so in its label."""
    presence = (
        InputRequired(message=message or f"Enter the {label.lower()}") if required else Optional()
    )
    kw.setdefault("widget", GovTextInput())
    return field(
        label if required else f"{label} (optional)",
        filters=[strip],
        validators=[presence, max_length(label, limit), rule],
        **kw,
    )


def line_field(
    label: str, limit: int, *, required: bool = False, message: str = "", **kw
) -> LineField:
    """A one-line text field: stripped, length-limited, no line breaks or control characters.
    Optional ones say so in their label."""
    return _typed_field(
        LineField, label, limit, SingleLine(label), required=required, message=message, **kw
    )


def text_field(
    label: str, limit: int, *, required: bool = True, message: str = "", **kw
) -> TextAreaField:
    """Free text over several lines: stripped, length-limited (with a character count as it
    is typed), no control characters."""
    return _typed_field(
        TextAreaField,
        label,
        limit,
        NoControlCharacters(label),
        required=required,
        message=message,
        widget=CharacterCount(limit),
        **kw,
    )


def email_field(label: str, *, required: bool = False, message: str = "", **kw) -> EmailField:
    """An email address someone types: stripped, at most EMAIL_MAX characters, in a format
    mail can reach (email_format). Optional ones say so in their label."""
    return _typed_field(
        EmailField, label, EMAIL_MAX, email_format(), required=required, message=message, **kw
    )

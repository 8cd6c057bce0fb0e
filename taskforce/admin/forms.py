from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, PasswordField, RadioField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from taskforce.auth.models import NAME_MAX, Role
from taskforce.forms import LineField, SingleLine, email_field, max_length, strip

ROLE_HINTS = {
    Role.ADMIN: "Admin: everything, including users",
    Role.SECRETARIAT: "Secretariat: runs the task forces they create or serve",
    Role.CHAIR: "Chair: reads, and approves minutes of the task forces they chair",
    Role.MEMBER: "Member: reads what their task forces circulate",
}


class UserForm(FlaskForm):
    name = LineField(
        "Full name",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            InputRequired(message="Enter the person's full name"),
            max_length("Full name", NAME_MAX),
            SingleLine("Name"),
        ],
    )
    role = RadioField(
        "Role",
        widget=GovRadioInput(),
        choices=[(r.value, ROLE_HINTS[r]) for r in Role],
        validators=[InputRequired(message="Choose a role")],
    )
    active = BooleanField("Can sign in", widget=GovCheckboxInput(), default=True)
    password = PasswordField(
        "New password (optional)",
        widget=GovPasswordInput(),
        description="At least 12 characters. Leave blank to keep the current one.",
        validators=[
            Optional(),
            Length(min=12, max=200, message="Password must be 12 to 200 characters"),
        ],
    )
    submit = SubmitField("Save user", widget=GovSubmitInput())


class NewUserForm(UserForm):
    email = email_field(
        "Email address",
        required=True,
        message="Enter an email address",
        description="It links the user to their task-force memberships",
    )


class TokenForm(FlaskForm):
    label = LineField(
        "What is the token for?",
        widget=GovTextInput(),
        filters=[strip],
        description="For example, the reporting spreadsheet",
        validators=[max_length("Label", 120), SingleLine("Label")],
    )
    submit = SubmitField("Create token", widget=GovSubmitInput())

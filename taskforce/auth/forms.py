from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import InputRequired

from taskforce.auth.models import EMAIL_MAX
from taskforce.forms import SingleLine, max_length, strip


class LoginForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            InputRequired(message="Enter your email address"),
            max_length("Email address", EMAIL_MAX),
            SingleLine("Email address"),
        ],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your password"), max_length("Password", 200)],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())

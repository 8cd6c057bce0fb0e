"""Forms of the pack page: issuing (with its confirmation) and the protective marking."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import HiddenField, RadioField, SubmitField

from taskforce.forms import text_field
from taskforce.packs.models import CHANGE_NOTE_MAX, MARKINGS


class IssueForm(FlaskForm):
    change_note = text_field(
        "Change note",
        CHANGE_NOTE_MAX,
        required=False,
        description="Shown on the cover and in the email. For a re-issue, say why: the lines "
        "saying what changed on the agenda and in the papers are added for you",
    )
    #: The version the confirmation page offered to issue: another issued since is refused.
    version = HiddenField()
    submit = SubmitField("Issue the pack", widget=GovSubmitInput())


class MarkingForm(FlaskForm):
    marking = RadioField(
        "Protective marking",
        choices=[(m, m) for m in MARKINGS],
        widget=GovRadioInput(),
        description="It stands on the cover and at the top and bottom of every page",
    )
    submit = SubmitField("Save the marking", widget=GovSubmitInput())

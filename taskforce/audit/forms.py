"""The history page's filters."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from wtforms import SelectField, SubmitField
from wtforms.validators import Optional


class HistoryFilterForm(FlaskForm):
    """Which kind of record and whose changes, read from the query string (no CSRF: GET
    changes nothing). The view fills the choices from the history itself."""

    class Meta:
        csrf = False

    kind = SelectField("Kind of record", widget=GovSelect(), validators=[Optional()])
    person = SelectField("Changed by", widget=GovSelect(), validators=[Optional()])
    submit = SubmitField("Show changes", widget=GovSubmitInput())

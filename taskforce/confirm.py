"""A second step before a change that cannot be undone, or that disrupts other people.

The button that starts such a change is a link to a page (its GET changes nothing) that says
what will happen, with a warning and the real button. That button posts `confirm=yes`; a
POST without it (a page from before this step, a replayed request) is shown the same page
and changes nothing. Cancelling a meeting works this way with a form of its own (a reason);
the API, whose callers say exactly what they mean, acts at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import render_template
from flask_wtf import FlaskForm
from wtforms import HiddenField


@dataclass(frozen=True)
class Confirmation:
    """What the confirmation page says and what its button sends."""

    #: The question, as the page's title and heading: "Retire Apprenticeship starts?"
    question: str
    #: What the change belongs to, above the heading: a task force's name, say.
    caption: str
    #: What will happen, a paragraph each.
    consequences: tuple[str, ...]
    #: The warning beside the button: what cannot be undone, or how to put it right.
    warning: str
    #: The real button: "Yes, retire it".
    button: str
    #: Where "Back" and the way out lead: the page the change was started from.
    back: str
    #: The way out, said as what it keeps: "Keep the indicator".
    keep: str
    #: More values the button posts, as the page it was started from would have.
    fields: dict[str, str] = field(default_factory=dict)


class ConfirmForm(FlaskForm):
    """The confirmation page's form: its CSRF token and confirm=yes."""

    confirm = HiddenField()


def confirmed() -> bool:
    """True for a POST from a confirmation page's button."""
    form = ConfirmForm()
    return form.validate_on_submit() and form.confirm.data == "yes"


def ask(confirmation: Confirmation):
    """The confirmation page: nothing has changed yet."""
    return render_template("confirm.html", c=confirmation, form=ConfirmForm(formdata=None))

"""The shared rules for typed text (taskforce.text), as the web forms and the API apply them.

Every character that ends a line for email headers, iCalendar or str.splitlines(), and every
other C0 and C1 control, is refused in one-line text; multi-line text turns Unicode's line
and paragraph separators and NEL into "\\n" and refuses the other controls as before.
"""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError
from werkzeug.datastructures import MultiDict

from taskforce.forms import LineField, line_field, text_field
from taskforce.schemas import Line, Text
from taskforce.text import (
    LINE_BREAKS,
    multi_line_problem,
    normalise_newlines,
    one_line,
    one_line_problem,
    plain_lines,
)

#: What str.splitlines() breaks on, found rather than listed: the rule must cover them all.
SPLITLINES = [chr(c) for c in range(0x110000) if len(f"a{chr(c)}b".splitlines()) > 1]
C0_C1 = [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]]
#: Everything one-line text refuses: line breaks of every kind, tabs, every C0 and C1 control.
NOT_ON_ONE_LINE = sorted({*SPLITLINES, *C0_C1, "\u2028", "\u2029"})
#: Controls multi-line text refuses: all of the above but tab, LF, CR and those it normalises.
NOT_IN_TEXT = [c for c in NOT_ON_ONE_LINE if c not in "\t\n\r\x85\u2028\u2029"]


def test_line_breaks_are_exactly_what_splitlines_breaks_on():
    assert sorted(LINE_BREAKS) == sorted(SPLITLINES)


@pytest.mark.parametrize("char", NOT_ON_ONE_LINE, ids=lambda c: f"U+{ord(c):04X}")
def test_one_line_text_refuses_every_line_break_and_control(char):
    problem = one_line_problem(f"Before{char}after")
    assert problem
    if char in LINE_BREAKS:
        assert problem == "must be on one line"
    assert one_line(f"Before{char}after") == "Before after"


@pytest.mark.parametrize("char", NOT_ON_ONE_LINE, ids=lambda c: f"U+{ord(c):04X}")
def test_the_api_line_type_refuses_it_with_a_field_error(char):
    class Body(BaseModel):
        title: Line(200)

    with pytest.raises(ValidationError) as caught:
        Body(title=f"Before{char}after")
    [error] = caught.value.errors()
    assert error["loc"] == ("title",)
    assert error["msg"].startswith("Value error, This field must")


@pytest.mark.parametrize("char", NOT_ON_ONE_LINE, ids=lambda c: f"U+{ord(c):04X}")
def test_a_one_line_form_field_refuses_it_and_redraws_the_value_on_one_line(app, char):
    from flask_wtf import FlaskForm

    class Form(FlaskForm):
        class Meta:
            csrf = False

        title = line_field("Title", 200, required=True)

    with app.test_request_context(method="POST"):
        form = Form(formdata=MultiDict({"title": f"Before{char}after"}))
        assert not form.validate()
        [message] = form.title.errors
        assert message.startswith("Title must")
        assert isinstance(form.title, LineField)
        assert form.title._value() == "Before after"


def test_ordinary_one_line_text_passes_untouched():
    for value in ("Nia Roberts", "Zoë Ó Briain", "Room 1, 70 Whitehall", "東京 office", "A\u00a0B"):
        assert one_line_problem(value) is None
        assert one_line(value) == value


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029"], ids=lambda c: f"U+{ord(c):04X}")
def test_multi_line_text_turns_unicode_line_separators_into_newlines(app, char):
    from flask_wtf import FlaskForm

    class Body(BaseModel):
        text: Text(100)

    assert Body(text=f"One{char}two").text == "One\ntwo"

    class Form(FlaskForm):
        class Meta:
            csrf = False

        text = text_field("Text", 100)

    with app.test_request_context(method="POST"):
        form = Form(formdata=MultiDict({"text": f"One{char}two"}))
        assert form.validate(), form.errors
        assert form.text.data == "One\ntwo"


@pytest.mark.parametrize("char", NOT_IN_TEXT, ids=lambda c: f"U+{ord(c):04X}")
def test_multi_line_text_refuses_other_controls(app, char):
    from flask_wtf import FlaskForm

    class Body(BaseModel):
        text: Text(100)

    with pytest.raises(ValidationError):
        Body(text=f"One{char}two")
    assert multi_line_problem(normalise_newlines(f"One{char}two"))

    class Form(FlaskForm):
        class Meta:
            csrf = False

        text = text_field("Text", 100)

    with app.test_request_context(method="POST"):
        form = Form(formdata=MultiDict({"text": f"One{char}two"}))
        assert not form.validate()
        expected = f"Text must not contain control characters (it has U+{ord(char):04X})"
        assert form.text.errors == [expected]


def test_multi_line_text_keeps_ordinary_newlines_and_tabs():
    class Body(BaseModel):
        text: Text(100)

    assert Body(text="One\r\ntwo\n\tthree").text == "One\r\ntwo\n\tthree"


def test_plain_lines_makes_any_line_break_a_newline_and_drops_other_controls():
    assert plain_lines("One\u2028two\r\nthree\x0bfour\x07five") == "One\ntwo\nthree\nfour five"

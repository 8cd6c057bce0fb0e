"""Ordinary Markdown renders exactly as it did before rendering was bounded, and the table
processor that reads only the rows it needs finds exactly the tables the extension does."""

from __future__ import annotations

import json
from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taskforce.markdown import Tables, markdown_problem, render_markdown

#: Ordinary Markdown and the HTML render_markdown gave for it before the bounds.
EXAMPLES = json.loads((Path(__file__).parent / "markdown_examples.json").read_text("utf-8"))


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["name"] for e in EXAMPLES])
def test_ordinary_markdown_renders_exactly_as_before(example):
    assert markdown_problem(example["markdown"]) is None
    assert str(render_markdown(example["markdown"])) == example["html"]


# The table processor reads only the rows its test needs: the same tables, from any text.
_TABLE_LINES = ["|", "| a |", "a | b", "| a | b |", "---", "-", "|---|", "-|-", "|:--|--:|", "|-"]
_OTHER_LINES = ["-|", ":-:", "x", "", "# h", "=", "- a", "> q", "`|`", "a \\| b", "    c", " | "]
_TABLEISH = st.one_of(
    st.lists(st.sampled_from(_TABLE_LINES + _OTHER_LINES), max_size=6).map("\n".join),
    st.text(st.sampled_from(list("|-: x\n`\\#=*>1.")), max_size=40),
)


@settings(max_examples=400, deadline=None, database=None)
@given(text=_TABLEISH)
def test_the_table_processor_finds_exactly_the_tables_the_extension_does(text):
    extensions = ["sane_lists"]
    before = markdown.markdown(text, extensions=["tables", *extensions])
    after = markdown.markdown(text, extensions=[Tables(), *extensions])
    assert after == before

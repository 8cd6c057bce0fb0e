"""Markdown written by users, rendered to HTML that cannot run script."""

from __future__ import annotations

from functools import lru_cache
from itertools import chain

import markdown as _markdown
import nh3
from markdown.extensions.tables import PIPE_LEFT, PIPE_NONE, PIPE_RIGHT, TableExtension
from markdown.extensions.tables import TableProcessor as _TableProcessor
from markupsafe import Markup

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"align"},
    "th": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}

# A class per tag so the GOV.UK typography applies without trusting user-written classes.
_GOVUK_CLASSES = {
    "p": "govuk-body",
    "ul": "govuk-list govuk-list--bullet",
    "ol": "govuk-list govuk-list--number",
    "a": "govuk-link",
    "h1": "govuk-heading-l",
    "h2": "govuk-heading-m",
    "h3": "govuk-heading-s",
    "table": "govuk-table",
}


#: Python-Markdown's link parser is quadratic in unclosed brackets: more than this many
#: "[" in one text is refused, which no real purpose or paper comes near.
BRACKETS_MAX = 500


def markdown_problem(text: str | None) -> str | None:
    """Say why a Markdown text cannot be accepted, or None if it can."""
    if text and text.count("[") > BRACKETS_MAX:
        return f"Use at most {BRACKETS_MAX} square brackets ([) in one text"
    return None


class _Rows:
    """A block's rows (lines stripped of spaces) read one at a time, as far as wanted."""

    def __init__(self, block: str):
        self.block, self.start = block, 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.start > len(self.block):
            raise StopIteration
        end = self.block.find("\n", self.start)
        end = len(self.block) if end < 0 else end
        row, self.start = self.block[self.start : end], end + 1
        return row.strip(" ")


class TableProcessor(_TableProcessor):
    """The tables extension's processor, reading only the rows its test needs.

    Its test split the whole block into rows to look at the first two (and, for a table of
    one column, at each row until one has no border), and the block parser tests each block
    again after every line another processor takes from it. Same rules, same results.
    """

    def test(self, parent, block: str) -> bool:
        rows = _Rows(block)
        header0 = next(rows)
        second = next(rows, None)
        if second is None:
            return False
        self.border = PIPE_NONE
        if header0.startswith("|"):
            self.border |= PIPE_LEFT
        if self.RE_END_BORDER.search(header0) is not None:
            self.border |= PIPE_RIGHT
        row0_len = len(self._split_row(header0))
        separator = self._split_row(second)
        separator_fits = len(separator) == row0_len and set("".join(separator)) <= set("|:- ")
        if row0_len == 1 and self.border:
            # Each row in a single column table needs at least one pipe. The separator row
            # is looked at first, so that a block that cannot be a table is not read through.
            if not separator_fits:
                return False
            for row in chain([second], rows):
                if not row.startswith("|") and self.RE_END_BORDER.search(row) is None:
                    return False
        elif row0_len <= 1 or not separator_fits:
            return False
        self.separator = separator
        return True


class Tables(TableExtension):
    """The tables extension with the TableProcessor above."""

    def extendMarkdown(self, md) -> None:
        super().extendMarkdown(md)
        md.parser.blockprocessors.register(
            TableProcessor(md.parser, self.getConfigs()), "table", 75
        )


def render_markdown(text: str | None) -> Markup:
    """Render Markdown to sanitised HTML: no script, no event handlers, no javascript: links."""
    if not text:
        return Markup("")
    return Markup(_render(text))  # noqa: S704 - _render sanitises with nh3


@lru_cache(maxsize=1024)
def _render(text: str) -> str:
    if markdown_problem(text):
        # Stored before the limit existed: show it as plain text rather than stall a worker.
        return str(Markup.escape(text))
    html = _markdown.markdown(text, extensions=[Tables(), "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values={tag: {"class": cls} for tag, cls in _GOVUK_CLASSES.items()},
    )
    return clean


def register(app) -> None:
    app.add_template_filter(render_markdown, "markdown")

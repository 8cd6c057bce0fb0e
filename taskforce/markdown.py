"""Markdown written by users, rendered to HTML that cannot run script."""

from __future__ import annotations

from functools import lru_cache

import markdown as _markdown
import nh3
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
    html = _markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
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

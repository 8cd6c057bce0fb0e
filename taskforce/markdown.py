"""Markdown written by users, rendered to HTML that cannot run script.

Python-Markdown renders and nh3 then sanitises. Python-Markdown has corners where its work
grows with the square of the text, and a purpose may be PURPOSE_MAX (20,000) characters:

- Its block parser takes a block (lines with no blank line between them) a line or two at a
  time and hands the rest back, and several processors then look at the whole rest again:
  every line of "=\\n" * 9999 re-scans all that follows it.
- The tables extension splits the whole rest of the block into rows for each of those
  looks, to read its first two: a table processor here reads only the rows it needs.
- The link parser scans from each "[" to its "]" (and from each "](" to its ")"), to the end
  of the paragraph when there is none.
- The raw-HTML parser scans from each "<" that may open a tag to its ">", to the end of the
  text when there is none.

Each is bounded before rendering, by limits no ordinary text comes near, checked in one
pass (markdown_problem): lines per block, how far brackets and tags reach, and how deep
lists and block quotes nest (Python-Markdown recurses for each level, and a few hundred
raised RecursionError). A text over them is refused where it is typed; one stored before the
limits existed is shown as plain text rather than stall a worker. bench/markdown.py times
the worst inputs found.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser
from itertools import chain
from urllib.parse import urlsplit

import markdown as _markdown
import nh3
from markdown.blockprocessors import HRProcessor
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


#: Square brackets ([) in one text: the link parser tries each one several ways.
BRACKETS_MAX = 500
#: Lines in one block, that is with no blank line between them: a long list or table, or a
#: long passage with a line break after every sentence, has a few hundred at most.
BLOCK_LINES_MAX = 500
#: Characters the link parser may scan, summed over every "[" (to its "]") and every "]("
#: (to its ")"), each at most to the end of its block: a hundred links use a few thousand.
LINK_REACH_MAX = 100_000
#: HTML tags, comments and declarations ("<" then a letter, "/", "!" or "?") in one text:
#: the raw-HTML parser keeps the inline tags left open and checks them at every comment.
TAGS_MAX = 500
#: HTML comments (<!-- -->) in one text (see TAGS_MAX).
COMMENTS_MAX = 20
#: Characters the raw-HTML parser may scan, summed over every "<" that may open a tag (to
#: the next ">", or to the end of the text): a hundred tags use a few thousand.
TAG_REACH_MAX = 400_000
#: Lists and block quotes within each other (each marker, or four spaces of indent, is one
#: level): Python-Markdown recurses for each, and fails at a few hundred.
NESTING_MAX = 20

_BLANK = re.compile(r"[ \t]*")
_BRACKET = re.compile(r"[\[\]()]")
_QUOTE = re.compile("[\"']")
_TITLE_END = {quote: re.compile(quote + r" *\)") for quote in "\"'"}
_TAG_OPEN = re.compile(r"<[A-Za-z!?/]")
#: Markers that open a list item or a block quote, one after another at the start of a line.
_CONTAINERS = re.compile(r"(?:(?:>|[*+-][ ]|[0-9]+[.)][ ])[ ]*)+")
_CONTAINER = re.compile(r">|[*+-] |[0-9]+[.)] ")
_HR = re.compile(HRProcessor.RE)


def markdown_problem(text: str | None) -> str | None:
    """Say why a Markdown text cannot be accepted, or None if it can.

    One pass over the text, before any rendering: each limit bounds one of the ways
    Python-Markdown's work grows faster than the text (see the module's docstring).
    """
    if not text:
        return None
    if text.count("[") > BRACKETS_MAX:
        return f"Use at most {BRACKETS_MAX} square brackets ([) in one text"
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    block: list[str] = []
    reach = 0
    for line in chain(lines, [""]):
        if _nesting(line) > NESTING_MAX:
            return f"Nest lists and block quotes at most {NESTING_MAX} deep"
        if not _BLANK.fullmatch(line):
            block.append(line)
            continue
        if len(block) > BLOCK_LINES_MAX:
            return (
                f"Use at most {BLOCK_LINES_MAX} lines without a blank line between them "
                "(in one list, table or paragraph)"
            )
        reach += _link_reach("\n".join(block))
        if reach > LINK_REACH_MAX:
            return "Close each square bracket ([) or link (]() soon after you open it"
        block = []
    return _html_problem(text)


def _html_problem(text: str) -> str | None:
    tags = len(_TAG_OPEN.findall(text))
    if tags > TAGS_MAX:
        return f"Use at most {TAGS_MAX} HTML tags (<…>) in one text, or write &lt; for <"
    if text.count("<!--") > COMMENTS_MAX:
        return f"Use at most {COMMENTS_MAX} HTML comments (<!-- -->) in one text"
    if tags and _tag_reach(text) > TAG_REACH_MAX:
        return "Close each HTML tag (<) with a > soon after you open it, or write &lt; for <"
    return None


def _nesting(line: str) -> int:
    """How deep a line nests: a level for each four spaces of indent (tabs are four) and
    for each list or quote marker that follows; a horizontal rule ("* * *") nests nothing."""
    line = line.expandtabs(4)
    indent = len(line) - len(line.lstrip(" "))
    markers = _CONTAINERS.match(line, indent)
    if markers is None or _HR.fullmatch(line):
        return indent // 4
    return indent // 4 + len(_CONTAINER.findall(markers.group()))


def _link_reach(block: str) -> int:
    """How far the link parser scans in one block: from each "[" to its "]", and from each
    "](" to the ")" that ends the link; to the end of the block when nothing does."""
    reach = 0
    brackets: list[int] = []
    parens: list[tuple[int, bool]] = []  # where each open "(" is, and whether it opens a link
    targets: list[tuple[int, int]] = []  # a link's "(" and the ")" that matches it
    closed_at = -1  # the last "]" that closed a "[": a "(" right after it opens a link
    for match in _BRACKET.finditer(block):
        char, at = match.group(), match.start()
        if char == "[":
            brackets.append(at)
        elif char == "]" and brackets:
            reach += at - brackets.pop()
            closed_at = at
        elif char == "(":
            parens.append((at, at == closed_at + 1))
        elif char == ")" and parens:
            start, is_link = parens.pop()
            if is_link:
                targets.append((start, at))
    reach += sum(len(block) - at for at in brackets)
    targets += [(start, len(block)) for start, is_link in parens if is_link]
    return reach + sum(_target_reach(block, start, end) for start, end in targets)


def _target_reach(block: str, start: int, end: int) -> int:
    """How far the link parser scans a link's target from its "(": to the ")" that matches
    it, unless a quote comes first, after which only that quote then ")" ends it (a title)."""
    quote = _QUOTE.search(block, start, end)
    if quote is None:
        return end - start
    closing = _TITLE_END[quote.group()].search(block, quote.end())
    return (closing.end() if closing else len(block)) - start


def _tag_reach(text: str) -> int:
    """How far the raw-HTML parser scans: from each "<" that may open a tag (a letter, "/",
    "!" or "?" after it) to the next ">", or to the end of the text. Stops once over the
    limit, so it costs no more than the limit allows."""
    reach = 0
    for match in _TAG_OPEN.finditer(text):
        end = text.find(">", match.start())
        reach += (end if end >= 0 else len(text)) - match.start()
        if reach > TAG_REACH_MAX:
            break
    return reach


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
        # Stored before the limits existed: show it as plain text rather than stall a worker.
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


class _Removed(HTMLParser):
    """Collects what nh3 will take out of rendered Markdown: tags, attributes and links of
    kinds that are not allowed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.schemes: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag not in ALLOWED_TAGS:
            self.tags.append(tag)
            return
        for name, value in attrs:
            if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
                self.attributes.append(name)
            elif name == "href" and value:
                scheme = urlsplit(value.strip()).scheme.lower()
                if scheme and scheme not in URL_SCHEMES:
                    self.schemes.append(scheme)

    handle_startendtag = handle_starttag


def removed_html(text: str | None) -> list[str]:
    """What the user typed as HTML that is not shown, in words ("<script>", "the onclick
    attribute", "javascript: links"), each once, in the order first met.

    Only what was typed: Markdown itself makes some (a table's alignment styles, a list's
    start number, an image), which are dropped quietly. A text over the limits, shown as
    plain text, loses nothing.
    """
    if not text or markdown_problem(text):
        return []
    found = _Removed()
    found.feed(_markdown.markdown(text, extensions=[Tables(), "sane_lists"], output_format="html"))
    typed = text.lower()
    said = [f"<{tag}>" for tag in found.tags if re.search(rf"<\s*/?\s*{re.escape(tag)}\b", typed)]
    said += [
        f"the {name} attribute"
        for name in found.attributes
        if re.search(rf"\b{re.escape(name)}\s*=", typed)
    ]
    said += [f"{scheme}: links" for scheme in found.schemes if f"{scheme}:" in typed]
    return list(dict.fromkeys(said))


def register(app) -> None:
    app.add_template_filter(render_markdown, "markdown")

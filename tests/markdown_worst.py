"""The worst Markdown found for Python-Markdown, each as long as a purpose may be.

Shared by tests/test_markdown_bounds.py, which holds render_markdown to a time bound on each,
and bench/markdown.py, which times each through bare Python-Markdown and render_markdown.
Found by timing every repeated token, pair of tokens and random mixture of Markdown's
special characters, then profiling the slowest (see taskforce/markdown.py's docstring).

REFUSED are inputs that were slow (or crashed) and are now over a limit: refused where they
are typed, shown as plain text if already stored. AT_LIMIT are the worst that the limits
still let through, each repeated as often as they allow.
"""

from __future__ import annotations

import random

from taskforce.bodies.models import PURPOSE_MAX
from taskforce.markdown import markdown_problem

N = PURPOSE_MAX


def _fill(unit: str, tail: str = "") -> str:
    """`unit` over and over, then `tail`, PURPOSE_MAX characters in all."""
    body = unit * ((N - len(tail)) // len(unit))
    return body + tail


def at_limit(unit: str, pad: str = "y", prefix: str = "") -> str:
    """`prefix`, then `unit` repeated as often as markdown_problem allows, then `pad` to
    PURPOSE_MAX characters."""

    def text(times: int) -> str:
        start = prefix + unit * times
        return start + (pad * N)[: N - len(start)]

    low, high = 0, (N - len(prefix)) // len(unit)
    while low < high:
        middle = (low + high + 1) // 2
        if markdown_problem(text(middle)) is None:
            low = middle
        else:
            high = middle - 1
    return text(low)


def _mixed(tokens: list[str], length: int = N, seed: int = 1) -> str:
    """Tokens in a random order, `length` characters in all."""
    rng = random.Random(seed)
    parts, total = [], 0
    while total < length:
        parts.append(rng.choice(tokens))
        total += len(parts[-1])
    return "".join(parts)[:length]


def _tags_and_comments(tags: int, comments: int) -> str:
    units = ["<http://x>"] * tags + ["<!--a-->"] * comments
    random.Random(1).shuffle(units)
    return ("".join(units) + "y" * N)[:N]


REFUSED = {
    # Each line a setext underline: the block parser takes two lines at a time and every
    # processor looks at all that is left (the tables extension split it all into rows).
    "setext underlines (=\\n)": _fill("=\n"),
    "dashes then text (-\\n … x)": _fill("-\n", "x"),
    "heading marks (#\\n)": _fill("#\n"),
    "list markers (- \\n)": _fill("- \n"),
    "rules (***\\n)": _fill("***\n"),
    # The link parser scans from every "[" to the end of the paragraph.
    "unclosed brackets ([ … x)": "[" * 500 + "y" * (N - 500),
    "images ([![)": _fill("!["),
    "link openings ([x]()": _fill("[x]("),
    # A link's title (after a quote) ends only at that quote then ")".
    'titles left open ([x]("a))': '[x]("a)' * 500 + "y" * (N - 3500),
    # The raw-HTML parser scans from every "<a " to the end: no ">" follows.
    "unclosed tags (<a )": _fill("<a "),
    "unclosed tags on lines (<a\\n)": _fill("<a\n"),
    # And checks every open inline tag at every comment.
    "comments among open tags": _tags_and_comments(1500, 1500),
    # Python-Markdown recursed for each level and raised RecursionError.
    "nested list markers (- \\t)": _fill("- \t"),
    "nested ordered lists (1. )": _fill("1. "),
    "nested by indent (tabs)": "".join("\t" * i + "- x\n" for i in range(190)),
    "nested quotes (>)": ">" * N,
}

AT_LIMIT = {
    "rules at the line limit": at_limit("***\n"),
    "spaced rules at the line limit": at_limit("- - -\n"),
    "setext at the line limit": at_limit("x\n=\n"),
    "list markers at the line limit": at_limit("- \n"),
    "quoted lists at the line limit": at_limit("> - \n"),
    "single-column table rows at the line limit": at_limit("|x\n"),
    "table rows at the line limit": at_limit("c|d\n", prefix="a|b\n-|-\n"),
    "brackets at the reach limit": at_limit("["),
    "link openings at the reach limit": at_limit("[x]("),
    "titles left open at the reach limit": at_limit('[x]("a)'),
    "parens left open at the reach limit": at_limit("[x](a(b)"),
    "unclosed tags at the reach limit": at_limit("<a "),
    "tags at the count limit": at_limit("<b>"),
    "comments among open tags at the limits": _tags_and_comments(480, 20),
    "nesting at the depth limit": at_limit("> " * 10 + "- " * 10 + "x\n"),
    "quotes before tags (><a\\n\\n)": at_limit("><a\n\n"),
    "emphasis and angles (*<)": _fill("*<"),
    "emphasis runs (*_)": _fill("*_"),
    "escaped strong (\\__)": _fill("\\__"),
    "backtick runs": _mixed(["`", "``", "```", "x", " "]),
    "emphasis paragraphs": _mixed(["*", "_", "\n\n", "x"]),
    "random HTML and lists": at_limit(_mixed(["<!--", "-->", "1. ", "<http://", "\n"], 400)),
    "random quotes and tags": at_limit(_mixed([">", "\\", "    ", "!", "<b>", "<!--"], 400)),
}

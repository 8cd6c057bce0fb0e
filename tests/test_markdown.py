"""Markdown written by users cannot run script anywhere it is shown."""

from __future__ import annotations

import pytest

from taskforce.markdown import render_markdown


@pytest.mark.parametrize(
    "evil",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "[link](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<div onclick="alert(1)">x</div>',
        "<iframe src=https://example.org></iframe>",
        '<svg onload="alert(1)"></svg>',
        "<style>body{display:none}</style>",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    ],
)
def test_dangerous_markup_is_removed(evil):
    html = str(render_markdown(evil)).lower()
    for marker in (
        "<script",
        "onerror",
        "onclick",
        "onload",
        "javascript:",
        "<iframe",
        "<style",
        "data:text",
    ):
        assert marker not in html


def test_ordinary_markdown_keeps_its_meaning():
    html = str(render_markdown("## Aims\n\n- **Jobs**\n- [Plan](https://example.org/plan)"))
    assert '<h2 class="govuk-heading-m">Aims</h2>' in html
    assert "<strong>Jobs</strong>" in html
    assert 'href="https://example.org/plan"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_empty_purpose_renders_nothing():
    assert str(render_markdown("")) == ""
    assert str(render_markdown(None)) == ""

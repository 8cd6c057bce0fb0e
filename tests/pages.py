"""Reading pages as a browser would."""

from __future__ import annotations

import re
from html import unescape


def form_fields(html: str) -> dict[str, str]:
    """The named inputs and textareas of a page's main form, as a browser would send them."""
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))
    fields.update(
        (name, unescape(text))
        for name, text in re.findall(
            r'<textarea[^>]*name="([^"]+)"[^>]*>\s*(.*?)</textarea>', html, re.S
        )
    )
    for name, value in re.findall(
        r'<input[^>]*name="([^"]+)"[^>]*type="radio"[^>]*value="([^"]*)"[^>]*checked', html
    ):
        fields[name] = value
    for name, value in re.findall(
        r'<input[^>]*type="radio"[^>]*name="([^"]+)"[^>]*value="([^"]*)"[^>]*checked', html
    ):
        fields[name] = value
    return {k: unescape(v) for k, v in fields.items()}

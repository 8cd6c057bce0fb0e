"""What the pages behind emailed links share: a token's fingerprint for the logs, the rate
limit's key, and the page that refuses an unknown, expired or withdrawn link."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from flask import render_template, request

from taskforce.links import LinkProblem

log = logging.getLogger(__name__)


def fingerprint(token: str) -> str:
    """Enough of the token's hash to match log lines to a link, and useless to an attacker."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:12]


def rate_key(prefix: str) -> Callable[[], str]:
    """A rate limiter's key function: one bucket per link, named like "owner-link:<fingerprint>"."""

    def key() -> str:
        return f"{prefix}:" + fingerprint((request.view_args or {}).get("token", ""))

    return key


def refuse(kind: str, token: str, problem: LinkProblem, logger: logging.Logger = log):
    """Log why a link was refused (without the token) and show the problem page."""
    logger.warning(
        "%s link refused (%s): %s; link %s from %s",
        kind,
        problem.status,
        problem.message,
        fingerprint(token),
        request.remote_addr,
    )
    return render_template("links/problem.html", problem=problem), problem.status

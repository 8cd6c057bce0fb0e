"""The JSON API, version 1: thin handlers over the same services as the web pages.

`core` holds what the handlers share; each other module registers its routes on import.
"""

# Routes register on import.
from taskforce.api import (  # noqa: F401
    actions,
    agenda,
    indicators,
    meetings,
    meta,
    packs,
    registers,
    taskforces,
)
from taskforce.api.core import bp

__all__ = ["bp"]

"""A task force with a chair and an official, run by a secretariat user with an API token.

Modules that need a different task force define their own `tf` (or `secretariat`).
"""

from __future__ import annotations

import pytest

from tests.conftest import member


@pytest.fixture
def tf(make_taskforce, secretariat):
    return make_taskforce(
        by=secretariat,
        members=[
            member("Nia Roberts", "nia@example.gov.uk", "minister", is_chair=True),
            member("Sam Patel", "sam@example.gov.uk"),
        ],
    )

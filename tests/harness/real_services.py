"""Skip, or fail under IVR_REQUIRE_REAL_SERVICES=1, when the machine lacks a real service."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

REQUIRE_ENV = "IVR_REQUIRE_REAL_SERVICES"


def required() -> bool:
    return os.environ.get(REQUIRE_ENV, "").strip() == "1"


def unavailable(reason: str) -> NoReturn:
    """Skip the test with the reason, or fail it when real services are required (CI)."""
    if required():
        pytest.fail(f"{reason} (and {REQUIRE_ENV}=1 forbids skipping)", pytrace=False)
    pytest.skip(reason)

"""The harness rule: a missing real service skips a test, or fails it when CI requires them."""

from __future__ import annotations

import pytest

from tests.harness.real_services import REQUIRE_ENV, unavailable


def test_missing_service_skips_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="no PostgreSQL here"):
        unavailable("no PostgreSQL here")


def test_missing_service_fails_when_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="forbids skipping"):
        unavailable("no PostgreSQL here")

"""Shared test plugins: a real Asterisk (tests/asterisk_fixture.py) and the harness for
PostgreSQL, databases and a headless browser (tests/harness); which tests run alone."""

import pytest

pytest_plugins = [
    "tests.asterisk_fixture",
    "tests.harness.postgres",
    "tests.harness.database",
    "tests.harness.browser",
]

SERIAL = (
    # frame pacing and event-loop lateness are asserted: other tests' CPU would be measured
    "tests/telephony/test_audiosocket_fuzz.py",
    "tests/telephony/test_audiosocket_pacing.py",
    # real phones in real time (RTP envelopes, rings, whisper timing) and the fault figures
    "tests/session/test_agent_handoff.py",
    "tests/reliability/",
    # a benchmark's own service under load, its frame spacing checked
    "tests/bench/test_calls_bench.py",
)
"""Tests that `scripts/run-tests.sh` runs alone, after the parallel part (marker `serial`)."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = config.rootpath
    for item in items:
        where = item.path.relative_to(root).as_posix()
        if any(where == p or (p.endswith("/") and where.startswith(p)) for p in SERIAL):
            item.add_marker(pytest.mark.serial)

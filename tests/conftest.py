"""Shared test plugins: a real Asterisk (tests/asterisk_fixture.py) and the harness for
PostgreSQL, databases and a headless browser (tests/harness)."""

pytest_plugins = [
    "tests.asterisk_fixture",
    "tests.harness.postgres",
    "tests.harness.database",
    "tests.harness.browser",
]

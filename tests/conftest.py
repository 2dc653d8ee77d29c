"""Shared fixtures, loaded as plugins from tests/harness."""

pytest_plugins = [
    "tests.harness.postgres",
    "tests.harness.database",
    "tests.harness.browser",
]

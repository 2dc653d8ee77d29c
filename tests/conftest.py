"""Shared test plugins: a real Asterisk for the tests that need one (tests/asterisk_fixture.py)."""

pytest_plugins = ["tests.asterisk_fixture"]

"""Test harness: real services (PostgreSQL, Chromium) started for the tests, as pytest plugins."""

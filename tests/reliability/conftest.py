"""The fault tests run the service as the call-session tests do (tests/session/conftest.py):
a real service on loopback ports, a real SQLite file, real espeak-ng."""

from tests.session.conftest import make_service, prompt_cache  # noqa: F401  (fixtures)

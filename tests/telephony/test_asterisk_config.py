"""The shipped Asterisk configuration, as loaded by a real Asterisk 22."""

from __future__ import annotations

import re

import pytest

from tests.asterisk_fixture import AsteriskSandbox

pytestmark = pytest.mark.asterisk

SHIPPED = ("extensions_standardiste", "pjsip_standardiste", "manager_standardiste", "queues_")


def test_no_error_or_warning_about_the_shipped_files(asterisk: AsteriskSandbox) -> None:
    complaints = [
        line for line in asterisk.log().splitlines()
        if re.search(r"ERROR|WARNING", line) and any(name in line for name in SHIPPED)
    ]
    assert complaints == []


def test_every_context_of_the_call_path_is_loaded(asterisk: AsteriskSandbox) -> None:
    for context in (
        "standardiste-settings",
        "standardiste-incoming",
        "standardiste-transfer",
        "standardiste-transfer-context",
        "standardiste-after-hours",
        "standardiste-fallback",
        "standardiste-agents-phones",
    ):
        assert f"Context '{context}' created" in asterisk.cli(f"dialplan show {context}")


def test_the_manager_user_has_least_privilege(asterisk: AsteriskSandbox) -> None:
    user = asterisk.cli("manager show user standardiste")
    assert re.search(r"read perm: call,agent,user,reporting\s*$", user, re.M)
    assert re.search(r"write perm: call,reporting,originate\s*$", user, re.M)
    assert "system" not in user and "config" not in user and "command" not in user
    assert re.search(r"deny - 0\.0\.0\.0/0\.0\.0\.0", user)


def test_endpoints_and_queue(asterisk: AsteriskSandbox) -> None:
    endpoints = asterisk.cli("pjsip show endpoints")
    for name in ("standardiste-trunk", "101/101", "102/102", "199/199"):
        assert f"Endpoint:  {name}" in endpoints
    queue = asterisk.cli("queue show standardiste-agents")
    assert "PJSIP/101" in queue and "PJSIP/102" in queue

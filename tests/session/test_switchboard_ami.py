"""The AMI switchboard when Asterisk's manager cannot be reached: the end mark of a call
(STANDARDISTE_NEXT=end) is not set, the service says so, and the call is not held up.
With a reachable Asterisk it is tested in tests/session/test_asterisk_workers.py."""

from __future__ import annotations

import logging
import time
import uuid

import pytest

from ivr.session.switchboard import MARK_END_WAIT_S, AmiSwitchboard
from telephony.ami import AmiClient, AmiSettings
from tests.asterisk_fixture import free_port


async def test_without_ami_the_end_is_not_marked_and_the_call_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = AmiClient(AmiSettings(port=free_port(), secret="s", reconnect_min_s=0.1))
    await client.start()  # nothing listens there: it keeps trying to connect
    try:
        board = AmiSwitchboard(client)
        started = time.monotonic()
        with caplog.at_level(logging.WARNING, "ivr.session.switchboard"):
            assert await board.mark_end(uuid.uuid4()) is False
        assert time.monotonic() - started < MARK_END_WAIT_S
    finally:
        await client.close()
    assert "end not marked (AMI is not connected)" in caplog.text

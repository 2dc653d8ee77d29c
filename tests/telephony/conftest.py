"""Fixtures of the telephony tests (the real Asterisk comes from tests/asterisk_fixture.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from telephony.ami import AmiClient
from tests.asterisk_fixture import AsteriskSandbox


@pytest.fixture
async def ami(asterisk: AsteriskSandbox) -> AsyncIterator[AmiClient]:
    client = AmiClient(asterisk.ami_settings())
    await client.start()
    await client.wait_connected(10)
    yield client
    await client.close()

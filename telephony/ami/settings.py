"""Settings of the AMI client: where Asterisk's manager is, who logs in, timings (seconds)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class AmiSettings:
    """How to reach Asterisk's manager interface."""

    host: str = "127.0.0.1"
    """AMI address (``bindaddr`` of manager.conf)."""
    port: int = 5038
    """AMI TCP port."""
    username: str = "standardiste"
    """AMI user (manager_standardiste.conf)."""
    secret: str = field(default="", repr=False)
    """AMI secret; never logged."""
    action_timeout_s: float = 5.0
    """Seconds an action waits for the connection and for its answer."""
    reconnect_min_s: float = 0.5
    """First delay before reconnecting, seconds (doubles at each failure)."""
    reconnect_max_s: float = 30.0
    """Longest delay between reconnection attempts, seconds."""
    ping_interval_s: float = 10.0
    """Seconds between keep-alive pings; a ping without answer drops the connection."""
    event_queue_size: int = 1000
    """Events buffered per `events()` reader before the oldest are dropped."""
    transfer_context: str = "standardiste-transfer"
    """Dialplan context of transfers (extensions ``queue`` and agents' ``1XX``)."""

"""Settings of the web back office (built once at start-up, passed to `create_app`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WebSettings:
    session_ttl_s: int = 8 * 3600
    """Lifetime of a signed-in session, seconds (a working day)."""
    cookie_secure: bool = False
    """Send cookies over HTTPS only; turn on when the back office is served behind TLS."""
    login_max_failures: int = 5
    """Failed sign-ins allowed per client address and username within the window (an address
    may fail `ADDRESS_FACTOR` times as many over all usernames, `ivr.web.ratelimit`)."""
    login_window_s: float = 300.0
    """Window of the sign-in rate limit, seconds."""
    session_recheck_s: float = 5.0
    """How often a long-lived stream (the live calls' events) checks that its session still
    holds, seconds; a session ended meanwhile closes the stream."""
    probe_timeout_s: float = 2.0
    """How long /healthz waits for one status probe, seconds."""
    max_body_bytes: int = 8 * 1024 * 1024
    """Largest request body accepted, bytes, counted on the stream (chunked bodies too);
    larger ones get 413 (`ivr.web.body_limit`)."""
    trusted_proxies: tuple[str, ...] = ()
    """Reverse proxies (IP addresses or CIDR networks, e.g. "127.0.0.1", "10.0.0.0/8") whose
    Forwarded / X-Forwarded-For headers name the client; empty: the headers are never
    trusted and the client is the TCP peer (`ivr.web.client_address`)."""
    timezone: str = "Europe/Paris"
    """IANA time zone in which pages show times (stored times are UTC)."""
    town_phone: str = ""
    """The town hall's public phone number, given to citizens when the web chat cannot
    answer (as written, e.g. "02 40 00 00 00"); empty: they are told to call the town hall."""

"""The service's Prometheus metrics, in one place: the call session updates them, the web app
serves them at /metrics (Prometheus text format).

Each `ServiceMetrics` has its own `CollectorRegistry` (no process-wide global), so several
apps or tests in one process never share counters. Durations are seconds.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

# Turn-taking is judged in tenths of a second: finer buckets below 2 s.
LATENCY_BUCKETS = (0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)


class ServiceMetrics:
    """Counters, gauges and histograms of one running service."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.active_calls = Gauge("ivr_active_calls", "Calls in progress.", registry=r)
        self.calls = Counter("ivr_calls", "Calls ended, by outcome.", ["outcome"], registry=r)
        self.turns = Counter("ivr_turns", "Dialogue turns, by speaker.", ["speaker"], registry=r)
        self.turn_latency = Histogram(
            "ivr_turn_latency_seconds",
            "From the end of the caller's speech to the first audio of the answer.",
            buckets=LATENCY_BUCKETS, registry=r,
        )
        self.recognition = Histogram(
            "ivr_recognition_seconds", "Time to get the final transcript of an utterance.",
            buckets=LATENCY_BUCKETS, registry=r,
        )
        self.synthesis = Histogram(
            "ivr_synthesis_seconds", "Time to synthesise one prompt.",
            buckets=LATENCY_BUCKETS, registry=r,
        )
        self.transfers = Counter(
            "ivr_transfers", "Calls transferred to agents, by queue.", ["queue"], registry=r
        )
        self.errors = Counter("ivr_errors", "Errors, by machine-readable code.", ["code"],
                              registry=r)
        self.login_failures = Counter(
            "ivr_web_login_failures", "Failed or refused back-office sign-ins.", registry=r
        )

    def render(self) -> tuple[bytes, str]:
        """The Prometheus text exposition and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

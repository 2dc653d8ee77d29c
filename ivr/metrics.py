"""The service's Prometheus metrics, in one place: the call session updates them, the web app
serves them at /metrics (Prometheus text format).

Each `ServiceMetrics` has its own `CollectorRegistry` (no process-wide global), so several
apps or tests in one process never share counters. Durations are seconds.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from speech.decoders import DecoderShelf

# Turn-taking is judged in tenths of a second: finer buckets below 2 s.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0,
                   3.0, 5.0, 10.0)
LAG_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0)


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
        self.recognitions = Counter(
            "ivr_recognitions", "Final transcripts, by the decoding pass that produced them: "
            "grammar, free, free_after_grammar (a grammar utterance decoded again freely).",
            ["source"], registry=r,
        )
        self.synthesis = Histogram(
            "ivr_synthesis_seconds", "Time to synthesise one prompt.",
            buckets=LATENCY_BUCKETS, registry=r,
        )
        self.loop_lag = Histogram(
            "ivr_loop_lag_seconds", "How late the event loop woke a sleeper (stalls).",
            buckets=LAG_BUCKETS, registry=r,
        )
        self.transfers = Counter(
            "ivr_transfers", "Calls transferred to agents, by queue.", ["queue"], registry=r
        )
        self.errors = Counter("ivr_errors", "Errors, by machine-readable code.", ["code"],
                              registry=r)
        self.login_failures = Counter(
            "ivr_web_login_failures", "Failed or refused back-office sign-ins.", registry=r
        )

    def watch_decoders(self, shelf: DecoderShelf) -> None:
        """Report the speech model's decoders (read at each scrape)."""
        r = self.registry
        Gauge("ivr_decoders_lent", "Vosk decoders lent to utterances now.",
              registry=r).set_function(lambda: shelf.lent)
        Gauge("ivr_decoders_made", "Vosk decoders built since start-up.",
              registry=r).set_function(lambda: shelf.made)
        Gauge("ivr_grammar_decoders_made",
              "Vosk decoders built with a phrase-list grammar since start-up.",
              registry=r).set_function(lambda: shelf.made_phrase_lists)
        Gauge("ivr_decoder_waits", "Utterances that waited for a decoder since start-up.",
              registry=r).set_function(lambda: shelf.waited)

    def render(self) -> tuple[bytes, str]:
        """The Prometheus text exposition and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

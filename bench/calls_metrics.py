"""Where the time goes, from the service's own Prometheus metrics (`/metrics` of `ivr serve`),
read before and after a run of `bench/calls.py`: the difference of each histogram gives the
run's count, mean and estimated p50/p95 (linear inside the bucket), in milliseconds.

- recognition_wait: from the last audio of an utterance to its final transcript (decoding
  not yet caught up, or waiting for a decoder);
- service_turn: the service's own view of the turn (end of the caller's speech to the first
  audio of the answer, end-of-turn silence included);
- synthesis: one prompt synthesised (cache misses only);
- loop_lag: how late the event loop woke a sleeper every 100 ms (stalls shared by all calls);
- decoders: Vosk decoders built (all, and those with a phrase-list grammar), and utterances
  that waited for one.
"""

from __future__ import annotations

import urllib.request
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

Scrape = dict[str, Any]
"""name -> {"buckets": {le: cumulative count}, "sum": s, "count": n} or a gauge's value."""

HISTOGRAMS = {
    "recognition_wait": "ivr_recognition_seconds",
    "service_turn": "ivr_turn_latency_seconds",
    "synthesis": "ivr_synthesis_seconds",
    "loop_lag": "ivr_loop_lag_seconds",
}
GAUGES = {"decoders_made": "ivr_decoders_made", "decoder_waits": "ivr_decoder_waits",
          "grammar_decoders_made": "ivr_grammar_decoders_made"}


def scrape(url: str) -> Scrape | None:
    """The metrics at `url`, or None when the service does not serve them."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            text = response.read().decode("utf-8")
    except OSError:
        return None
    found: Scrape = {}
    for family in text_string_to_metric_families(text):
        if family.type == "histogram":
            entry: dict[str, Any] = {"buckets": {}, "sum": 0.0, "count": 0.0}
            for sample in family.samples:
                if sample.name.endswith("_bucket"):
                    entry["buckets"][float(sample.labels["le"])] = sample.value
                elif sample.name.endswith("_sum"):
                    entry["sum"] = sample.value
                elif sample.name.endswith("_count"):
                    entry["count"] = sample.value
            found[family.name] = entry
        elif family.type == "gauge" and family.samples:
            found[family.name] = family.samples[0].value
    return found


def _quantile(buckets: list[tuple[float, float]], q: float) -> float | None:
    total = buckets[-1][1] if buckets else 0.0
    if total <= 0:
        return None
    rank = q * total
    lower_le, lower_count = 0.0, 0.0
    for le, count in buckets:
        if count >= rank:
            if le == float("inf"):
                return lower_le  # past the last finite bucket: at least that
            span = count - lower_count
            share = (rank - lower_count) / span if span else 1.0
            return lower_le + (le - lower_le) * share
        lower_le, lower_count = le, count
    return lower_le


def _histogram(before: Scrape, after: Scrape, name: str) -> dict[str, Any] | None:
    new = after.get(name)
    if not isinstance(new, dict):
        return None
    old = before.get(name) if isinstance(before.get(name), dict) else None
    count = new["count"] - (old["count"] if old else 0.0)
    total = new["sum"] - (old["sum"] if old else 0.0)
    buckets = sorted((le, n - (old["buckets"].get(le, 0.0) if old else 0.0))
                     for le, n in new["buckets"].items())
    p50, p95 = _quantile(buckets, 0.5), _quantile(buckets, 0.95)
    return {
        "count": int(count),
        "mean_ms": round(1000 * total / count, 1) if count else None,
        "p50_ms": None if p50 is None else round(1000 * p50, 1),
        "p95_ms": None if p95 is None else round(1000 * p95, 1),
    }


def where_time_goes(before: Scrape | None, after: Scrape | None) -> dict[str, Any] | None:
    """The run's figures from two scrapes (None when the service gave no metrics)."""
    if before is None or after is None:
        return None
    figures: dict[str, Any] = {key: _histogram(before, after, name)
                               for key, name in HISTOGRAMS.items()}
    for key, name in GAUGES.items():
        value = after.get(name)
        if isinstance(value, float):
            start = before.get(name)
            figures[key] = int(value - start) if isinstance(start, float) else int(value)
    return figures

"""/healthz and /metrics, security headers, and the pages' accessibility basics."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from ivr.metrics import ServiceMetrics
from ivr.storage.database import Database, DatabaseSettings
from ivr.web.app import create_app
from ivr.web.settings import WebSettings
from tests.web.conftest import HASHER, api_login
from tests.web.doubles import BrokenProbe, FixedProbe, SlowProbe


def test_healthz_reports_every_component(client: TestClient) -> None:
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "checks": {
        "database": {"ok": True, "detail": ""}, "model": {"ok": True, "detail": ""},
        "ami": {"ok": True, "detail": ""}}}


def test_healthz_is_503_when_something_is_wrong(web_db: Database) -> None:
    probes = [FixedProbe("model", False, "modèle absent"), SlowProbe(0.5), BrokenProbe()]
    probes[2].name = "tts"
    app = create_app(WebSettings(probe_timeout_s=0.1), web_db, probes=probes, hasher=HASHER)
    with TestClient(app) as client:
        answer = client.get("/healthz")
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["model"] == {"ok": False, "detail": "modèle absent"}
    assert body["checks"]["ami"]["detail"] == "no answer within 0.1 s"
    assert body["checks"]["tts"]["detail"] == "probe failed: RuntimeError"


def test_healthz_sees_a_database_that_is_gone() -> None:
    # Nothing listens on loopback port 1: the connection is refused at once.
    unreachable = Database(DatabaseSettings(url="postgresql+psycopg://ivr@127.0.0.1:1/ivr"))
    app = create_app(WebSettings(), unreachable, hasher=HASHER)
    with TestClient(app) as client:
        answer = client.get("/healthz")
    assert answer.status_code == 503 and answer.json()["checks"]["database"]["ok"] is False


def test_metrics_are_prometheus_text_from_the_app_registry(
    client: TestClient, metrics: ServiceMetrics, web_db: Database
) -> None:
    metrics.active_calls.set(2)
    metrics.turns.labels(speaker="caller").inc(3)
    metrics.turn_latency.observe(0.4)
    metrics.transfers.labels(queue="urbanisme").inc()
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    text = answer.text
    assert "ivr_active_calls 2.0" in text
    assert 'ivr_turns_total{speaker="caller"} 3.0' in text
    assert 'ivr_turn_latency_seconds_bucket{le="0.5"} 1.0' in text
    assert 'ivr_transfers_total{queue="urbanisme"} 1.0' in text
    other = create_app(WebSettings(), web_db, hasher=HASHER)
    with TestClient(other) as second:
        assert "ivr_active_calls 0.0" in second.get("/metrics").text


def test_responses_carry_security_headers(client: TestClient) -> None:
    headers = client.get("/login").headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert client.get("/static/style.css").status_code == 200


def test_login_page_is_accessible(client: TestClient) -> None:
    html = client.get("/login").text
    assert '<html lang="fr">' in html
    assert html.count("<h1>") == 1
    for field in re.findall(r'<input id="([^"]+)"', html):
        assert f'<label for="{field}">' in html, field
    assert 'href="#contenu"' in html and 'id="contenu"' in html


def test_unknown_storage_errors_become_french_pages(client: TestClient) -> None:
    api_login(client, "bob")
    page = client.post("/agent/callbacks/999/done",
                       data={"csrf_token": client.get("/api/session").json()["csrf_token"]})
    assert page.status_code == 404 and "Élément introuvable" in page.text
    assert '<html lang="fr">' in page.text


def test_oversized_requests_are_refused_before_reading(web_db: Database) -> None:
    app = create_app(WebSettings(max_body_bytes=1000), web_db, hasher=HASHER)
    with TestClient(app) as client:
        answer = client.post("/api/session", content=b"{" + b" " * 2000 + b"}",
                             headers={"content-type": "application/json"})
        assert answer.status_code == 413 and answer.json()["code"] == "too_large"
        assert answer.headers["x-frame-options"] == "DENY"
        small = client.post("/api/session", json={"username": "bob", "password": "x"})
        assert small.status_code == 401

"""The analytics page and API on recorded calls: figures, SVG charts with data tables."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from ivr.storage import calls
from ivr.storage.database import Database
from ivr.storage.types import utc_now
from tests.web.conftest import api_login


def test_figures_charts_and_tables(client: TestClient, web_db: Database) -> None:
    start = utc_now() - timedelta(minutes=30)
    with web_db.transaction() as s:
        for n, outcome in enumerate(["resolved", "resolved", "transferred", "abandoned"]):
            calls.start_call(s, f"c{n}", None, started_at=start)
            calls.add_turn(s, f"c{n}", "caller", "horaires", intent="horaires")
            calls.add_turn(s, f"c{n}", "caller", "le bidule du machin")
            calls.end_call(s, f"c{n}", outcome, ended_at=start + timedelta(minutes=3),
                           transfer_queue="accueil" if outcome == "transferred" else None,
                           transfer_reason="demande un conseiller")
    api_login(client, "alice")
    page = client.get("/admin/statistiques", params={"jours": 7})
    assert page.status_code == 200
    assert '<dd id="total-appels">4</dd>' in page.text
    assert "50 % (2 sur 4 appels terminés)" in page.text
    assert '<dd id="duree-moyenne">3 min 0 s</dd>' in page.text
    assert page.text.count('<svg class="chart"') == 3 and 'aria-hidden="true"' in page.text
    assert "<caption>Phrases non comprises" in page.text and "le bidule du machin" in page.text
    assert "<th scope=\"row\">demande un conseiller</th><td>1</td>" in page.text
    data = client.get("/api/analytics", params={"jours": 7}).json()
    assert data["total"] == 4 and data["resolved_share"] == 0.5
    assert data["top_intents"] == [["horaires", 4]]
    assert data["not_understood"] == [["le bidule du machin", 4]]
    assert len(data["per_day"]) == 7 and sum(d["calls"] for d in data["per_day"]) == 4
    assert client.get("/api/analytics", params={"jours": 0}).status_code == 422

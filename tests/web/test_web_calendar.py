"""The appointments calendar: per service, per day or week, cancelling from the page or the
API; agents may use it, anonymous visitors may not."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from ivr.storage import appointments
from ivr.storage.appointments import OpeningPeriod, ServiceHours
from ivr.storage.database import Database
from tests.web.conftest import api_login, form_token

PARIS = ZoneInfo("Europe/Paris")
HOURS = {name: ServiceHours(name, tuple(OpeningPeriod(d, time(9), time(12)) for d in range(6)))
         for name in ("etat_civil", "urbanisme")}


def _book(db: Database, service: str, day: date, hour: int, name: str) -> int:
    with db.transaction() as s:
        return appointments.book(s, HOURS[service], datetime.combine(day, time(hour), PARIS),
                                 name=name, phone="0612345678").id


def test_week_and_day_views_by_service_and_cancelling(client: TestClient,
                                                      web_db: Database) -> None:
    tuesday, friday = date(2026, 5, 12), date(2026, 5, 15)
    martin = _book(web_db, "etat_civil", tuesday, 9, "Mme Martin")
    _book(web_db, "urbanisme", friday, 10, "M. Petit")
    _book(web_db, "etat_civil", date(2026, 5, 19), 9, "next week")
    api_login(client, "bob")
    week = client.get("/agent/rendez-vous", params={"jour": "2026-05-14"})
    assert "Semaine du lundi 11 mai 2026 : 2 rendez-vous" in week.text
    assert "Mardi 12 mai 2026" in week.text and "Mme Martin" in week.text
    assert "M. Petit" in week.text and "next week" not in week.text
    assert '<option value="etat_civil">le service état civil</option>' in week.text
    only = client.get("/agent/rendez-vous", params={"jour": "2026-05-14",
                                                    "service": "urbanisme"})
    assert "M. Petit" in only.text and "Mme Martin" not in only.text
    day = client.get("/agent/rendez-vous", params={"jour": "2026-05-12", "vue": "jour"})
    assert "Mardi 12 mai 2026 : 1 rendez-vous" in day.text.replace("mardi", "Mardi", 1)
    answer = client.post(f"/agent/rendez-vous/{martin}/annuler",
                         data={"csrf_token": form_token(day.text),
                               "retour": "/agent/rendez-vous?vue=jour&jour=2026-05-12"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/agent/rendez-vous?vue=jour&jour=2026-05-12&fait=annule"
    after = client.get(answer.headers["location"])
    assert "Rendez-vous annulé." in after.text and "Aucun rendez-vous." in after.text
    again = client.post(f"/agent/rendez-vous/{martin}/annuler",
                        data={"csrf_token": form_token(day.text)})
    assert again.status_code == 404


def test_the_appointments_api(client: TestClient, web_db: Database) -> None:
    booked = _book(web_db, "etat_civil", date(2026, 5, 12), 11, "Mme Martin")
    assert client.get("/api/appointments").status_code == 401
    headers = api_login(client, "bob")
    found = client.get("/api/appointments", params={
        "since": "2026-05-12T00:00:00+02:00", "until": "2026-05-13T00:00:00+02:00"}).json()
    assert [a["name"] for a in found] == ["Mme Martin"]
    naive = client.get("/api/appointments", params={"since": "2026-05-12T00:00:00"})
    assert naive.status_code == 422
    assert client.delete(f"/api/appointments/{booked}").status_code == 403  # no CSRF header
    assert client.delete(f"/api/appointments/{booked}", headers=headers).status_code == 204
    assert client.get("/api/appointments").json() == []
    assert client.get("/agent/rendez-vous", params={"vue": "mois"}).status_code == 422

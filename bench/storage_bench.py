"""Storage and privacy figures, printed as JSON: how much a call's bookkeeping costs.

Run: `.venv/bin/python bench/storage_bench.py` (SQLite file in a temporary directory), or with
`IVR_DATABASE_URL=postgresql+psycopg://...` for a PostgreSQL server (its tables must be empty
or absent). Figures: masking time per turn (microseconds) and for 100 000 odd characters
(worst of two adversarial texts, milliseconds), one turn recorded in its own transaction
(milliseconds), free-slot lookup (milliseconds), and 8 threads racing to book the same 40
slots (attempts per second; double bookings must be 0).
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import threading
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from ivr.privacy.masking import mask_text
from ivr.storage import appointments, calls
from ivr.storage.appointments import OpeningPeriod, ServiceHours
from ivr.storage.database import Database, DatabaseSettings
from ivr.storage.errors import SlotTaken

TURN = ("oui bonjour je voudrais prendre rendez-vous pour une carte d'identité mon numéro "
        "c'est le zéro six douze trente-quatre cinquante-six soixante-dix-huit")


def timed_ms(func: object, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()  # type: ignore[operator]
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    url = os.environ.get("IVR_DATABASE_URL") or (
        f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}")
    db = Database(DatabaseSettings(url=url))
    db.upgrade()
    mask = timed_ms(lambda: mask_text(TURN), 2000)
    worst = max(timed_ms(lambda: mask_text("a" * 100_000), 3)
                + timed_ms(lambda: mask_text("jean point " * 10_000), 3))

    with db.transaction() as s:
        calls.start_call(s, "bench", "0612345678")

    def one_turn() -> None:
        with db.transaction() as s:
            calls.add_turn(s, "bench", "caller", TURN, intent="rdv", confidence=0.9)

    turns = timed_ms(one_turn, 300)

    hours = ServiceHours("bench", tuple(OpeningPeriod(d, clock_time(8), clock_time(18))
                                        for d in range(7)), slot_minutes=15)
    day = date.today() + timedelta(days=30)

    def lookup() -> None:
        with db.transaction() as s:
            appointments.free_slots(s, hours, day)

    lookups = timed_ms(lookup, 200)
    slots = appointments.day_slots(hours, day)
    won: list[datetime] = []
    lost = [0]
    lock = threading.Lock()

    def racer(n: int) -> None:
        for slot in slots:
            try:
                with db.transaction() as s:
                    appointments.book(s, hours, slot, name=f"racer {n}")
                with lock:
                    won.append(slot)
            except SlotTaken:
                with lock:
                    lost[0] += 1

    threads = [threading.Thread(target=racer, args=(n,)) for n in range(8)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    race_s = time.perf_counter() - start
    db.dispose()
    print(json.dumps({
        "database": db.dialect,
        "mask_turn_us_median": round(statistics.median(mask) * 1000, 1),
        "mask_100k_chars_worst_ms": round(worst, 1),
        "record_turn_ms_median": round(statistics.median(turns), 2),
        "record_turn_ms_p95": round(statistics.quantiles(turns, n=20)[18], 2),
        "free_slots_ms_median": round(statistics.median(lookups), 2),
        "race_attempts": len(slots) * 8,
        "race_bookings": len(won),
        "race_double_bookings": len(won) - len(set(won)),
        "race_refused_slot_taken": lost[0],
        "race_attempts_per_s": round(len(slots) * 8 / race_s, 1),
    }, indent=2))


if __name__ == "__main__":
    main()

"""Storage: SQLAlchemy models, Alembic migrations and one repository module per area.

Repository functions take a `Session` (from `Database.transaction()`), flush but never commit,
and return frozen dataclasses (`ivr.storage.records`) that are safe to pass between threads.
Async code calls them through `await database.run(func, *args)` (one transaction in a worker
thread). Errors are `ivr.storage.errors.StorageError` subclasses with a machine-readable code.

What the call session uses:
- `calls`: `start_call`, `add_turn` (masks the text; keeps audio only if allowed), `end_call`;
- `appointments`: `free_slots(session, hours, day)`, `book(...)` (raises `SlotTaken` when
  another caller got the slot first, `SlotUnavailable` when it is not a slot), `cancel`;
- `tickets.open_ticket` (gives the "SIG-2026-000123" reference to read back to the caller);
- `callbacks.request_callback`;
- `flows.published(session, name)` (the YAML to run), `prompts.get_prompt` (recordings);
- `ivr.privacy.purge.purge_periodically(database, stop)` as a background task.
"""

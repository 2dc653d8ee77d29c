"""Storage: SQLAlchemy models, migrations and one repository module per area.

Repository functions take a `Session` (from `Database.transaction()`), flush but never commit,
and return frozen dataclasses (`ivr.storage.records`) that are safe to pass between threads.
"""

"""Backups of one install: `make_backup` writes one tar.gz, `restore_backup` puts it back.

An archive holds `manifest.json` (format, version, creation time, the database's Alembic
revision, what each member is), the database (`database/standardiste.sqlite3`, a consistent
copy made with SQLite's online backup API, or `database/standardiste.pgdump`, from
`pg_dump --format=custom`), the configured flow file and its companions (`flow/NAME...yaml`),
the recorded prompts folder (`prompts/...`) and the settings file in use
(`settings/standardiste.toml`). Never the Vosk models nor the prompt cache: both are rebuilt.
"""

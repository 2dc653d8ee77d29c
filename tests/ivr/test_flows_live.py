"""The flow registry: the shipped flow until one is published, a new published version for
the next call without a restart, calls in progress keep theirs, a broken version never
replaces a good one; checking, testing and importing bundles."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from dialogs.loader import LoadedFlow
from dialogs.runtime import default_flow_path
from dialogs.understanding import Understander
from ivr.flow_bundle import check_bundle, read_directory, run_tests
from ivr.flow_versions import FlowRejected, import_directory, publish_checked, save_checked
from ivr.flows_live import FlowRegistry
from ivr.storage import flow_bundles, flows
from ivr.storage.database import Database, DatabaseSettings
from ivr.storage.errors import NotFound

MAIRIE = read_directory(default_flow_path())
GREETING = "Bonjour, vous êtes bien à la mairie de Saint-Aubin-sur-Loire."


@pytest.fixture
def db(tmp_path: Path, sqlite_template: Path) -> Database:
    path = tmp_path / "flows.db"
    shutil.copyfile(sqlite_template, path)
    return Database(DatabaseSettings(url=f"sqlite:///{path}"))


def _greeting(registry: FlowRegistry) -> str:
    node = registry.current("mairie").loaded.flow.nodes["bonjour"]
    return str(node.say)


def test_the_shipped_bundle_is_checked_and_its_tests_pass() -> None:
    assert list(MAIRIE)[:1] == ["mairie.yaml"] and "mairie.tests.yaml" in MAIRIE
    checked = check_bundle(MAIRIE, "mairie.yaml")
    assert checked.usable and checked.errors == ()
    report = run_tests(MAIRIE)
    assert report.passed and len(report.outcomes) > 10


def test_errors_name_the_file_node_field_and_line() -> None:
    broken = MAIRIE["mairie.yaml"].replace("    next: confidentialite\n",
                                           "    next: nulle_part\n", 1)
    checked = check_bundle({**MAIRIE, "mairie.yaml": broken}, "mairie.yaml")
    assert not checked.usable
    issue = next(i for i in checked.errors if "nulle_part" in i.message)
    assert (issue.file, issue.node, issue.field) == ("mairie.yaml", "annonces_urgentes", "next")
    assert issue.line == broken.splitlines().index("    next: nulle_part") + 1


def test_registry_follows_publishing_and_calls_keep_their_version(db: Database) -> None:
    registry = FlowRegistry(db)
    before = registry.current("mairie")
    assert before.version is None  # nothing published: the shipped file
    assert registry.current("mairie") is before  # cached
    first = import_directory(db.transaction, default_flow_path(), author="test",
                             make_understander=registry.make_understander)
    publish_checked(db.transaction, "mairie", first.version,
                    make_understander=registry.make_understander)
    call_one = registry.current("mairie")
    assert call_one.version == 1
    welcome = "Bonjour et bienvenue, vous êtes bien à la mairie de Saint-Aubin-sur-Loire."
    changed = MAIRIE["mairie.yaml"].replace(GREETING, welcome)
    second, _ = save_checked(db.transaction, "mairie", {**MAIRIE, "mairie.yaml": changed},
                             author="t", make_understander=registry.make_understander)
    assert registry.current("mairie") is call_one  # saved is not published
    done = publish_checked(db.transaction, "mairie", second.version,
                           make_understander=registry.make_understander)
    adopted = registry.adopt("mairie", second.version, done.checked)  # as the back office does
    call_two = registry.current("mairie")
    assert call_two is adopted and call_two.version == 2 and _greeting(registry) == welcome
    # the call that started on version 1 still has its own flow
    assert call_one.loaded.flow.nodes["bonjour"].say == GREETING
    with pytest.raises(NotFound):
        registry.version("mairie", 9)


def test_a_broken_published_version_keeps_the_previous_one(db: Database) -> None:
    registry = FlowRegistry(db)
    with db.transaction() as s:
        good = flow_bundles.save_bundle(s, "mairie", MAIRIE, author="t")
        flows.publish(s, "mairie", good.version)
    assert registry.current("mairie").version == 1
    with db.transaction() as s:  # written behind the checks' back (e.g. by hand in SQL)
        bad = flow_bundles.save_bundle(s, "mairie", {**MAIRIE, "mairie.yaml": "name: x\n"},
                                       author="t")
        flows.publish(s, "mairie", bad.version)
    assert registry.current("mairie").version == 1


def test_publishing_is_refused_when_a_conversation_test_fails(db: Database) -> None:
    registry = FlowRegistry(db)
    changed = MAIRIE["mairie.yaml"].replace(GREETING, "Bonjour, ici la mairie.")
    record, _ = save_checked(db.transaction, "mairie", {**MAIRIE, "mairie.yaml": changed},
                             author="t", make_understander=registry.make_understander)
    with pytest.raises(FlowRejected) as refused:
        publish_checked(db.transaction, "mairie", record.version,
                        make_understander=registry.make_understander)
    assert refused.value.report is not None and refused.value.report.failures
    assert any("mairie de Saint-Aubin-sur-Loire" in f for _, o in refused.value.report.failures
               for f in o.failures)
    with db.transaction() as s:
        assert flow_bundles.published_version(s, "mairie") is None


def test_without_a_database_the_fallback_file_plays() -> None:
    registry = FlowRegistry(None)
    live = registry.current()
    assert live.version is None and live.loaded.flow.start == "accueil"


def test_checking_a_flow_holds_no_transaction(tmp_path: Path, sqlite_template: Path) -> None:
    """A check takes a second or more; on SQLite a transaction holds the write lock, so calls,
    the sweeper and /healthz would wait behind it. The factory runs inside the check and
    opens its own transaction, with a short busy timeout: it gets the lock at once."""
    path = tmp_path / "flows.db"
    shutil.copyfile(sqlite_template, path)
    db = Database(DatabaseSettings(url=f"sqlite:///{path}", busy_timeout_ms=100))
    registry = FlowRegistry(db)
    took_lock: list[bool] = []

    def writing_meanwhile(loaded: LoadedFlow) -> Understander:
        with db.transaction() as s:  # BEGIN IMMEDIATE: fails while another holds the lock
            s.execute(text("SELECT 1"))
        took_lock.append(True)
        return registry.make_understander(loaded)

    record, _ = save_checked(db.transaction, "mairie", MAIRIE, author="t",
                             make_understander=writing_meanwhile)
    publish_checked(db.transaction, "mairie", record.version,
                    make_understander=writing_meanwhile)
    assert took_lock == [True, True]
    with db.transaction() as s:
        assert flow_bundles.published_version(s, "mairie") == record.version

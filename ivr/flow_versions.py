"""What admins do with flow versions, with the checks that guard calls: save a new version
only when the real dialogs loader accepts it, publish only a version whose conversation tests
pass, import the shipped flow files as a first version.

Used by the back office and by `ivr flows`. Each function takes `transaction`, a factory of
one-transaction sessions (`Database.transaction`), and the understander factory (the French
one). A check takes about a second, and a hostile file could make it longer: it always runs
between transactions, never inside one (on SQLite every transaction holds the write lock, and
calls, the sweeper and health checks wait on it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from ivr.flow_bundle import (
    CheckedFlow,
    TestReport,
    UnderstanderFactory,
    check_bundle,
    read_directory,
    run_tests,
)
from ivr.storage import flow_bundles, flows
from ivr.storage.errors import InvalidValue
from ivr.storage.records import FlowVersionRecord

Transaction = Callable[[], AbstractContextManager[Session]]
"""Opens a session in one transaction, committed when the block ends (`Database.transaction`)."""


class FlowRejected(InvalidValue):
    """A version was refused: its flow has errors, or its conversation tests fail."""

    code = "flow_rejected"

    def __init__(self, message: str, checked: CheckedFlow | None = None,
                 report: TestReport | None = None) -> None:
        super().__init__(message)
        self.checked = checked
        self.report = report


def save_checked(
    transaction: Transaction, name: str, files: Mapping[str, str], *, author: str,
    make_understander: UnderstanderFactory,
) -> tuple[FlowVersionRecord, CheckedFlow]:
    """Store the files as a new version if the flow loads without error; `FlowRejected`
    (with the issues) and nothing stored otherwise. Warnings do not block. The check runs
    before the transaction that stores the version opens."""
    flow_bundles.check_files(name, files)
    checked = check_bundle(files, flow_bundles.main_file(name), make_understander)
    if not checked.usable:
        raise FlowRejected(f"{len(checked.errors)} error(s) in the flow: nothing saved",
                           checked=checked)
    with transaction() as session:
        return flow_bundles.save_bundle(session, name, files, author=author), checked


def save_with_changes(
    transaction: Transaction, name: str, base_version: int | None,
    changes: Mapping[str, str], *, author: str, make_understander: UnderstanderFactory,
) -> tuple[FlowVersionRecord, CheckedFlow]:
    """`save_checked` of `base_version`'s files with `changes` (see `files_with_changes`)."""
    with transaction() as session:
        files = files_with_changes(session, name, base_version, changes)
    return save_checked(transaction, name, files, author=author,
                        make_understander=make_understander)


@dataclass(frozen=True, slots=True)
class Published:
    record: FlowVersionRecord
    report: TestReport
    checked: CheckedFlow
    """The checked flow (a `FlowRegistry` can adopt it instead of loading it again)."""


def publish_checked(
    transaction: Transaction, name: str, version: int, *,
    make_understander: UnderstanderFactory,
) -> Published:
    """Publish a version after checking it and playing its conversation tests; `FlowRejected`
    (with the failures) and nothing changed when it has errors or a test fails. A version's
    files never change, so they are read in one transaction and published in another."""
    with transaction() as session:
        bundle = flow_bundles.get_bundle(session, name, version)
    files = dict(bundle.files)
    checked, report = _checked_and_tested(files, bundle.main_file, make_understander,
                                          f"version {version} of {name}")
    with transaction() as session:
        return Published(flows.publish(session, name, version), report, checked)


def _checked_and_tested(
    files: Mapping[str, str], main_file: str, make_understander: UnderstanderFactory,
    what: str,
) -> tuple[CheckedFlow, TestReport]:
    """Check the files and play their conversation tests, outside any transaction;
    `FlowRejected` when the flow has errors or a test fails."""
    checked = check_bundle(files, main_file, make_understander)
    if not checked.usable:
        raise FlowRejected(f"{what} has errors: not published", checked=checked)
    understander = checked.understander
    assert understander is not None, "a usable flow has its understander"
    report = run_tests(files, lambda _loaded: understander)  # built once, by the check
    if not report.passed:
        raise FlowRejected(
            f"{what}: {len(report.failures)} conversation test(s) fail "
            f"and {len(report.issues)} problem(s) in the tests: not published", report=report)
    return checked, report


def import_directory(
    transaction: Transaction, main_path: Path, *, name: str | None = None, author: str,
    make_understander: UnderstanderFactory, publish: bool = False,
) -> FlowVersionRecord:
    """Import a flow file and its `STEM.*.yaml` companions as a new version of flow STEM
    (checked); `name`, when given, must be that stem. With `publish`, its conversation tests
    must pass too, and the version is stored and published together: a version whose tests
    fail is not stored at all."""
    stem = main_path.name.removesuffix(".yaml")
    if name is not None and name != stem:
        raise InvalidValue(f"a flow named {name} has its main file named {name}.yaml (its "
                           f"companion files refer to it by that name): rename {main_path.name}")
    name, files = stem, read_directory(main_path)
    if not publish:
        record, _ = save_checked(transaction, name, files, author=author,
                                 make_understander=make_understander)
        return record
    flow_bundles.check_files(name, files)
    _checked_and_tested(files, flow_bundles.main_file(name), make_understander,
                        f"the flow in {main_path.name}")
    with transaction() as session:
        record = flow_bundles.save_bundle(session, name, files, author=author)
        return flows.publish(session, name, record.version)


def files_with_changes(
    session: Session, name: str, base_version: int | None, changes: Mapping[str, str],
) -> dict[str, str]:
    """The files of `base_version` (the newest version when None, nothing for a new flow)
    with `changes` applied (file name -> new text); a change to an empty text removes a
    companion file."""
    if base_version is None:
        versions = flows.list_versions(session, name)
        base_version = versions[0].version if versions else None
    files = {} if base_version is None else dict(
        flow_bundles.get_bundle(session, name, base_version).files)
    for filename, text in changes.items():
        if text.strip() or filename == flow_bundles.main_file(name):
            files[filename] = text
        else:
            files.pop(filename, None)
    return files

"""What admins do with flow versions, with the checks that guard calls: save a new version
only when the real dialogs loader accepts it, publish only a version whose conversation tests
pass, import the shipped flow files as a first version.

Used by the back office and by `ivr flows`. Each function takes a `Session` (one
transaction, committed by the caller) and the understander factory (the French one).
"""

from __future__ import annotations

from collections.abc import Mapping
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


class FlowRejected(InvalidValue):
    """A version was refused: its flow has errors, or its conversation tests fail."""

    code = "flow_rejected"

    def __init__(self, message: str, checked: CheckedFlow | None = None,
                 report: TestReport | None = None) -> None:
        super().__init__(message)
        self.checked = checked
        self.report = report


def save_checked(
    session: Session, name: str, files: Mapping[str, str], *, author: str,
    make_understander: UnderstanderFactory,
) -> tuple[FlowVersionRecord, CheckedFlow]:
    """Store the files as a new version if the flow loads without error; `FlowRejected`
    (with the issues) and nothing stored otherwise. Warnings do not block."""
    flow_bundles.check_files(name, files)
    checked = check_bundle(files, flow_bundles.main_file(name), make_understander)
    if not checked.usable:
        raise FlowRejected(f"{len(checked.errors)} error(s) in the flow: nothing saved",
                           checked=checked)
    return flow_bundles.save_bundle(session, name, files, author=author), checked


def publish_checked(
    session: Session, name: str, version: int, *, make_understander: UnderstanderFactory,
) -> tuple[FlowVersionRecord, TestReport]:
    """Publish a version after checking it and playing its conversation tests; `FlowRejected`
    (with the failures) and nothing changed when it has errors or a test fails."""
    bundle = flow_bundles.get_bundle(session, name, version)
    files = dict(bundle.files)
    checked = check_bundle(files, bundle.main_file, make_understander)
    if not checked.usable:
        raise FlowRejected(f"version {version} of {name} has errors: not published",
                           checked=checked)
    understander = checked.understander
    assert understander is not None, "a usable flow has its understander"
    report = run_tests(files, lambda _loaded: understander)  # built once, by the check
    if not report.passed:
        raise FlowRejected(
            f"version {version} of {name}: {len(report.failures)} conversation test(s) fail "
            f"and {len(report.issues)} problem(s) in the tests: not published", report=report)
    return flows.publish(session, name, version), report


def import_directory(
    session: Session, main_path: Path, *, name: str | None = None, author: str,
    make_understander: UnderstanderFactory,
) -> FlowVersionRecord:
    """Import a flow file and its `STEM.*.yaml` companions as a new version (checked)."""
    files = read_directory(main_path)
    stem = main_path.name.removesuffix(".yaml")
    name = name or stem
    if name != stem:  # the main file is NAME.yaml; the companions keep their names
        files = {flow_bundles.main_file(name) if key == main_path.name else key: text
                 for key, text in files.items()}
    record, _ = save_checked(session, name, files, author=author,
                             make_understander=make_understander)
    return record


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

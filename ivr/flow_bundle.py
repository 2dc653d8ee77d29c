"""Checking and running a stored flow version (a bundle of YAML files) with the real
`dialogs` loader, checks and conversation tests.

A bundle is a mapping file name -> YAML text whose main file is `NAME.yaml` (see
`ivr.storage.flow_bundles`). The dialogs loader reads files, so a bundle is written to a
private temporary directory for the time of a check, then removed; issues name the bundle's
file names (not the temporary paths). The understander is built inside that directory too, so
a `CheckedFlow` needs no file afterwards. Every file is first read as parser events only:
an anchor, an alias (the "billion laughs" that would take minutes and gigabytes to walk) or a
file over `dialogs.yaml_safe.MAX_YAML_CHARS` is an issue before anything is built.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from dialogs.errors import DialogsError, FlowError, FlowIssue
from dialogs.loader import LoadedFlow, check_flow
from dialogs.runtime import french_understander
from dialogs.scenarios import Outcome, load_suite, run_suite
from dialogs.understanding import Understander
from dialogs.yaml_safe import UnsafeYaml, check_text, safe_load

UnderstanderFactory = Callable[[LoadedFlow], Understander]


@dataclass(frozen=True, slots=True)
class CheckedFlow:
    """The result of checking a bundle: the usable flow (None when it has errors) and every
    issue, errors and warnings, with the bundle's file names."""

    loaded: LoadedFlow | None
    understander: Understander | None
    issues: tuple[FlowIssue, ...]

    @property
    def errors(self) -> tuple[FlowIssue, ...]:
        return tuple(issue for issue in self.issues if is_error(issue))

    @property
    def usable(self) -> bool:
        return self.loaded is not None and self.understander is not None and not self.errors


@dataclass(frozen=True, slots=True)
class TestReport:
    """Conversation tests of a bundle: outcomes per tests file, or the issues that kept them
    from running."""

    outcomes: tuple[tuple[str, Outcome], ...]
    """(tests file name, outcome of one conversation)."""
    issues: tuple[FlowIssue, ...] = ()

    @property
    def failures(self) -> list[tuple[str, Outcome]]:
        return [(name, outcome) for name, outcome in self.outcomes if not outcome.passed]

    @property
    def passed(self) -> bool:
        return not self.issues and not self.failures


def is_error(issue: FlowIssue) -> bool:
    """Whether an issue makes the flow unusable (warnings, when dialogs reports them, do not)."""
    return getattr(issue, "severity", "error") == "error"


def read_directory(main_path: Path) -> dict[str, str]:
    """A bundle from disk: the main file `STEM.yaml` first, then every `STEM.*.yaml` next to
    it (the shipped town-hall flow: flow, intents, knowledge base, hours, tests...), and any
    other file of that folder the main file names at its top level (`hours: commun.hours.yaml`).
    A file elsewhere cannot travel in a bundle: the check then reports it as unreadable."""
    text = main_path.read_text(encoding="utf-8")
    files = {main_path.name: text}
    stem = main_path.name.removesuffix(".yaml")
    names = [path.name for path in sorted(main_path.parent.glob(f"{stem}.*.yaml"))]
    for name in [*names, *_named_files(text)]:
        path = main_path.parent / name
        if name not in files and path.is_file():
            files[name] = path.read_text(encoding="utf-8")
    return files


def _named_files(text: str) -> list[str]:
    """Plain file names (no folder) given as top-level values of a flow file."""
    try:
        data = safe_load(text)
    except yaml.YAMLError:
        return []  # the check of the bundle says what is wrong with it
    if not isinstance(data, dict):
        return []
    return [value for value in data.values() if isinstance(value, str)
            and value.endswith((".yaml", ".yml")) and "/" not in value
            and not value.startswith(".")]


@contextmanager
def materialised(files: Mapping[str, str]) -> Iterator[Path]:
    """The bundle written to a private temporary directory (removed afterwards)."""
    with tempfile.TemporaryDirectory(prefix="ivr-flow-") as directory:
        base = Path(directory)
        for filename, text in files.items():
            if "/" in filename or filename.startswith("."):
                raise ValueError(f"bad file name in a flow bundle: {filename!r}")
            (base / filename).write_text(text, encoding="utf-8")
        yield base


def _relative(issues: list[FlowIssue] | tuple[FlowIssue, ...]) -> tuple[FlowIssue, ...]:
    return tuple(replace(issue, file=Path(issue.file).name) for issue in issues)


def unsafe_files(files: Mapping[str, str]) -> tuple[FlowIssue, ...]:
    """An issue (with its line) for each file refused unbuilt: anchor, alias or too long.
    Broken syntax is left to the loader, which explains it better."""
    issues: list[FlowIssue] = []
    for filename, text in files.items():
        try:
            check_text(text)
        except UnsafeYaml as err:
            line = err.problem_mark.line + 1 if err.problem_mark is not None else None
            issues.append(FlowIssue(filename, f"invalid YAML: {err.problem}", line=line))
        except yaml.YAMLError:
            pass
    return tuple(issues)


def check_bundle(
    files: Mapping[str, str], main: str,
    make_understander: UnderstanderFactory = french_understander,
) -> CheckedFlow:
    """Load the bundle's main file with every check of `dialogs`, then build its
    understander; problems come back as issues, never as exceptions. Quick to refuse a
    file with anchors or aliases (see `unsafe_files`); otherwise takes about a second, so
    never call it inside a database transaction (see `ivr.flow_versions`)."""
    refused = unsafe_files(files)
    if refused:
        return CheckedFlow(None, None, refused)
    with materialised(files) as base:
        loaded, issues = check_flow(base / main)
        found = list(_relative(issues))
        understander = None
        if loaded is not None and not any(is_error(issue) for issue in found):
            try:
                understander = make_understander(loaded)
            except DialogsError as err:
                found.append(FlowIssue(main, f"understanding cannot be built: {err}"))
    return CheckedFlow(loaded if understander is not None else None, understander, tuple(found))


def run_tests(
    files: Mapping[str, str], make_understander: UnderstanderFactory = french_understander,
) -> TestReport:
    """Play every `*.tests.yaml` of the bundle (none: an empty, passing report)."""
    outcomes: list[tuple[str, Outcome]] = []
    issues: list[FlowIssue] = []
    with materialised(files) as base:
        for filename in sorted(name for name in files if name.endswith(".tests.yaml")):
            try:
                suite = load_suite(base / filename)
                outcomes += [(filename, o) for o in run_suite(suite, make_understander)]
            except FlowError as err:
                issues += _relative(err.issues)
            except DialogsError as err:
                issues.append(FlowIssue(filename, str(err)))
    return TestReport(tuple(outcomes), tuple(issues))

"""Errors of the dialogs package: one base with a machine-readable `code`.

A broken flow file raises `FlowError`, which lists every problem found as a `FlowIssue`
(file, line, node, field, message) so that an admin can fix them all in one pass. Warnings
(long or jargon-laden prompts, speech-only choices) are issues of severity "warning": they
are listed but do not stop a flow from loading.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


class DialogsError(Exception):
    """Base of every error raised by the dialogs package."""

    code: str = "dialogs_error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


@dataclass(frozen=True, slots=True)
class FlowIssue:
    """One problem in a flow or one of its data files."""

    file: str
    """Path of the file, as given to the loader."""
    message: str
    """What is wrong, in plain words."""
    line: int | None = None
    """1-based line in `file`, when known."""
    node: str | None = None
    """Id of the node concerned, when the problem is inside a node."""
    field: str | None = None
    """Dotted path of the field concerned inside the node (or the file)."""
    severity: Severity = "error"
    """An error makes the flow unusable; a warning (wording, keypad access) does not."""

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where]
        if self.severity == "warning":
            parts.append("warning")
        if self.node is not None:
            parts.append(f"node '{self.node}'")
        if self.field:
            parts.append(f"field '{self.field}'")
        return ": ".join(parts) + f": {self.message}"


class FlowError(DialogsError):
    """A flow (or its knowledge base, hours or tests file) cannot be used."""

    code = "flow_invalid"

    def __init__(self, issues: list[FlowIssue]) -> None:
        self.issues = tuple(issues)
        lines = "\n".join(f"  {issue}" for issue in self.issues)
        super().__init__(f"{len(self.issues)} problem(s) in the flow:\n{lines}")


class ServiceError(DialogsError):
    """A town-hall service (agenda, tickets, callbacks) refused or failed a request."""

    code = "service_failed"


class SlotTaken(ServiceError):
    """The appointment slot asked for is no longer free."""

    code = "slot_taken"

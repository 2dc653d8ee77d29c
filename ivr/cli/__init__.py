"""The `ivr` command line: one module per sub-command, each with `register(subparsers)`.

A sub-command module defines `register(sub: argparse._SubParsersAction) -> None`, which adds
its parser and sets `func` (taking the parsed namespace, returning an exit code).
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Sequence
from typing import Any

# Sub-command modules, in the order they appear in `ivr --help`.
COMMANDS: tuple[str, ...] = (
    "serve",
    "install_service",
    "call",
    "chat",
    "nlu",
    "learn",
    "test_flows",
    "check_flow",
    "say",
    "models",
    "eval_asr",
    "db",
    "users",
    "purge",
    "privacy",
    "flows",
    "backup",
    "doctor",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ivr", description="standardiste: offline voice assistant for a town hall."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"ivr.cli.{name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[Any], int] = args.func
    return func(args)

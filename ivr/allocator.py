"""The memory allocator `ivr serve` runs on: jemalloc when it is installed, else the system's.

Vosk's decoders allocate and free many small native blocks (decoding tokens, lattice links)
from several decoding threads. On glibc's allocator the service's resident memory kept
growing for an hour of steady calls (+5.05 % after warm-up); on jemalloc it is about 100 MB
lower and grows more slowly (+3.28 %; README, "Reliability", soak). jemalloc (Debian's
`libjemalloc2`) can only replace malloc when it is loaded before anything else, through
LD_PRELOAD, so `ivr serve` starts itself again once with it set: `os.execve`, same process
id (systemd and the benchmarks see the same process), before any model or module of the
service is loaded. The process's own environment is then put back as it was, so that the
programs it starts (espeak-ng) are not affected.

Settings: `[service] allocator`, "jemalloc" (default) or "system".
"""

from __future__ import annotations

import glob
import os
import sys
from collections.abc import Mapping, MutableMapping
from pathlib import Path

JEMALLOC = "jemalloc"
SYSTEM = "system"
CHOICES = (JEMALLOC, SYSTEM)
LIBRARY_PATTERNS = ("/usr/lib/*/libjemalloc.so.2", "/usr/lib/libjemalloc.so.2",
                    "/usr/local/lib/libjemalloc.so.2")
"""Where Debian (multiarch) and a local build put the library."""
PRELOADED = "STANDARDISTE_LD_PRELOAD_BEFORE"
"""Set for the process started again: LD_PRELOAD as it was before ("" when unset). Its
presence also means "already started again": never twice."""


def jemalloc_library() -> Path | None:
    """The installed jemalloc library, if any."""
    for pattern in LIBRARY_PATTERNS:
        for found in sorted(glob.glob(pattern)):
            return Path(found)
    return None


def mapped(maps: str, library: str = "libjemalloc") -> bool:
    """Whether `library` is among the files of a /proc/PID/maps text."""
    return any(line.rsplit("/", 1)[-1].startswith(library) for line in maps.splitlines()
               if "/" in line)


def jemalloc_loaded() -> bool:
    """Whether this process runs with jemalloc loaded."""
    try:
        return mapped(Path("/proc/self/maps").read_text())
    except OSError:
        return False


def restart_env(choice: str, environ: Mapping[str, str], library: Path | None,
                loaded: bool) -> dict[str, str] | None:
    """The environment to start this process again with, so that it runs on jemalloc; None
    when it should go on as it is: the system's allocator asked for, jemalloc already loaded
    or not installed, or this process already started again."""
    if choice != JEMALLOC or loaded or library is None or PRELOADED in environ:
        return None
    before = environ.get("LD_PRELOAD", "")
    env = dict(environ)
    env[PRELOADED] = before
    env["LD_PRELOAD"] = f"{library}:{before}" if before else str(library)
    return env


def restore(environ: MutableMapping[str, str]) -> None:
    """In the process started again: LD_PRELOAD as it was before, for the programs it runs."""
    if PRELOADED not in environ:
        return
    before = environ.pop(PRELOADED)
    if before:
        environ["LD_PRELOAD"] = before
    else:
        environ.pop("LD_PRELOAD", None)


def start_again_if_needed(choice: str) -> str:
    """Start this process again on jemalloc when `choice` asks for it and it can (does not
    return then), else put the environment back and return the line for the log."""
    library, loaded = jemalloc_library(), jemalloc_loaded()
    env = restart_env(choice, os.environ, library, loaded)
    if env is not None:
        sys.stdout.flush()
        sys.stderr.flush()
        os.execve(sys.executable, sys.orig_argv, env)
    restore(os.environ)
    return describe(choice, library, loaded)


def describe(choice: str, library: Path | None, loaded: bool) -> str:
    """One line for the log: which allocator this process runs on, and why."""
    if loaded:
        return f"memory allocator: jemalloc ({library or 'preloaded'})"
    if choice == SYSTEM:
        return "memory allocator: the system's ([service] allocator = \"system\")"
    if library is None:
        return ("memory allocator: the system's (jemalloc is not installed: "
                "apt-get install libjemalloc2; memory then grows more over hours)")
    return "memory allocator: the system's (jemalloc could not be preloaded)"

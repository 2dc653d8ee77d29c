"""Loaded by `bench/soak.py --trace-python` into the service it starts (this folder is put on
its PYTHONPATH): traces the Python heap with `tracemalloc` and, every 5 s, writes the memory
traced (bytes) to `$SOAK_TRACE_DIR/<pid>`, so that the soak can tell the Python heap's growth
from the process's RSS (the rest is native memory: Vosk, glibc). Not part of the service."""

from __future__ import annotations

import os
import threading
import time
import tracemalloc


def _write(folder: str) -> None:
    path = os.path.join(folder, str(os.getpid()))
    while True:
        current, _peak = tracemalloc.get_traced_memory()
        with open(path + ".tmp", "w", encoding="ascii") as out:
            out.write(str(current))
        os.replace(path + ".tmp", path)
        time.sleep(5)


if os.environ.get("SOAK_TRACE_DIR"):
    tracemalloc.start(1)
    threading.Thread(target=_write, args=(os.environ["SOAK_TRACE_DIR"],), daemon=True,
                     name="soak-trace").start()

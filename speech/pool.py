"""The bounded pool of threads that runs every call's blocking Vosk decoding off the event
loop (re-exported by `speech.recognizer`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class DecoderPool:
    """A bounded pool of decoder threads shared by every call's recognizers."""

    def __init__(self, max_workers: int = 2) -> None:
        if max_workers < 1:
            raise ValueError(f"max_workers must be at least 1, got {max_workers}")
        self.max_workers = max_workers
        self._executor = ThreadPoolExecutor(max_workers, thread_name_prefix="vosk-decoder")

    async def run(self, func: Callable[..., T], *args: Any) -> T:
        """Run a blocking decoder call in the pool and await its result."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, func, *args)

    def close(self) -> None:
        """Stop the threads once the queued work is done."""
        self._executor.shutdown(wait=True)

    def __enter__(self) -> DecoderPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

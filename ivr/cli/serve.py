"""`ivr serve`: run the service (AudioSocket server, AMI client, back office) until SIGTERM or
SIGINT, then end calls politely and stop.

Settings: `--config PATH` (TOML), else $IVR_CONFIG, else /etc/standardiste/standardiste.toml
if it exists; IVR_* environment variables override the file (README, "Running the service").
Exit codes: 0 after a clean stop, 2 when the settings or the flow cannot be used or the
AudioSocket port cannot be listened on.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ivr import allocator
from ivr.config import ConfigError, load_settings
from ivr.service import Service

log = logging.getLogger("ivr.serve")


def register(sub: Any) -> None:
    parser = sub.add_parser("serve", help="run the voice assistant service")
    parser.add_argument("--config", type=Path, default=None,
                        help="TOML settings file (default: $IVR_CONFIG or "
                             "/etc/standardiste/standardiste.toml when present)")
    parser.add_argument("--log-level", default="INFO",
                        choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    parser.set_defaults(func=run)


SWITCH_INTERVAL_S = 0.001


def configure_logging(level: str) -> None:
    logging.basicConfig(level=getattr(logging, level),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """Put what start-up built (modules, flows, prompts, the web app) out of the garbage
    collector's reach while the service runs: a full collection then walks only what calls
    allocate. Unfrozen, each one walked some 185,000 start-up objects and stopped every
    call's paced audio for 80-95 ms (seen while fuzzing AudioSocket, issue 16); frozen, it
    takes about 10 ms. The price: a start-up object that later becomes garbage inside a
    reference cycle (a flow replaced by a new version) stays until the service stops, so at
    most what start-up built; objects freed by reference counting go at once as before."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def run(args: argparse.Namespace) -> int:
    configure_logging(args.log_level)
    try:
        settings = load_settings(args.config)
    except ConfigError as err:
        print(f"ivr serve: {err}", file=sys.stderr)
        return 2
    log.info(allocator.start_again_if_needed(settings.service.allocator))  # may not return
    # Decoder threads hand the interpreter back to the event loop (paced audio, every call's
    # voice detection) after 1 ms instead of Python's 5: outbound frames keep their 20 ms.
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    return asyncio.run(serve(Service(settings)))


async def serve(service: Service) -> int:
    """Start, wait for SIGTERM/SIGINT, stop."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        try:
            await service.start()
        except ConfigError as err:
            print(f"ivr serve: {err}", file=sys.stderr)
            await service.close()
            return 2
        with frozen_heap():
            await stop.wait()
            log.info("stopping: new calls refused, calls in progress are ending")
            await service.close()
        return 0
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)

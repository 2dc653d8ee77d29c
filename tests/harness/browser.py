"""A real headless Chromium (Debian's `chromium` package, driven by Playwright's bundled
driver; `playwright install` is never run) and a real uvicorn server on a loopback port.

Skips with the reason when Chromium or Playwright is missing, fails instead under
IVR_REQUIRE_REAL_SERVICES=1.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from tests.harness.real_services import unavailable

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--disable-dev-shm-usage",
]


def find_chromium() -> str | None:
    candidates = ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser"))
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium browser (Playwright `Browser`), shared by one module's tests.

    Module scope, not session: Playwright's sync API keeps an event loop running in the main
    thread while it is open, which would break asyncio tests collected after it."""
    path = find_chromium()
    if path is None:
        unavailable("Chromium is not installed (scripts/apt-test.txt lists the package chromium)")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        unavailable("the playwright Python package is not installed (test extra)")
    with sync_playwright() as playwright:
        try:
            instance = playwright.chromium.launch(
                executable_path=path, headless=True,
                args=[*CHROMIUM_ARGS, "--use-fake-ui-for-media-stream",
                      "--use-fake-device-for-media-stream"])
        except Error as err:
            unavailable(f"Chromium did not start: {err}")
        try:
            yield instance
        finally:
            instance.close()


@asynccontextmanager
async def async_browser() -> AsyncIterator[Any]:
    """A headless Chromium (Playwright's async `Browser`) in the running event loop: for a
    test that drives pages while its own asyncio work (a service, SIP phones) goes on."""
    path = find_chromium()
    if path is None:
        unavailable("Chromium is not installed (scripts/apt-test.txt lists the package chromium)")
    try:
        from playwright.async_api import Error, async_playwright
    except ImportError:
        unavailable("the playwright Python package is not installed (test extra)")
    async with async_playwright() as playwright:
        try:
            instance = await playwright.chromium.launch(executable_path=path, headless=True,
                                                        args=CHROMIUM_ARGS)
        except Error as err:
            unavailable(f"Chromium did not start: {err}")
        try:
            yield instance
        finally:
            await instance.close()


async def signed_in_console(browser: Any, base_url: str, username: str, password: str) -> Any:
    """A new page (async Playwright) signed in as `username`, on the agent console's calls
    list, its live event stream open. More pages of the same session:
    `page.context.new_page()`."""
    context = await browser.new_context(locale="fr-FR")
    page = await context.new_page()
    await page.goto(f"{base_url}/login")
    await page.get_by_label("Identifiant").fill(username)
    await page.get_by_label("Mot de passe").fill(password)
    await page.get_by_role("button", name="Se connecter").click()
    await page.wait_for_url(f"{base_url}/agent", wait_until="load")  # an agent's home
    await page.goto(f"{base_url}/agent/calls", wait_until="load")
    await page.locator("html[data-live=ouvert]").wait_for(state="attached")
    return page


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on 127.0.0.1 in a thread; yields its base URL."""
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)

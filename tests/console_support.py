"""Helpers of the console's browser tests: the real app on a free port, and Debian's Chromium.

The app runs in a thread with its own event loop and driver (as `kizuna serve` would); the
browser is the system Chromium driven by Playwright, never a downloaded one.
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from pathlib import Path

import uvicorn

from api.app import create_app
from api.config import ApiConfig
from kizuna.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    """Kizuna's FastAPI app served by uvicorn in a background thread."""

    def __init__(self, settings: Settings):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Shipped limits, except time budgets generous enough for a loaded test machine.
        api_config = ApiConfig(path_time_budget_ms=20_000, request_timeout_seconds=120.0)
        config = uvicorn.Config(create_app(settings, api_config), host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="kizuna-console-app", daemon=True)

    def __enter__(self) -> "AppServer":
        self.thread.start()
        deadline = time.monotonic() + 120  # start-up plans the path queries; the test machine is busy
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the API did not start for the console tests")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


def browser_profile() -> str:
    """A fresh user-data-dir for every browser: no state leaks between runs."""
    return tempfile.mkdtemp(prefix="kizuna-chromium-")


async def issue_key(db, role: str) -> str:
    """An API key of ``role`` for the browser to sign in with."""
    from api.auth import create_api_key
    from api.config import ApiConfig

    _, key = await create_api_key(db, ApiConfig(), name=f"console-test-{role}", role=role)
    return key


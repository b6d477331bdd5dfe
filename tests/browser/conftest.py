"""Browser tests drive Debian's Chromium through Playwright against the real ASGI server."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import processes
from tests.processes import ARTIFACTS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Playwright keeps an event loop in the main thread; Django's ORM calls from tests are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make test installs it when run as root)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"],
    }


@pytest.fixture
def screenshot_dir(request: pytest.FixtureRequest) -> Path:
    folder = ARTIFACTS / "screenshots" / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class RestartableServer:
    """The real daphne server on a fixed port that a test may stop and start again (a server restart)."""

    def __init__(self) -> None:
        self.port = processes.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = processes.start_asgi_server(self.port)

    def restart(self, *, down_for: float = 0.0) -> None:
        """Kill the server (every socket drops at once), wait `down_for` seconds, then start it on the same port."""
        processes.stop(self.process, kill=True)
        time.sleep(down_for)
        self.process = processes.start_asgi_server(self.port)

    def stop(self) -> None:
        processes.stop(self.process)


@pytest.fixture
def restartable_server(transactional_db) -> Iterator[RestartableServer]:
    server = RestartableServer()
    try:
        yield server
    finally:
        server.stop()

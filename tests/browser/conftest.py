"""Browser tests drive Debian's Chromium through Playwright against the real ASGI server."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

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

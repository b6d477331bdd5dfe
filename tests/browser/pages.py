"""Helpers of the lesson page's browser tests: signing in, the page's own controls, screenshots per viewport."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.processes import ROOT

PASSWORD = "correct-horse-battery-9"
SETTLE_MS = 20_000
SCREENSHOTS = ROOT / "var" / "screenshots"
VIEWPORTS = ((1440, 900), (1280, 720))


def screenshot_folder(test_name: str) -> Path:
    """`var/screenshots/<test name>/` (git-ignored), made fresh for the test."""
    folder = SCREENSHOTS / re.sub(r"[^\w.\[\]-]+", "_", test_name)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shots(page: Page, folder: Path, stage: str, *, language: str) -> list[Path]:
    """Screenshots of the page as it is now at 1440x900 and at 1280x720 (the window, as a learner sees it), then
    back at 1440x900. Named `<stage>-<language>-<width>x<height>.png`."""
    saved = []
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(250)  # the panes refit and xterm refits its columns
        path = folder / f"{stage}-{language}-{width}x{height}.png"
        page.screenshot(path=str(path))
        saved.append(path)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.wait_for_timeout(250)
    return saved


def sign_in(page: Page, base_url: str, *, language: str = "en", path: str = "playground/") -> None:
    """Sign `ada` in and open the playground at 1440x900; returns once the snapshot is drawn."""
    page.set_viewport_size({"width": 1440, "height": 900})
    page.set_extra_http_headers({"Accept-Language": f"{language};q=0.9"})
    page.goto(f"{base_url}/{language}/accounts/login/?next=/{language}/{path}")
    page.locator("#id_username").fill("ada")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_test_id("submit").click()
    expect(page).to_have_url(f"{base_url}/{language}/{path}")
    expect(page.locator("body.podlab-ready")).to_have_count(1, timeout=SETTLE_MS)
    expect(page.locator("#connection")).to_have_attribute("data-state", "open", timeout=SETTLE_MS)
    expect(node_header(page, "worker-1")).to_be_visible(timeout=SETTLE_MS)


def speed_up(page: Page, value: str = "60") -> None:
    page.locator("#time-speed").select_option(value)
    expect(page.locator("#control-status")).to_have_attribute("data-ok", "true", timeout=SETTLE_MS)


def terminal_run(page: Page, line: str, expected_output: str | re.Pattern) -> None:
    page.locator("#terminal .xterm-screen").click()
    page.keyboard.type(line)
    page.keyboard.press("Enter")
    expect(page.locator("#terminal .xterm-rows")).to_contain_text(expected_output, timeout=SETTLE_MS)


def editor_submit(page: Page, text: str, *, dry_run: bool = False) -> None:
    """Put `text` into the YAML editor and press Apply (or Dry run)."""
    page.evaluate("text => window.podlab.editor.load(text)", text)
    page.locator("#editor-dry-run" if dry_run else "#editor-apply").click()


def node_header(page: Page, name: str) -> Locator:
    return page.locator(f'#diagram g.node-header[aria-label^="{name}:"]')


def pod(page: Page, name: str) -> Locator:
    return page.locator(f'#diagram g.pod:not(.pod--deleted)[aria-label^="{name}:"]')

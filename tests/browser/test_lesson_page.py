"""The lesson page as a newcomer meets it (issue 19), end to end: real daphne, a real Celery worker, Redis and
Debian's Chromium. Every test runs in English and in Russian and saves its screenshots at 1440x900 and 1280x720
under `var/screenshots/<test>/`."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests import processes
from tests.browser.pages import (
    SETTLE_MS,
    editor_submit,
    node_header,
    pod,
    screenshot_folder,
    shots,
    sign_in,
    speed_up,
    terminal_run,
)

LANGUAGES = ["en", "ru"]
WORDS = {
    "en": {"line": "Line", "whole number": "must be a whole number", "unknown": "is not a field here",
           "reset": "Reset the cluster", "run": "Run in terminal", "waiting": "Why is it waiting?",
           "lacks": "What each node lacks", "create deployment": "create Deployment web",
           "event": "Event"},
    "ru": {"line": "Строка", "whole number": "нужно целое число", "unknown": "здесь нет такого поля",
           "reset": "Сбросить кластер", "run": "Выполнить в терминале", "waiting": "Почему он ждёт?",
           "lacks": "Чего не хватает каждому узлу", "create deployment": "создать Deployment web",
           "event": "Event"},
}
HUGE_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: huge
spec:
  containers:
  - name: app
    image: nginx:1.27
    resources:
      requests:
        cpu: "64"
"""


@pytest.fixture
def folder(request: pytest.FixtureRequest) -> Path:
    return screenshot_folder(request.node.name)


@pytest.fixture
def server(learner, celery_worker_process, asgi_server: str) -> str:
    """The real server and worker; yields the server's base URL."""
    return asgi_server


def open_playground(page: Page, server: str, language: str, *, fast: bool = True) -> None:
    sign_in(page, server, language=language)
    if fast:
        speed_up(page)


# ------------------------------------------------------------------ 1. a pending pod explains itself

@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_pending_pod_is_named_and_its_per_node_verdicts_are_one_click_away(page: Page, server: str, language: str,
                                                                          folder: Path):
    open_playground(page, server, language)
    editor_submit(page, HUGE_POD)
    waiting = page.locator('#diagram g.waiting-pod[aria-label^="huge:"]')
    expect(waiting).to_be_visible(timeout=SETTLE_MS)
    # The chip names the pod and says why in short, as soon as the scheduler has tried.
    expect(waiting).to_contain_text("huge")
    expect(waiting).to_contain_text("Insufficient cpu", timeout=SETTLE_MS)
    expect(page.locator("#diagram g.queue")).to_contain_text("huge")
    waiting.click()
    details = page.locator("#diagram-details")
    expect(details.get_by_role("heading", name=WORDS[language]["waiting"])).to_be_visible()
    # The FailedScheduling message, word for word, and one row per node with the plugin that rejected it.
    expect(details).to_contain_text("0/4 nodes are available", timeout=SETTLE_MS)
    expect(details).to_contain_text(WORDS[language]["lacks"])
    rows = details.locator("table.verdicts tbody tr")
    expect(rows).to_have_count(4, timeout=SETTLE_MS)
    expect(rows.filter(has_text="control-plane")).to_contain_text("TaintToleration")
    for worker in ("worker-1", "worker-2", "worker-3"):
        expect(rows.filter(has_text=worker)).to_contain_text("NodeResourcesFit")
        expect(rows.filter(has_text=worker)).to_contain_text("Insufficient cpu")
    # AGE runs on with the simulated clock (at x60 a wall second is a minute): it is not stuck at 0s.
    age = details.locator("dd[data-since]")
    first = age.inner_text()
    page.wait_for_timeout(2500)
    assert age.inner_text() != first, "the waiting pod's AGE did not move"
    shots(page, folder, "1-pending-pod-verdicts", language=language)


# ------------------------------------------------------------------ 2. YAML errors at their line

MULTI_DOCUMENT = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: "eighty"
"""


def cursor_line(page: Page) -> int:
    return page.evaluate("(() => { const v = window.podlab.editor.view; "
                         "return v.state.doc.lineAt(v.state.selection.main.head).number; })()")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", LANGUAGES)
def test_manifest_errors_are_shown_at_their_fields_line_in_the_learners_words(page: Page, server: str, language: str,
                                                                             folder: Path):
    open_playground(page, server, language, fast=False)
    words = WORDS[language]
    result = page.locator("#editor-result")
    editor_submit(page, MULTI_DOCUMENT, dry_run=True)
    expect(result).to_have_class(re.compile(r"\berror\b"), timeout=SETTLE_MS)
    # The type error of the second document is on line 24 of the text, not line 1 or 8.
    expect(result).to_contain_text(f"{words['line']} 24")
    expect(result).to_contain_text(words["whole number"])
    expect(result.locator(".server-message")).to_contain_text(
        "cannot unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort")
    expect(page.locator("#editor .cm-lint-marker-error")).to_have_count(1)
    result.get_by_role("button", name=f"{words['line']} 24").click()
    assert cursor_line(page) == 24
    shots(page, folder, "1-type-error-line-24", language=language)

    # Two misspelt fields: each at its own line.
    image = "        image: nginx:1.27\n"
    text = MULTI_DOCUMENT.replace('"eighty"', "80").replace(image, image + "        imagePullPolicee: Always\n")
    text = text.replace("  replicas: 2\n", "  replicass: 2\n")
    editor_submit(page, text, dry_run=True)
    expect(result).to_contain_text(f"{words['line']} 13", timeout=SETTLE_MS)
    expect(result).to_contain_text(f"{words['line']} 23")
    expect(result).to_contain_text(words["unknown"])
    expect(page.locator("#editor .cm-lint-marker-error")).to_have_count(2)
    shots(page, folder, "2-unknown-fields", language=language)


# ------------------------------------------------------------------ 3. the layout

def panel_boxes(page: Page) -> dict[str, dict]:
    return {name: page.locator(selector).bounding_box() for name, selector in (
        ("lesson", "section#lesson"), ("diagram", ".diagram-panel"), ("terminal", ".terminal-panel"),
        ("editor", ".editor-panel"))}


def assert_all_in_the_window(page: Page, width: int, height: int) -> None:
    for name, box in panel_boxes(page).items():
        assert box["x"] >= 0, (name, box)
        assert box["x"] + box["width"] <= width + 0.5, (name, box)
        assert box["y"] >= 0, (name, box)
        assert box["y"] + box["height"] <= height + 0.5, (name, box)
        assert box["height"] >= 150, (name, box)
        assert box["width"] >= 220, (name, box)
    assert page.evaluate("document.scrollingElement.scrollHeight") <= height, "the page itself scrolls"


def terminal_columns(page: Page) -> int:
    return page.evaluate("window.podlab.terminal.term.cols")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", LANGUAGES)
def test_lesson_terminal_editor_and_diagram_fit_the_window_with_splitters(page: Page, server: str, language: str,
                                                                          folder: Path):
    open_playground(page, server, language, fast=False)
    assert_all_in_the_window(page, 1440, 900)
    assert terminal_columns(page) >= 100
    # `-o wide` fits a row: the header line is one line of the terminal, READINESS GATES included.
    speed_up(page)
    terminal_run(page, "kubectl run web --image=nginx:1.27", "pod/web created")
    expect(pod(page, "web")).to_have_class(re.compile(r"\bpod--running\b"), timeout=SETTLE_MS)
    terminal_run(page, "kubectl get pods -o wide", "READINESS GATES")
    rows = page.locator("#terminal .xterm-rows > div")
    header = re.compile(r"^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\s*$")
    expect(rows.filter(has_text=header)).to_have_count(1)
    expect(rows.filter(has_text=re.compile(r"^web\s+\d/1\s+\S+\s+0\s+\S+\s+\S+\s+\S+\s+<none>\s+<none>\s*$"))).to_have_count(
        1, timeout=SETTLE_MS)
    # The lesson column scrolls inside itself; the exercises' slot follows the lesson text.
    assert page.evaluate("getComputedStyle(document.querySelector('section#lesson')).overflowY") == "auto"
    shots(page, folder, "1-panes", language=language)

    # Keyboard splitters: the terminal narrows, and xterm refits its columns to it.
    before = terminal_columns(page)
    splitter = page.locator('[data-split="terminal"]')
    expect(splitter).to_have_attribute("role", "separator")
    splitter.focus()
    for _ in range(3):
        page.keyboard.press("Shift+ArrowLeft")
    page.wait_for_timeout(300)
    assert terminal_columns(page) < before - 15, (before, terminal_columns(page))
    page.keyboard.press("End")
    page.wait_for_timeout(300)
    assert terminal_columns(page) > before
    assert int(splitter.get_attribute("aria-valuenow")) == int(splitter.get_attribute("aria-valuemax"))
    diagram_before = page.locator(".diagram-panel").bounding_box()["height"]
    page.locator('[data-split="diagram"]').focus()
    page.keyboard.press("Shift+ArrowDown")
    page.wait_for_timeout(200)
    assert page.locator(".diagram-panel").bounding_box()["height"] > diagram_before + 50
    lesson_before = page.locator("section#lesson").bounding_box()["width"]
    page.locator('[data-split="lesson"]').focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(200)
    assert page.locator("section#lesson").bounding_box()["width"] == pytest.approx(lesson_before + 16, abs=1)
    shots(page, folder, "2-resized", language=language)

    # 1280x720: still everything in the window (the kept sizes shrink to fit).
    page.set_viewport_size({"width": 1280, "height": 720})
    page.wait_for_timeout(300)
    assert_all_in_the_window(page, 1280, 720)
    assert terminal_columns(page) >= 60


# ------------------------------------------------------------------ 5. flows and the log

@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", LANGUAGES)
def test_flows_are_labelled_with_a_legend_and_the_log_shows_actions_first(page: Page, server: str, language: str,
                                                                          folder: Path):
    open_playground(page, server, language, fast=False)
    legend = page.locator("#flow-legend")
    expect(legend.locator(".legend-item")).to_have_count(6)
    words = WORDS[language]
    terminal_run(page, "kubectl create deployment web --image=nginx:1.27 --replicas=2", "deployment.apps/web created")
    label = page.locator(".diagram-flows .flow-label", has_text=words["create deployment"])
    expect(label).to_have_count(1, timeout=5000)
    shots(page, folder, "1-labelled-flow", language=language)
    # Every arrow runs at right angles in its lane: no slanted run through the boxes.
    for d in page.locator(".diagram-flows path.flow").evaluate_all("paths => paths.map(p => p.getAttribute('d'))"):
        points = [tuple(map(int, p[1:].split(","))) for p in d.split()]
        assert all(a[0] == b[0] or a[1] == b[1] for a, b in itertools.pairwise(points)), d
    log = page.locator("#event-log")
    expect(log.locator("li:not(.log-noise)").filter(has_text="user:ada")).not_to_have_count(0, timeout=SETTLE_MS)
    expect(log.locator("li.log-noise").first).to_be_attached(timeout=SETTLE_MS)
    visible = log.locator("li").evaluate_all(
        "items => items.filter(i => i.offsetParent !== null).map(i => i.textContent)")
    assert visible
    assert not any(" Event " in text or "EndpointSlice" in text for text in visible), visible
    page.locator("#event-log-all").check()
    expect(log.locator("li.log-noise").filter(has_text=words["event"]).first).to_be_visible()
    shots(page, folder, "2-log-with-everything", language=language)


# ------------------------------------------------------------------ 6. reset, the whole history, the first click

@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", LANGUAGES)
def test_run_in_terminal_works_first_time_reset_asks_first_and_the_timeline_reaches_back(
        page: Page, server: str, language: str, folder: Path):
    open_playground(page, server, language, fast=False)
    words = WORDS[language]
    # The very first click after the load runs the command.
    page.locator("#lesson").get_by_role("button", name=words["run"]).first.click()
    expect(page.locator("#terminal .xterm-rows")).to_contain_text("control-plane   Ready", timeout=SETTLE_MS)
    speed_up(page)
    terminal_run(page, "kubectl run web --image=nginx:1.27", "pod/web created")
    expect(pod(page, "web")).to_have_class(re.compile(r"\bpod--running\b"), timeout=SETTLE_MS)

    # The whole recorded history: from the scenario's first state, before the page was opened.
    length_before = int(page.locator("#timeline-range").get_attribute("max"))
    page.locator("#timeline-history").click()
    expect(page.locator("#timeline-history")).to_be_hidden(timeout=SETTLE_MS)
    length = int(page.locator("#timeline-range").get_attribute("max"))
    assert length > length_before
    page.locator("#timeline-range").fill("1")
    expect(page.locator("body.timeline-past")).to_have_count(1)
    expect(pod(page, "web")).to_have_count(0)
    shots(page, folder, "1-history-at-its-start", language=language)
    page.locator("#timeline-live").click()
    expect(pod(page, "web")).to_have_count(1)

    # Reset asks first; Cancel keeps everything.
    page.locator("#sandbox-reset").click()
    dialog = page.locator("#reset-dialog")
    expect(dialog).to_be_visible()
    shots(page, folder, "2-reset-dialog", language=language)
    dialog.locator('button[value="cancel"]').click()
    expect(dialog).to_be_hidden()
    page.wait_for_timeout(500)
    expect(pod(page, "web")).to_have_count(1)
    page.locator("#sandbox-reset").click()
    dialog.locator('button[value="reset"]').click()
    expect(pod(page, "web")).to_have_count(0, timeout=SETTLE_MS)
    expect(node_header(page, "worker-1")).to_be_visible()
    expect(page.locator("#control-status")).to_have_attribute("data-ok", "true")
    expect(page.locator("#timeline-history")).to_be_visible()
    terminal_run(page, "kubectl get pods", "No resources found in default namespace.")
    shots(page, folder, "3-after-reset", language=language)


# ------------------------------------------------------------------ 7. weight and the favicon

@pytest.fixture
def collected_server(transactional_db, tmp_path_factory) -> Iterator[str]:
    """daphne serving collected static files as `make run` does: fingerprinted and gzipped."""
    import subprocess
    import sys

    static_root = tmp_path_factory.mktemp("static")
    env = processes.child_environment(PODLAB_COLLECTED_STATIC=str(static_root))
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=processes.ROOT, env=env,
                   check=True, capture_output=True, timeout=300)
    port = processes.free_port()
    server = processes.start_asgi_server(port, "daphne-collected", PODLAB_COLLECTED_STATIC=str(static_root))
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        processes.stop(server)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_cold_load_is_compressed_fingerprinted_and_under_600_kb_and_the_favicon_answers(
        page: Page, learner, collected_server: str, language: str, folder: Path):
    favicon = page.request.get(f"{collected_server}/favicon.ico")
    assert favicon.status == 200
    assert favicon.headers["content-type"] == "image/x-icon"
    sign_in(page, collected_server, language=language)
    page.goto("about:blank")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.clearBrowserCache")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    responses: dict[str, dict] = {}
    sizes: dict[str, float] = {}
    cdp.on("Network.responseReceived", lambda e: responses.__setitem__(e["requestId"], e["response"]))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.goto(f"{collected_server}/{language}/playground/")
    expect(page.locator("body.podlab-ready")).to_have_count(1, timeout=SETTLE_MS)
    page.wait_for_load_state("networkidle")
    statics = [responses[r] for r in sizes if r in responses and "/static/" in responses[r]["url"]]
    assert len(statics) > 30
    for response in statics:
        name = response["url"].rsplit("/", 1)[-1]
        assert re.search(r"\.[0-9a-f]{12}\.(m?js|css|svg)$", name), f"not fingerprinted: {response['url']}"
        if not name.endswith(".svg"):
            encoding = {k.lower(): v for k, v in response["headers"].items()}.get("content-encoding")
            assert encoding in ("gzip", "br"), f"not compressed: {response['url']}"
    total_kb = sum(sizes.values()) / 1024
    assert total_kb < 600, f"a cold load transferred {total_kb:.0f} KB"
    shots(page, folder, "1-cold-load", language=language)

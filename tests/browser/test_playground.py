"""The playground page end to end: real daphne, real Celery worker, real Redis, Debian's Chromium.

Each test signs in, opens the playground, speeds the simulated clock up to x60 with the page's own time control
and then acts only through the page (terminal, YAML editor, diagram buttons), saving a screenshot per stage.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import RestartableServer

PASSWORD = "correct-horse-battery-9"
# At x60 a pod starts in well under a second of wall time; the worker and the socket add a little.
SETTLE_MS = 20_000


def shot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def sign_in_to_playground(page: Page, base_url: str, *, language: str = "en") -> None:
    page.set_extra_http_headers({"Accept-Language": f"{language};q=0.9"})
    page.goto(f"{base_url}/{language}/accounts/login/?next=/{language}/playground/")
    page.locator("#id_username").fill("ada")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_test_id("submit").click()
    expect(page).to_have_url(f"{base_url}/{language}/playground/")
    expect(page.locator("body.podlab-ready")).to_have_count(1, timeout=SETTLE_MS)
    expect(page.locator("#connection")).to_have_attribute("data-state", "open", timeout=SETTLE_MS)
    # The snapshot has arrived once the nodes are drawn.
    expect(node_header(page, "worker-1")).to_be_visible(timeout=SETTLE_MS)


def speed_up(page: Page) -> None:
    """Set the simulated clock to x60 with the page's time control and wait for the server to confirm it."""
    page.locator("#time-speed").select_option("60")
    expect(page.locator("#control-status")).to_have_attribute("data-ok", "true", timeout=SETTLE_MS)
    expect(page.locator("#time-speed")).to_have_value("60")


def terminal_run(page: Page, line: str, expected_output: str) -> None:
    """Type a command line into the xterm.js terminal, press Enter and wait for its output."""
    page.locator("#terminal .xterm-screen").click()
    page.keyboard.type(line)
    page.keyboard.press("Enter")
    expect(page.locator("#terminal .xterm-rows")).to_contain_text(expected_output, timeout=SETTLE_MS)


def pod(page: Page, name: str) -> Locator:
    """The pod's box in the diagram (its accessible name starts with the pod's name and a colon)."""
    return page.locator(f'#diagram g.pod:not(.pod--deleted)[aria-label^="{name}:"]')


def pods_named_like(page: Page, prefix: str) -> Locator:
    return page.locator(f'#diagram g.pod:not(.pod--deleted)[aria-label^="{prefix}"]')


def node_header(page: Page, name: str) -> Locator:
    return page.locator(f'#diagram g.node-header[aria-label^="{name}:"]')


@pytest.fixture
def playground(page: Page, learner, celery_worker_process, asgi_server: str) -> Page:
    sign_in_to_playground(page, asgi_server)
    speed_up(page)
    return page


@pytest.mark.django_db(transaction=True)
def test_kubectl_run_in_the_terminal_draws_the_pod_and_it_turns_running(playground: Page, screenshot_dir: Path):
    page = playground
    shot(page, screenshot_dir, "1-playground-x60")
    terminal_run(page, "kubectl run web --image=nginx", "pod/web created")
    expect(pod(page, "web")).to_have_count(1, timeout=SETTLE_MS)
    shot(page, screenshot_dir, "2-pod-drawn")
    expect(pod(page, "web")).to_have_class(re.compile(r"\bpod--running\b"), timeout=SETTLE_MS)
    expect(pod(page, "web")).to_have_attribute("aria-label", re.compile(r"^web: Running, ready 1/1"))
    # The pod sits inside a worker node, and the text alternative says so too.
    expect(page.locator("#diagram g.node g.pod[aria-label^='web:']")).to_have_count(1)
    expect(page.locator("#diagram-text")).to_contain_text(re.compile(r"Pod web: Running, ready 1/1, on worker-\d"))
    shot(page, screenshot_dir, "3-pod-running")
    # Clicking the pod shows why the scheduler chose its node: each node's filter verdict and scores.
    pod(page, "web").click()
    details = page.locator("#diagram-details")
    expect(details).to_contain_text(re.compile(r"The scheduler chose worker-\d\."), timeout=SETTLE_MS)
    expect(details.locator("tr.filtered", has_text="control-plane")).to_contain_text("filtered out by TaintToleration")
    expect(details.locator("tr.chosen")).to_contain_text("NodeResourcesFit")
    shot(page, screenshot_dir, "4-why-this-node")


@pytest.mark.django_db(transaction=True)
def test_kubectl_create_deployment_draws_three_pods_that_turn_running(playground: Page, screenshot_dir: Path):
    page = playground
    terminal_run(page, "kubectl create deployment web --image=nginx --replicas=3", "deployment.apps/web created")
    web_pods = pods_named_like(page, "web-")
    expect(web_pods).to_have_count(3, timeout=SETTLE_MS)
    shot(page, screenshot_dir, "1-three-pods-drawn")
    expect(page.locator("#diagram g.pod.pod--running[aria-label^='web-']")).to_have_count(3, timeout=SETTLE_MS)
    expect(page.locator("#diagram g.workload[aria-label='Deployment web']")).to_be_visible()
    shot(page, screenshot_dir, "2-three-pods-running")


@pytest.mark.django_db(transaction=True)
def test_yaml_from_the_editor_is_applied_and_its_pod_runs(playground: Page, screenshot_dir: Path):
    page = playground
    page.locator("#editor-examples").select_option(label="A single pod")
    page.locator("#editor-load-example").click()
    expect(page.locator("#editor .cm-content")).to_contain_text("name: hello")
    page.locator("#editor-dry-run").click()
    expect(page.locator("#editor-result")).to_have_class(re.compile(r"\bok\b"), timeout=SETTLE_MS)
    expect(page.locator("#editor-result")).to_contain_text("pod/hello created (dry run)")
    expect(pod(page, "hello")).to_have_count(0)
    shot(page, screenshot_dir, "1-dry-run")

    page.locator("#editor-apply").click()
    expect(page.locator("#editor-result")).to_have_text("pod/hello created", timeout=SETTLE_MS)
    expect(pod(page, "hello")).to_have_class(re.compile(r"\bpod--running\b"), timeout=SETTLE_MS)
    shot(page, screenshot_dir, "2-applied-and-running")

    # A broken manifest is refused and the error is shown at its line in the editor.
    editor = page.locator("#editor .cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: broken\nspec: [\n")
    page.locator("#editor-apply").click()
    expect(page.locator("#editor-result")).to_have_class(re.compile(r"\berror\b"), timeout=SETTLE_MS)
    expect(page.locator("#editor .cm-lint-marker-error")).to_have_count(1)
    shot(page, screenshot_dir, "3-error-at-its-line")


@pytest.mark.django_db(transaction=True)
def test_deleting_a_pod_from_the_diagram_removes_it(playground: Page, screenshot_dir: Path):
    page = playground
    terminal_run(page, "kubectl run web --image=nginx", "pod/web created")
    expect(pod(page, "web")).to_have_class(re.compile(r"\bpod--running\b"), timeout=SETTLE_MS)
    pod(page, "web").click()
    details = page.locator("#diagram-details")
    expect(details.get_by_role("heading", name="Pod web")).to_be_visible()
    shot(page, screenshot_dir, "1-pod-selected")
    details.get_by_role("button", name="Delete this pod").click()
    expect(page.locator("#control-status")).to_have_attribute("data-ok", "true", timeout=SETTLE_MS)
    expect(pod(page, "web")).to_have_count(0, timeout=SETTLE_MS)
    expect(details).to_contain_text("This object no longer exists.")
    expect(page.locator("#event-log")).to_contain_text("deleted Pod web")
    shot(page, screenshot_dir, "2-pod-gone")


@pytest.mark.django_db(transaction=True)
def test_a_pod_deleted_from_the_diagram_is_replaced_by_its_replicaset(playground: Page, screenshot_dir: Path):
    page = playground
    terminal_run(page, "kubectl create deployment web --image=nginx --replicas=3", "deployment.apps/web created")
    running = page.locator("#diagram g.pod.pod--running[aria-label^='web-']")
    expect(running).to_have_count(3, timeout=SETTLE_MS)
    victim = running.first.get_attribute("aria-label").split(":")[0]
    pod(page, victim).click()
    shot(page, screenshot_dir, "1-pod-selected")
    page.locator("#diagram-details").get_by_role("button", name="Delete this pod").click()
    expect(pod(page, victim)).to_have_count(0, timeout=SETTLE_MS)
    expect(running).to_have_count(3, timeout=SETTLE_MS)
    shot(page, screenshot_dir, "2-replaced")


@pytest.mark.django_db(transaction=True)
def test_stopping_a_kubelet_turns_its_node_not_ready_and_its_pods_are_rescheduled(
        playground: Page, screenshot_dir: Path):
    page = playground
    terminal_run(page, "kubectl create deployment web --image=nginx --replicas=6", "deployment.apps/web created")
    running = page.locator("#diagram g.pod.pod--running[aria-label^='web-']")
    expect(running).to_have_count(6, timeout=SETTLE_MS)
    expect(node_header(page, "worker-2")).to_have_attribute("aria-label", "worker-2: Ready")
    page.locator('#diagram g.chip[data-key="kubelet/worker-2"]').click()
    details = page.locator("#diagram-details")
    expect(details.get_by_role("heading", name="kubelet/worker-2")).to_be_visible()
    shot(page, screenshot_dir, "1-kubelet-selected")
    details.get_by_role("button", name="Stop this component").click()
    expect(page.locator('#diagram g.chip[data-key="kubelet/worker-2"]')).to_have_class(
        re.compile(r"\bcomponent--stopped\b"), timeout=SETTLE_MS)
    expect(details.get_by_role("button", name="Start this component")).to_be_visible()
    shot(page, screenshot_dir, "2-kubelet-stopped")
    # At x60 the node lifecycle controller's 50 s grace period is under a second of wall time.
    expect(node_header(page, "worker-2")).to_have_attribute(
        "aria-label", re.compile(r"^worker-2: (NotReady|Unknown)"), timeout=SETTLE_MS)
    expect(page.locator("#diagram g.node.node--not-ready, #diagram g.node.node--unknown")).to_have_count(1)
    expect(node_header(page, "worker-1")).to_have_attribute("aria-label", "worker-1: Ready")
    shot(page, screenshot_dir, "3-node-not-ready")
    # After the pods' 300 s toleration of the unreachable taint (5 s at x60) they are evicted and their
    # ReplicaSet replaces them on the nodes that still answer. The evicted ones stay Terminating: their
    # kubelet is gone and cannot confirm, as on a real cluster.
    items = page.locator("#diagram-text li")
    expect(items.filter(has_text=re.compile(r"^Pod web-\S+: Running, ready 1/1, on worker-[13]$"))).to_have_count(
        6, timeout=SETTLE_MS)
    expect(items.filter(has_text=re.compile(r"^Pod web-\S+: Running, ready 1/1, on worker-2$"))).to_have_count(0)
    expect(items.filter(has_text=re.compile(r"^Pod web-\S+: Terminating, .* on worker-2$")).first).to_be_attached()
    shot(page, screenshot_dir, "4-pods-rescheduled")


@pytest.mark.django_db(transaction=True)
def test_component_explanations_are_in_russian_after_switching(playground: Page, screenshot_dir: Path):
    page = playground
    page.locator('#diagram g.component[data-key="kube-scheduler"]').click()
    expect(page.locator("#diagram-details")).to_contain_text("The scheduler watches for pods without a node.")
    shot(page, screenshot_dir, "1-scheduler-en")

    page.get_by_test_id("lang-ru").click()
    expect(page).to_have_url(re.compile(r"/ru/playground/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("#connection")).to_have_attribute("data-state", "open", timeout=SETTLE_MS)
    expect(page.locator("#connection")).to_contain_text("Подключено к вашему кластеру")
    page.locator('#diagram g.component[data-key="kube-scheduler"]').click()
    details = page.locator("#diagram-details")
    expect(details).to_contain_text("Планировщик")
    expect(details).not_to_contain_text("The scheduler watches")
    expect(details.get_by_role("button", name="Остановить компонент")).to_be_visible()
    shot(page, screenshot_dir, "2-scheduler-ru")

    page.locator('#diagram g.chip[data-key="kubelet/worker-1"]').click()
    expect(details.get_by_role("heading", name="kubelet/worker-1")).to_be_visible()
    expect(details).to_contain_text("kubelet — агент узла")
    expect(details).not_to_contain_text("The kubelet is the node's agent")
    # The text alternative and the time controls are translated as well.
    expect(page.locator("#time-pause")).to_have_text("Пауза")
    shot(page, screenshot_dir, "3-kubelet-ru")


@pytest.mark.django_db(transaction=True)
def test_the_page_resumes_after_the_server_drops_the_socket(
        page: Page, learner, celery_worker_process, restartable_server: RestartableServer, screenshot_dir: Path):
    sign_in_to_playground(page, restartable_server.url)
    speed_up(page)
    terminal_run(page, "kubectl run before --image=nginx", "pod/before created")
    expect(pod(page, "before")).to_have_class(re.compile(r"\bpod--running\b"), timeout=SETTLE_MS)
    page.evaluate("window.__sameDocument = true")
    shot(page, screenshot_dir, "1-before-the-drop")

    # The server goes away: every socket closes at once; the page says so and counts down to its retry.
    restartable_server.restart(down_for=1.5)
    # While it is away, something changes in the cluster (the learner's other tab, say).
    from cluster_engine.models import Sandbox
    from cluster_engine.replies import sandbox_command_reply

    def run_elsewhere() -> dict:
        # Playwright's event loop owns this thread; the service publishes with async_to_sync, so use another.
        try:
            sandbox = Sandbox.objects.get(owner=learner, key="playground")
            return sandbox_command_reply(sandbox_id=sandbox.id, user=learner,
                                         command="kubectl run during --image=nginx", request_id=1, language="en")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        answer = pool.submit(run_elsewhere).result(timeout=30)
    assert answer["ok"], answer

    expect(page.locator("#connection")).to_have_attribute("data-state", "open", timeout=SETTLE_MS)
    shot(page, screenshot_dir, "2-reconnected")
    expect(pod(page, "during")).to_have_class(re.compile(r"\bpod--running\b"), timeout=SETTLE_MS)
    expect(pod(page, "before")).to_have_count(1)
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded"
    # And the resumed socket still carries requests.
    terminal_run(page, "kubectl run after --image=nginx", "pod/after created")
    expect(pod(page, "after")).to_have_class(re.compile(r"\bpod--running\b"), timeout=SETTLE_MS)
    shot(page, screenshot_dir, "3-resumed")


@pytest.mark.django_db(transaction=True)
def test_the_page_resumes_after_the_socket_closes_under_it(playground: Page, screenshot_dir: Path):
    page = playground
    page.evaluate("window.__sameDocument = true")
    expect(page.locator("#connection")).to_have_attribute("data-state", "open")
    # Close the live socket from the page (window.podlab is the page's handle for debugging and tests).
    page.evaluate("window.podlab.socket.ws.close(4000, 'dropped by the test')")
    expect(page.locator("#connection")).not_to_have_attribute("data-state", "open", timeout=SETTLE_MS)
    shot(page, screenshot_dir, "1-dropped")
    expect(page.locator("#connection")).to_have_attribute("data-state", "open", timeout=SETTLE_MS)
    terminal_run(page, "kubectl run web --image=nginx", "pod/web created")
    expect(pod(page, "web")).to_have_class(re.compile(r"\bpod--running\b"), timeout=SETTLE_MS)
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded"
    shot(page, screenshot_dir, "2-resumed")


@pytest.mark.django_db(transaction=True)
def test_pods_are_one_tab_stop_and_the_arrow_keys_move_between_them(playground: Page, screenshot_dir: Path):
    page = playground
    for name in ("alpha", "beta", "gamma"):
        terminal_run(page, f"kubectl run {name} --image=nginx", f"pod/{name} created")
    for name in ("alpha", "beta", "gamma"):
        expect(pod(page, name)).to_have_class(re.compile(r"\bpod--running\b"), timeout=SETTLE_MS)
    pods = page.locator("#diagram g.pod")
    # However many pods there are (the cluster's own included), exactly one of them is in the Tab order.
    expect(page.locator('#diagram g.pod[tabindex="0"]')).to_have_count(1)
    expect(page.locator('#diagram g.pod[tabindex="-1"]')).to_have_count(pods.count() - 1)

    # Home and End jump to the first and last pod; the arrow keys walk the others; Tab leaves the group.
    page.locator('#diagram g.pod[tabindex="0"]').focus()
    first = page.evaluate("document.activeElement.getAttribute('aria-label')")
    page.keyboard.press("End")
    last = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert last != first
    page.keyboard.press("Home")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == first
    seen = {first}
    for _ in range(2):
        page.keyboard.press("ArrowRight")
        seen.add(page.evaluate("document.activeElement.getAttribute('aria-label')"))
    assert len(seen) == 3, seen
    # The pod that has the focus is now the stop, and it alone.
    expect(page.locator('#diagram g.pod[tabindex="0"]')).to_have_count(1)
    assert page.evaluate("document.activeElement.getAttribute('tabindex')") == "0"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('g.pod') === null"), "Tab stayed among the pods"
    page.keyboard.press("Shift+Tab")
    focused_label = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused_label in seen
    page.keyboard.press("Enter")
    expect(page.locator("#diagram-details h3")).to_have_text(f"Pod {focused_label.split(':')[0]}")
    shot(page, screenshot_dir, "1-pod-chosen-by-keyboard")

"""The diagram shows what kubectl shows: one scripted session through the page (a Deployment and its Service, a pod
that crashes, one whose image does not exist, one that fits no node, a node whose kubelet is stopped), then, with
the cluster paused, what the page shows (its DOM and the model it renders from) against the real kubectl 1.32's
output for the same objects, column by column: STATUS, READY, RESTARTS and AGE as kubectl's printers derive them
(`cluster_engine/sim/printers.py`), ENDPOINTS, and the nodes' STATUS."""

from __future__ import annotations

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
    screenshot_folder,
    shots,
    sign_in,
    speed_up,
    terminal_run,
)
from tests.cluster_engine.kubeapi.conftest import KubeServer, make_kube

PENDING = """\
apiVersion: v1
kind: Pod
metadata:
  name: pending
spec:
  containers:
  - name: app
    image: nginx:1.27
    resources:
      requests:
        cpu: "64"
"""
TEXT_LIST_POD = {"en": "Pod {name}: {status}, ready {ready}, on ", "ru": "Под {name}: {status}, готово {ready}, узел: "}


@pytest.fixture
def tls_server(transactional_db, tmp_path) -> Iterator[KubeServer]:
    """daphne on a plain port (the browser) and a TLS port (kubectl), as `make run` serves them."""
    port, tls_port = processes.free_port(), processes.free_port()
    server = processes.start_asgi_server_with_tls(port, tls_port, tmp_path / "tls")
    try:
        yield KubeServer(f"http://127.0.0.1:{port}", f"https://127.0.0.1:{tls_port}", tmp_path / "tls")
    finally:
        processes.stop(server)


def table(text: str) -> list[dict[str, str]]:
    """kubectl's aligned table as rows of {HEADER: cell}, cut at the header's column starts (a cell such as
    RESTARTS' "3 (45s ago)" holds spaces)."""
    lines = [line for line in text.splitlines() if line.strip()]
    header = lines[0]
    starts = [m.start() for m in re.finditer(r"(?<!\S)\S+(?: \S+)*", header)]
    names = [header[s:e].strip() for s, e in zip(starts, [*starts[1:], None], strict=True)]
    return [{name: line[s:e].strip() for name, s, e in zip(names, starts, [*starts[1:], None], strict=True)}
            for line in lines[1:]]


def page_model(page: Page) -> dict:
    return page.evaluate("window.podlab.model()")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_diagram_shows_what_kubectl_shows(page: Page, learner, celery_worker_process, tls_server: KubeServer,
                                              tmp_path: Path, language: str, request: pytest.FixtureRequest):
    folder = screenshot_folder(request.node.name)
    kubectl = make_kube(learner, tls_server, tmp_path / "kubectl")
    sign_in(page, tls_server.http_url, language=language)
    speed_up(page)

    terminal_run(page, "kubectl create deployment web --image=nginx:1.27 --replicas=3", "deployment.apps/web created")
    terminal_run(page, "kubectl expose deployment web --port=80", "service/web exposed")
    terminal_run(page, 'kubectl run crash --image=busybox:1.36 -- sh -c "exit 1"', "pod/crash created")
    terminal_run(page, "kubectl run bad --image=nginx:no-such-tag", "pod/bad created")
    editor_submit(page, PENDING)
    expect(page.locator('#diagram g.waiting-pod[aria-label^="pending:"]')).to_be_visible(timeout=SETTLE_MS)
    # The real kubectl writes too, and the page draws it.
    kubectl("create", "deployment", "api", "--image=nginx:1.27", "--replicas=2")
    # The crashing pod has failed at least once before worker-3 goes: on worker-3 it would never start.
    expect(page.locator('#diagram g.pod[aria-label^="crash:"]')).to_have_attribute(
        "aria-label", re.compile(r"CrashLoopBackOff|Error"), timeout=SETTLE_MS)
    # Cut worker-3 off: its kubelet stops posting status, and the node lifecycle controller marks it.
    page.locator('#diagram g.chip[data-key="kubelet/worker-3"]').click()
    page.locator("#diagram-details .actions .button.danger").click()
    expect(node_header(page, "worker-3")).to_have_attribute("aria-label", "worker-3: NotReady", timeout=SETTLE_MS)
    page.wait_for_timeout(3000)  # some restarts, an eviction or two

    # Pause: simulated time stops, so both sides read the same clock.
    page.locator("#time-pause").click()
    expect(page.locator("#time-pause")).to_have_attribute("aria-pressed", "true", timeout=SETTLE_MS)
    page.wait_for_timeout(1500)
    model = page_model(page)

    pods = table(kubectl("get", "pods", "-A"))
    assert {f"{p['NAMESPACE']}/{p['NAME']}" for p in pods} == set(model["pods"])
    text_list = page.locator("#diagram-text").text_content()
    for row in pods:
        shown = model["pods"][f"{row['NAMESPACE']}/{row['NAME']}"]
        assert (shown["status"], shown["ready"], shown["restarts"], shown["age"]) == (
            row["STATUS"], row["READY"], row["RESTARTS"], row["AGE"]), row["NAME"]
        # The text alternative shows the same STATUS and READY.
        expected = TEXT_LIST_POD[language].format(name=row["NAME"], status=row["STATUS"], ready=row["READY"])
        assert expected in text_list, expected
    restarted = next(p for p in pods if p["NAME"] == "crash")["RESTARTS"]
    assert re.fullmatch(r"\d+ \(\d+[smh]\d*[sm]? ago\)", restarted), restarted

    nodes = table(kubectl("get", "nodes"))
    for row in nodes:
        assert model["nodes"][row["NAME"]] == {"status": row["STATUS"], "age": row["AGE"]}
        expect(node_header(page, row["NAME"])).to_have_attribute("aria-label", f"{row['NAME']}: {row['STATUS']}")
    assert {"worker-3": "NotReady"}.items() <= {r["NAME"]: r["STATUS"] for r in nodes}.items()

    services = {f"{r['NAMESPACE']}/{r['NAME']}": r for r in table(kubectl("get", "services", "-A"))}
    endpoints = {f"{r['NAMESPACE']}/{r['NAME']}": r for r in table(kubectl("get", "endpoints", "-A"))}
    assert set(services) == set(model["services"])
    for key, row in services.items():
        assert model["services"][key] == {"endpoints": endpoints[key]["ENDPOINTS"], "age": row["AGE"]}, key
    # The API server's own Service has its endpoint, as kubectl says (172.18.0.2:6443), not "0 endpoints".
    assert re.fullmatch(r"[\d.]+:6443", model["services"]["default/kubernetes"]["endpoints"])
    expect(page.locator('#diagram g.service[aria-label^="Service kubernetes:"], '
                        '#diagram g.service[aria-label^="Сервис kubernetes:"]')).to_have_attribute(
        "aria-label", re.compile(r"\b1\b"))

    for row in table(kubectl("get", "deployments", "-A")):
        shown = model["deployments"][f"{row['NAMESPACE']}/{row['NAME']}"]
        assert shown == {"ready": row["READY"], "upToDate": row["UP-TO-DATE"], "available": row["AVAILABLE"],
                         "age": row["AGE"]}, row["NAME"]

    # The details panel shows the waiting pod's AGE as kubectl does, and it stays put while the cluster is paused.
    page.locator('#diagram g.waiting-pod[aria-label^="pending:"]').click()
    pending_age = next(p["AGE"] for p in pods if p["NAME"] == "pending")
    expect(page.locator("#diagram-details dd[data-since]")).to_have_text(pending_age)
    page.wait_for_timeout(1500)
    expect(page.locator("#diagram-details dd[data-since]")).to_have_text(pending_age)
    assert page_model(page) == model, "the page changed while the cluster was paused"
    shots(page, folder, "1-paused-and-compared", language=language)

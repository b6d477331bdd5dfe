"""`kubectl port-forward` (the real kubectl 1.32) to the real daphne: SPDY/3.1 inside a WebSocket, one HTTP
exchange per local connection with the simulated container; and the protocol's edges, played by a test client."""

from __future__ import annotations

import contextlib
import os
import select
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
import websockets.client
import websockets.sync.client
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from cluster_engine.kubeapi import spdy
from cluster_engine.kubeapi.portforward import SUBPROTOCOL
from cluster_engine.models import SandboxChange
from tests import processes
from tests.cluster_engine.kubeapi.conftest import KUBECTL, POD, eventually

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

PENDING = POD.replace("name: web", "name: stuck").replace("spec:\n", "spec:\n  nodeSelector: {disk: none}\n")


def _running(kube) -> None:
    kube("apply", "-f", "-", stdin=POD)
    eventually(lambda: kube.run("get", "pod", "web", "-o", "jsonpath={.status.phase}", check=False).stdout
               == "Running")


@contextlib.contextmanager
def port_forward(kube, target: str, remote: int, **env: str) -> Iterator[tuple[subprocess.Popen, int, str]]:
    """`kubectl port-forward TARGET LOCAL:REMOTE` in the background: (the process, the local port, its first line
    of output: `Forwarding from 127.0.0.1:LOCAL -> REMOTE`, or its error when it ended at once)."""
    local = processes.free_port()
    process = subprocess.Popen(
        [KUBECTL, "port-forward", target, f"{local}:{remote}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env={"PATH": os.environ.get("PATH", ""), "HOME": str(kube.home), "KUBECONFIG": str(kube.kubeconfig),
                        **env})
    try:
        ready, _, _ = select.select([process.stdout], [], [], 30)
        first = process.stdout.readline() if ready else ""
        yield process, local, first
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=20)


def get(port: int, path: str = "/") -> tuple[int, str]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=20) as response:
        return response.status, response.read().decode()


def test_pod_and_service_ports_serve_the_simulated_nginx(kube, kube_worker):
    _running(kube)
    kube("create", "service", "clusterip", "web", "--tcp=80:80")
    writes_before = SandboxChange.objects.filter(actor="user:ada").count()
    with port_forward(kube, "pod/web", 80) as (process, port, first):
        assert first == f"Forwarding from 127.0.0.1:{port} -> 80\n"
        status, page = get(port)
        assert status == 200
        assert "<title>Welcome to nginx!</title>" in page
        assert page == kube("exec", "web", "--", "curl", "-s", "localhost:80")  # what curl gets in the pod
        with pytest.raises(urllib.error.HTTPError) as missing:
            get(port, "/nothing-here")
        assert missing.value.code == 404
        assert get(port, "/index.html")[0] == 200  # a connection per request, all on one session
        assert process.poll() is None
    with port_forward(kube, "svc/web", 80) as (_process, port, first):
        assert first == f"Forwarding from 127.0.0.1:{port} -> 80\n"  # kubectl picked the Service's pod itself
        assert "<h1>Welcome to nginx!</h1>" in get(port)[1]
    assert SandboxChange.objects.filter(actor="user:ada").count() == writes_before  # port-forward only reads


def test_a_port_without_a_server_is_the_runtimes_error(kube, kube_worker):
    _running(kube)
    with port_forward(kube, "pod/web", 81) as (process, port, first):
        assert first == f"Forwarding from 127.0.0.1:{port} -> 81\n"
        with pytest.raises((ConnectionError, urllib.error.URLError, OSError)):
            get(port)
        process.wait(timeout=20)
        stderr = process.stderr.read()
    assert process.returncode == 1
    assert f"an error occurred forwarding {port} -> 81: error forwarding port 81 to pod " in stderr
    assert "failed to connect to localhost:81 inside namespace" in stderr
    assert "dial tcp4 127.0.0.1:81: connect: connection refused" in stderr
    assert stderr.endswith("error: lost connection to pod\n")


def test_refusals_before_forwarding(kube, kube_worker):
    _running(kube)
    kube("apply", "-f", "-", stdin=PENDING)
    stuck = kube.run("port-forward", "pod/stuck", "18080:80", check=False)
    assert (stuck.returncode, stuck.stderr) == (1, "error: unable to forward port because pod is not running. "
                                                   "Current status=Pending\n")
    missing = kube.run("port-forward", "pod/nope", "18080:80", check=False)
    assert missing.stderr == 'Error from server (NotFound): pods "nope" not found\n'
    with port_forward(kube, "pod/web", 80, KUBECTL_PORT_FORWARD_WEBSOCKETS="false") as (process, _port, first):
        assert first == ""
        process.wait(timeout=20)
        assert process.stderr.read() == (
            f"error: error upgrading connection: pods/portforward is served over WebSockets only (subprotocol "
            f"{SUBPROTOCOL}, kubectl 1.31 or later); SPDY upgrades are not supported\n")


# ------------------------------------------------------------------ the protocol's edges, as a test client


def _token(kube) -> str:
    return next(line.split(":", 1)[1].strip() for line in kube.kubeconfig.read_text().splitlines()
                if line.strip().startswith("token:"))


@pytest.fixture
def lenient_subprotocols(monkeypatch):
    """The `websockets` client accepts only RFC 7230 tokens as subprotocols; kubectl's Go client sends and accepts
    `SPDY/3.1+portforward.k8s.io` (a `/` in it), and so does daphne. Let the test client do the same."""
    monkeypatch.setattr(websockets.sync.client, "validate_subprotocols", lambda _subprotocols: None)
    monkeypatch.setattr(websockets.client, "parse_subprotocol", lambda value: [value.strip()])


def _socket(kube, pod: str = "web", *, token: str | None = None, protocols: tuple[str, ...] = (SUBPROTOCOL,)):
    context = ssl.create_default_context(cafile=str(kube.server.tls_dir / "ca.crt"))
    url = (kube.server.https_url.replace("https://", "wss://")
           + f"/k8s/{kube.sandbox_id}/api/v1/namespaces/default/pods/{pod}/portforward")
    return connect(url, ssl=context, subprotocols=list(protocols), open_timeout=20,
                   additional_headers={"Authorization": f"Bearer {token or _token(kube)}"})


def _frames(socket, session: spdy.Session, count: int) -> list[spdy.Frame]:
    frames: list[spdy.Frame] = []
    deadline = time.monotonic() + 20
    while len(frames) < count and time.monotonic() < deadline:
        frames += session.receive(socket.recv(timeout=20))
    return frames


@pytest.mark.usefixtures("lenient_subprotocols")
def test_the_session_as_a_spdy_client_sees_it(kube, kube_worker, kube_server, django_user_model, tmp_path):
    _running(kube)
    client, server = spdy.Session(), spdy.Session()  # our side's encoder, and the decoder of the server's frames
    with _socket(kube) as socket:
        assert socket.subprotocol == SUBPROTOCOL
        socket.send(client.ping(1))
        assert _frames(socket, server, 1) == [spdy.Ping(1)]
        # a stream without a port header is reset, as the kubelet resets it
        socket.send(client.syn_stream(1, {"streamtype": ["error"], "requestid": ["0"]}))
        assert _frames(socket, server, 1) == [spdy.RstStream(1, spdy.CANCEL)]
        socket.send(client.syn_stream(3, {"streamtype": ["error"], "port": ["80"], "requestid": ["1"]}))
        socket.send(client.syn_stream(5, {"streamtype": ["data"], "port": ["80"], "requestid": ["1"]}))
        assert _frames(socket, server, 2) == [spdy.SynReply(3, {}), spdy.SynReply(5, {})]
        request = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
        for index in range(0, len(request), 7):  # a request in pieces is answered once it is whole
            socket.send(client.data(5, request[index:index + 7]))
        error_fin, reply = _frames(socket, server, 2)  # both streams end, the error stream first and empty
        assert error_fin == spdy.Data(3, b"", fin=True)
        assert reply.stream_id == 5
        assert reply.fin
        assert reply.data.startswith(b"HTTP/1.1 200 OK\r\n")
        assert b"Welcome to nginx!" in reply.data
        # a stream id that does not grow is a protocol error of that stream
        socket.send(client.syn_stream(3, {"streamtype": ["error"], "port": ["80"], "requestid": ["2"]}))
        assert _frames(socket, server, 1) == [spdy.RstStream(3, spdy.PROTOCOL_ERROR)]
        # bytes that are no SPDY end the session
        socket.send(b"\x80\x02\x00\x06\x00\x00\x00\x04\x00\x00\x00\x01")
        assert _frames(socket, server, 1) == [spdy.GoAway(5, spdy.GOAWAY_PROTOCOL_ERROR)]
    with pytest.raises(InvalidStatus):  # a client without the tunnelling subprotocol
        _socket(kube, protocols=("portforward.k8s.io",)).close()
    with pytest.raises(InvalidStatus):  # a missing pod: kubectl's SPDY fallback then reports the NotFound
        _socket(kube, "nope").close()
    from tests.cluster_engine.kubeapi.conftest import make_kube

    bob = make_kube(django_user_model.objects.create_user(username="bob", password="x-9-horse-battery"),
                    kube_server, tmp_path / "bob")
    with pytest.raises(InvalidStatus):  # another sandbox's token
        _socket(kube, token=_token(bob)).close()

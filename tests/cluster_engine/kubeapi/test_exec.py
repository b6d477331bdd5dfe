"""`kubectl exec` / `attach` (the real kubectl 1.32) over the WebSocket streaming protocol of the real daphne."""

from __future__ import annotations

import json
import ssl

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from cluster_engine.models import SandboxChange
from tests.cluster_engine.kubeapi.conftest import POD, eventually, make_kube

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

EXEC = "/api/v1/namespaces/default/pods/web/exec?command=hostname&container=nginx&stdout=true&stderr=true"


def _running(kube) -> None:
    kube("apply", "-f", "-", stdin=POD)
    eventually(lambda: kube.run("get", "pod", "web", "-o", "jsonpath={.status.phase}", check=False).stdout
               == "Running")


def _token(kube) -> str:
    return next(line.split(":", 1)[1].strip() for line in kube.kubeconfig.read_text().splitlines()
                if line.strip().startswith("token:"))


def _socket(kube, path: str, token: str, protocols: tuple[str, ...] = ("v5.channel.k8s.io", "v4.channel.k8s.io")):
    context = ssl.create_default_context(cafile=str(kube.server.tls_dir / "ca.crt"))
    url = kube.server.https_url.replace("https://", "wss://") + f"/k8s/{kube.sandbox_id}{path}"
    return connect(url, ssl=context, subprotocols=list(protocols), additional_headers={
        "Authorization": f"Bearer {token}"}, open_timeout=20)


def _frames(socket) -> list[tuple[int, bytes]]:
    frames = []
    for message in socket:
        frames.append((message[0], message[1:]))
    return frames


def test_exec_runs_the_simulated_command_and_reports_its_exit(kube, kube_worker):
    _running(kube)
    writes_before = SandboxChange.objects.filter(actor="user:ada").count()

    assert kube("exec", "web", "--", "hostname") == "web\n"
    assert "nameserver 10.96.0.10\n" in kube("exec", "web", "--", "cat", "/etc/resolv.conf")
    assert kube("exec", "web", "-c", "nginx", "--", "sh", "-c", "echo hello") == "hello\n"

    failed = kube.run("exec", "web", "--", "cat", "/etc/nope", check=False)
    assert failed.returncode == 1
    assert failed.stderr == "cat: /etc/nope: No such file or directory\ncommand terminated with exit code 1\n"
    no_url = kube.run("exec", "web", "--", "curl", check=False)
    assert no_url.returncode == 2
    assert no_url.stderr.endswith("command terminated with exit code 2\n")
    missing = kube.run("exec", "web", "--", "sh", "-c", "nosuchprogram", check=False)
    assert (missing.returncode, missing.stderr) == (127, "sh: nosuchprogram: not found\n"
                                                         "command terminated with exit code 127\n")

    not_in_image = kube.run("exec", "web", "--", "ps", check=False)
    assert not_in_image.returncode == 1
    assert not_in_image.stderr.startswith("error: Internal error occurred: error executing command in container: ")
    assert 'exec: "ps": executable file not found in $PATH' in not_in_image.stderr

    interactive = kube.run("exec", "-i", "web", "--", "sh", stdin="", check=False)
    assert interactive.returncode == 1
    assert "error: interactive sessions (kubectl exec -i / -t) are not simulated" in interactive.stderr
    attach = kube.run("attach", "web", check=False)
    assert attach.returncode == 1
    assert "kubectl attach is not simulated" in attach.stderr

    nope = kube.run("exec", "nope", "--", "hostname", check=False)
    assert nope.returncode == 1
    assert nope.stderr.strip() == 'Error from server (NotFound): pods "nope" not found'

    # exec only reads: the learner wrote nothing
    assert SandboxChange.objects.filter(actor="user:ada").count() == writes_before


def test_the_channel_protocol_on_the_wire(kube, kube_worker):
    _running(kube)
    token = _token(kube)
    with _socket(kube, EXEC, token) as socket:
        assert socket.subprotocol == "v5.channel.k8s.io"
        frames = _frames(socket)
    assert frames == [(1, b"web\n"), (3, b'{"metadata": {}, "status": "Success"}')]

    exit_path = ("/api/v1/namespaces/default/pods/web/exec?command=sh&command=-c&command=nosuchprogram"
                 "&container=nginx&stdout=true&stderr=true")
    with _socket(kube, exit_path, token, ("v4.channel.k8s.io",)) as socket:
        assert socket.subprotocol == "v4.channel.k8s.io"
        frames = _frames(socket)
    assert frames[0] == (2, b"sh: nosuchprogram: not found\n")
    assert json.loads(frames[1][1]) == {
        "metadata": {}, "status": "Failure",
        "message": "command terminated with non-zero exit code: error executing command [sh -c nosuchprogram], "
                   "exit code 127",
        "reason": "NonZeroExitCode", "details": {"causes": [{"reason": "ExitCode", "message": "127"}]}}


def _refusal_status(kube, token: str) -> int:
    """The HTTP status of a refused upgrade. One retry on a handshake timeout: once, on a loaded CI machine,
    a TLS handshake never reached daphne at all (no WSCONNECTING in its log); the refusal itself is asserted."""
    for attempt in range(2):
        try:
            _socket(kube, EXEC, token).close()
        except InvalidStatus as refused:
            return refused.response.status_code
        except TimeoutError:
            if attempt:
                raise
            continue
        pytest.fail("the upgrade was accepted")
    raise AssertionError("unreachable")


def test_a_wrong_token_is_refused(kube, kube_server, django_user_model, tmp_path):
    assert _refusal_status(kube, "podlab_not-a-token") == 403
    other = make_kube(django_user_model.objects.create_user("grace", password="pw"), kube_server, tmp_path / "g")
    assert _refusal_status(kube, _token(other)) == 403  # valid, but for another sandbox

    kube.kubeconfig.write_text(kube.kubeconfig.read_text().replace(_token(kube), "podlab_not-a-token"))
    result = kube.run("exec", "web", "--", "hostname", check=False)
    assert result.returncode == 1
    assert "error: You must be logged in to the server" in result.stderr

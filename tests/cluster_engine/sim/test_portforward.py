"""`kubectl port-forward`'s pod end (`sim/portforward.py` through `Cluster.port_forward`): who answers a
forwarded connection, what it answers, and the runtime's refusal."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

import pytest
from sim_helpers import pod, small_cluster

from cluster_engine.sim import portforward
from cluster_engine.sim.cluster import Cluster

GET = b"GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"


@pytest.fixture
def cluster() -> Cluster:
    cluster = small_cluster()
    cluster.api.create(pod("web"))
    cluster.api.create(pod("echo", image="hashicorp/http-echo:1.0", args=["-text=hello"]))
    cluster.step(30)
    return cluster


def _uid(cluster: Cluster, name: str) -> str:
    return cluster.api.get("Pod", name)["metadata"]["uid"]


def forward(cluster: Cluster, name: str, port: int, request: bytes | None = GET) -> portforward.Forwarded:
    return cluster.port_forward(name, namespace="default", uid=_uid(cluster, name), port=port, request=request)


def test_a_request_gets_the_page_curl_gets_inside_the_cluster(cluster):
    reply = forward(cluster, "web", 80)
    assert reply.error == ""
    head, _, body = reply.data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "HTTP/1.1 200 OK"
    headers = dict(line.split(": ", 1) for line in lines[1:])
    assert headers["Content-Type"] == "text/html"
    assert headers["Connection"] == "close"
    assert int(headers["Content-Length"]) == len(body)
    assert parsedate_to_datetime(headers["Date"]).timestamp() == int(cluster.now)  # the simulated clock's
    assert body.decode() == cluster.http_request(f"http://{cluster.api.get('Pod', 'web')['status']['podIP']}/")["body"]
    assert b"<title>Welcome to nginx!</title>" in body


def test_other_images_and_paths(cluster):
    assert forward(cluster, "echo", 5678).data.endswith(b"text/plain; charset=utf-8\r\nContent-Length: 6\r\n"
                                                         b"Connection: close\r\n\r\nhello\n")
    missing = forward(cluster, "web", 80, GET.replace(b"GET / ", b"GET /nothing-here "))
    assert missing.data.startswith(b"HTTP/1.1 404 Not Found\r\n")
    assert missing.data.endswith(b"\r\n\r\n404 page not found\n")
    absolute = forward(cluster, "web", 80, GET.replace(b"GET / ", b"GET http://127.0.0.1:8080/index.html "))
    assert absolute.data.startswith(b"HTTP/1.1 200 OK\r\n")
    head = forward(cluster, "web", 80, GET.replace(b"GET", b"HEAD"))
    assert head.data.startswith(b"HTTP/1.1 200 OK")
    assert head.data.endswith(b"\r\n\r\n")


def test_what_is_not_http_gets_400(cluster):
    assert forward(cluster, "web", 80, b"HELLO\r\n").data.startswith(b"HTTP/1.1 400 Bad Request\r\n")


def test_a_connection_to_a_port_without_a_server_is_refused_by_the_runtime(cluster):
    assert forward(cluster, "web", 80, None).error == ""  # nginx listens
    uid = _uid(cluster, "web")
    sandbox = portforward.sandbox_id(uid)
    error = forward(cluster, "web", 81, None).error
    assert error.startswith(f"error forwarding port 81 to pod {sandbox}, uid : failed to execute portforward in "
                            'network namespace "/var/run/netns/cni-')
    assert (f'failed to connect to localhost:81 inside namespace "{sandbox}", IPv4: dial tcp4 127.0.0.1:81: connect: '
            "connection refused IPv6 dial tcp6 [::1]:81: connect: connection refused ") in error
    assert forward(cluster, "web", 81).error == error  # a request to it cannot get further
    assert forward(cluster, "web", 81).data == b""


def test_a_pod_deleted_or_replaced_since_the_forward_opened_has_no_sandbox(cluster):
    uid = _uid(cluster, "web")
    cluster.api.delete("Pod", "web", grace_period_seconds=0)
    cluster.step(5)
    gone = cluster.port_forward("web", namespace="default", uid=uid, port=80)
    assert gone.error.endswith(f'failed to find sandbox "{portforward.sandbox_id(uid)}" in store: not found')
    cluster.api.create(pod("web"))
    cluster.step(30)
    assert cluster.port_forward("web", namespace="default", uid=uid, port=80).error == gone.error


def test_a_container_that_is_not_running_does_not_listen(cluster):
    cluster.api.create(pod("crashing", command=["sh", "-c", "exit 1"]))
    cluster.step(3)
    assert "connection refused" in forward(cluster, "crashing", 80, None).error


@pytest.mark.parametrize(("buffer", "size"), [
    (b"", None),
    (b"GET / HTTP/1.1\r\nHost: x\r\n", None),
    (GET, len(GET)),
    (GET + b"GET / HTTP/1.1\r\n", len(GET)),  # a pipelined second request waits for another connection
    (b"GET / HTTP/1.1\n\n", len(b"GET / HTTP/1.1\n\n")),
    (b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nab", None),
    (b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", len(b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc")),
    (b"HELLO\r\nmore", len(b"HELLO\r\n")),  # not a request line: answered (400) at once
    (b"POST / HTTP/1.1\r\nContent-Length: 999999999\r\n\r\nab",
     len(b"POST / HTTP/1.1\r\nContent-Length: 999999999\r\n\r\n")),  # an upload is not waited for
    (b"GET / HTTP/1.1\r\nX: " + b"a" * portforward.MAX_REQUEST,
     len(b"GET / HTTP/1.1\r\nX: ") + portforward.MAX_REQUEST),
])
def test_request_size(buffer, size):
    assert portforward.request_size(buffer) == size


def test_port_forward_only_reads(cluster):
    before = cluster.store.rv
    forward(cluster, "web", 80)
    forward(cluster, "web", 81, None)
    assert cluster.store.rv == before

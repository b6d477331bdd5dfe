"""`kubectl port-forward`, the pod's end: what one forwarded connection to a port of a pod gets.

The kubelet hands each connection to the runtime, which dials `localhost:<port>` inside the pod's network
namespace (containerd: `internal/cri/server/sandbox_portforward_linux.go`), so whatever listens there in any
running container answers, whether or not the pod is ready. Nothing listening is the runtime's error, which the
kubelet writes on the connection's error stream (`pkg/kubelet/cri/streaming/portforward/httpstream.go`) and
kubectl prints. The simulated containers' servers speak HTTP/1.1 (`proxy.answer`, what curl gets from inside
the cluster): each connection carries one request, gets the same page, and is closed (`Connection: close`).
Port-forwarding only reads the cluster.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any

from . import images, proxy

MAX_REQUEST = 64 * 1024  # a request head larger than this is answered 400, as nginx refuses large headers
_REQUEST_LINE = re.compile(rb"^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP/(\d)\.(\d)$")
_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found"}


@dataclass(frozen=True)
class Forwarded:
    """One connection's outcome: the bytes the pod's server wrote back, or the kubelet's error message."""

    data: bytes = b""
    error: str = ""


def sandbox_id(uid: str) -> str:
    """The CRI sandbox id of the pod with `uid` (64 hex digits, stable), which the runtime's errors name."""
    return hashlib.sha256(f"sandbox/{uid}".encode()).hexdigest()


def _netns(uid: str) -> str:
    return f"/var/run/netns/cni-{uuid.UUID(bytes=hashlib.sha256(f'netns/{uid}'.encode()).digest()[:16])}"


def _error(uid: str, port: int, why: str) -> str:
    """The kubelet's wording around the runtime's error (the uid is empty: the CRI path passes none)."""
    return f"error forwarding port {port} to pod {sandbox_id(uid)}, uid : {why}"


def listening(pod: dict[str, Any], port: int, kubelets: Any) -> bool:
    """Whether a running container of the pod has a server on `port` (a TCP connect would succeed)."""
    statuses = {s["name"]: s for s in (pod.get("status") or {}).get("containerStatuses") or ()}
    for container in (pod.get("spec") or {}).get("containers") or []:
        if "running" not in (statuses.get(container["name"], {}).get("state") or {}):
            continue
        image = images.lookup(images.parse_ref(container.get("image", "")))
        if image is not None and images.serves(image, kubelets.program(pod, container), port, None)[0]:
            return True
    return False


def connect(pod: dict[str, Any] | None, uid: str, port: int, kubelets: Any) -> str:
    """The error a new connection to `port` gets ("" when something listens): `pod` is the pod now (None when
    deleted), `uid` the one of the pod the port-forward was opened for. A pod deleted or replaced meanwhile has
    lost its sandbox; a port without a server is refused, as containerd reports both."""
    if pod is None or pod["metadata"].get("uid") != uid:
        return _error(uid, port, f'failed to find sandbox "{sandbox_id(uid)}" in store: not found')
    return "" if listening(pod, port, kubelets) else _refused(uid, port)


def _refused(uid: str, port: int) -> str:
    return _error(uid, port, f'failed to execute portforward in network namespace "{_netns(uid)}": failed to '
                             f'connect to localhost:{port} inside namespace "{sandbox_id(uid)}", IPv4: dial tcp4 '
                             f"127.0.0.1:{port}: connect: connection refused IPv6 dial tcp6 [::1]:{port}: connect: "
                             "connection refused ")


def request_size(buffer: bytes) -> int | None:
    """The length of the first HTTP request in `buffer` (its head and a `Content-Length` body), or None while more
    bytes are needed. A first line that is no request line, or a head past MAX_REQUEST, ends the request there:
    the server answers it with 400. A body that would take the request past MAX_REQUEST is not waited for."""
    line_end = buffer.find(b"\n")
    if line_end >= 0 and not _REQUEST_LINE.match(buffer[:line_end].rstrip(b"\r")):
        return line_end + 1
    head_end = buffer.find(b"\r\n\r\n")
    head_size = head_end + 4 if head_end >= 0 else -1
    if head_size < 0:
        head_end = buffer.find(b"\n\n")
        head_size = head_end + 2 if head_end >= 0 else -1
    if head_size < 0:
        return len(buffer) if len(buffer) > MAX_REQUEST else None
    length = _content_length(buffer[:head_size])
    if head_size + length > MAX_REQUEST:  # a body larger than the server reads: answered after the head
        return head_size
    return head_size + length if len(buffer) >= head_size + length else None


def _content_length(head: bytes) -> int:
    for line in head.split(b"\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            return int(value.strip())
    return 0


def _response(status: int, body: str, *, head: bool, now: float) -> bytes:
    content_type = "text/html" if body.startswith("<") else "text/plain; charset=utf-8"
    payload = body.encode()
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, '')}", f"Date: {formatdate(now, usegmt=True)}",
             f"Content-Type: {content_type}", f"Content-Length: {len(payload)}", "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (b"" if head else payload)


def exchange(pod: dict[str, Any] | None, *, uid: str, port: int, request: bytes, kubelets: Any,
             now: float) -> Forwarded:
    """The server's reply to one request (`request_size` bytes of it) on `port` of the pod with `uid` (`pod`, the
    pod now): the page `proxy.answer` gives (200, or 404 for a path it does not serve; HEAD without the body),
    400 for what is not an HTTP request, or `connect`'s error when the server is gone."""
    error = connect(pod, uid, port, kubelets)
    if error or pod is None:
        return Forwarded(error=error)
    first = request.split(b"\n", 1)[0].rstrip(b"\r")
    match = _REQUEST_LINE.match(first)
    if match is None or len(request) > MAX_REQUEST:
        return Forwarded(_response(400, "400 Bad Request\n", head=False, now=now))
    method, target = match.group(1).decode(), match.group(2).decode("latin-1")
    path = target.split("://", 1)[-1].split("/", 1)[-1] if "://" in target else target.lstrip("/")
    answer = proxy.answer(pod, port, "/" + path, kubelets)
    if answer.status is None:
        return Forwarded(error=_refused(uid, port))
    return Forwarded(_response(answer.status, answer.body, head=method == "HEAD", now=now))

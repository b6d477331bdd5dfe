"""`pods/portforward` over a WebSocket: kubectl 1.31+'s `port-forward` (KEP-4006 PortForwardWebsockets).

kubectl opens `GET /k8s/<id>/api/v1/namespaces/<ns>/pods/<name>/portforward` as a WebSocket with the subprotocol
`SPDY/3.1+portforward.k8s.io` and runs a SPDY/3.1 session inside its binary messages (`spdy.py`; client-go
`tools/portforward/tunneling_dialer.go`). For every connection to its local port it creates two streams with the
headers `streamType` (`error`, then `data`), `port` and `requestID`, and waits for each stream's SYN_REPLY. This
consumer plays the kubelet's side (`pkg/kubelet/cri/streaming/portforward/httpstream.go`): it accepts a stream
with valid headers (else resets it), and once a request id has both streams it connects to the port in the pod
(`Cluster.port_forward`, on the stored state, read only): a refused connection is the runtime's message on the
error stream; otherwise the bytes of one HTTP request on the data stream get the pod's server's reply. Either way
both streams are then closed (FIN), which ends kubectl's local connection. Pings are answered; GOAWAY ends the
session. A refused handshake (a bad token, a missing pod or one without a node) makes kubectl fall back to a SPDY
POST, which the HTTP API answers with the reason (`spdy_fallback_status`).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

from channels.generic.websocket import AsyncWebsocketConsumer

from cluster_engine.consumers import in_worker_thread
from cluster_engine.engine import Status, bad_request, portforward
from cluster_engine.kubeapi import spdy, state
from cluster_engine.kubeapi.auth import Caller, authenticate_scope

logger = logging.getLogger(__name__)

SUBPROTOCOL = "SPDY/3.1+portforward.k8s.io"
STREAM_TYPE, PORT, REQUEST_ID = "streamtype", "port", "requestid"  # k8s.io/api/core/v1 header names, lower-cased
ERROR, DATA = "error", "data"
MAX_OPEN = 256  # connections of one session waiting for their second stream or their request; more are refused


def _pod_uid(sandbox_id: uuid.UUID, namespace: str, name: str) -> str:
    """The uid of the pod a port-forward opens: NotFound when missing, 400 without a node (as the api-server's
    `PortForwardLocation` refuses it)."""
    pod = state.load(sandbox_id).api.get("Pod", name, namespace=namespace)
    if not (pod.get("spec") or {}).get("nodeName"):
        raise bad_request(f"pod {name} does not have a host assigned")
    return pod["metadata"]["uid"]


def spdy_fallback_status(caller: Caller, namespace: str, name: str) -> Status:
    """What a plain `Upgrade: SPDY/3.1` POST gets (kubectl's fallback after a refused WebSocket): the pod's own
    refusal when it has one, else a 400 saying that only the WebSocket protocol is served."""
    try:
        _pod_uid(caller.sandbox_id, namespace, name)
    except Status as refusal:
        return refusal
    return bad_request(f"pods/portforward is served over WebSockets only (subprotocol {SUBPROTOCOL}, kubectl 1.31 "
                       "or later); SPDY upgrades are not supported")


def _header(headers: spdy.Headers, name: str) -> str:
    return (headers.get(name) or [""])[0]


def stream_problem(headers: spdy.Headers) -> str:
    """Why the kubelet resets a stream (`httpStreamReceived`), "" for a valid one."""
    port = _header(headers, PORT)
    if not port:
        return f'"{PORT}" header is required'
    if not port.isdigit() or not 0 < int(port) < 65536:
        return f'unable to parse "{port}" as a port'
    if _header(headers, STREAM_TYPE) not in (ERROR, DATA):
        return f'invalid stream type "{_header(headers, STREAM_TYPE)}"'
    return ""


@dataclass
class Forward:
    """One forwarded connection: its two streams, the request bytes so far, and how far it got."""

    port: int
    streams: dict[str, int] = field(default_factory=dict)  # stream type -> stream id
    request: bytearray = field(default_factory=bytearray)
    connected: bool = False  # the port answered the connect
    client_done: bool = False  # kubectl closed its side of the data stream


class PodPortForwardConsumer(AsyncWebsocketConsumer):
    """The kubelet's end of a port-forward session, for one pod of the token's sandbox."""

    async def connect(self) -> None:
        kwargs = self.scope["url_route"]["kwargs"]
        if SUBPROTOCOL not in (self.scope.get("subprotocols") or []):
            await self.close()
            return
        try:
            self.caller = await in_worker_thread(authenticate_scope)(self.scope, kwargs["sandbox_id"])
            self.uid = await in_worker_thread(_pod_uid)(self.caller.sandbox_id, kwargs["namespace"], kwargs["name"])
        except Status:  # kubectl falls back to the SPDY POST, whose answer names the reason
            await self.close()
            return
        self.namespace, self.name = kwargs["namespace"], kwargs["name"]
        self.session = spdy.Session()
        self.forwards: dict[str, Forward] = {}
        self.streams: dict[int, str] = {}  # stream id -> request id
        self.last_stream = 0
        self.going_away = False
        await self.accept(subprotocol=SUBPROTOCOL)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if bytes_data is None:
            return
        out = bytearray()
        try:
            for frame in self.session.receive(bytes_data):
                out += await self._frame(frame)
        except spdy.ProtocolError as error:
            logger.info("port-forward to %s/%s: %s", self.namespace, self.name, error)
            await self.send(bytes_data=bytes(out) + self.session.goaway(self.last_stream, spdy.GOAWAY_PROTOCOL_ERROR))
            await self.close()
            return
        if out:
            await self.send(bytes_data=bytes(out))
        if self.going_away:
            await self.close()

    async def _frame(self, frame: spdy.Frame) -> bytes:
        if isinstance(frame, spdy.Ping):
            return self.session.ping(frame.ping_id) if frame.ping_id % 2 else b""  # answer the client's pings only
        if isinstance(frame, spdy.SynStream):
            return await self._open_stream(frame)
        if isinstance(frame, spdy.Data):
            return await self._data(frame)
        if isinstance(frame, spdy.RstStream):
            request_id = self.streams.get(frame.stream_id)
            if request_id in self.forwards:
                self._forget(request_id)
            return b""
        self.going_away |= isinstance(frame, spdy.GoAway)
        return b""

    async def _open_stream(self, frame: spdy.SynStream) -> bytes:
        if frame.stream_id <= self.last_stream or frame.stream_id % 2 == 0:
            return self.session.rst_stream(frame.stream_id, spdy.PROTOCOL_ERROR)
        self.last_stream = frame.stream_id
        if stream_problem(frame.headers):
            return self.session.rst_stream(frame.stream_id, spdy.CANCEL)
        request_id, kind = _header(frame.headers, REQUEST_ID), _header(frame.headers, STREAM_TYPE)
        if request_id not in self.forwards and len(self.forwards) >= MAX_OPEN:
            return self.session.rst_stream(frame.stream_id, spdy.REFUSED_STREAM)
        forward = self.forwards.setdefault(request_id, Forward(int(_header(frame.headers, PORT))))
        if kind in forward.streams:  # a second stream of one type for a request id
            return self.session.rst_stream(frame.stream_id, spdy.CANCEL)
        forward.streams[kind] = frame.stream_id
        self.streams[frame.stream_id] = request_id
        reply = self.session.syn_reply(frame.stream_id)
        if len(forward.streams) < 2:
            return reply
        result = await in_worker_thread(self._forward)(forward.port, None)
        if result.error:
            return reply + self._finish(request_id, error=result.error)
        forward.connected = True
        return reply + await self._serve(request_id)

    async def _data(self, frame: spdy.Data) -> bytes:
        request_id = self.streams.get(frame.stream_id, "")
        forward = self.forwards.get(request_id)
        if forward is None or forward.streams.get(DATA) != frame.stream_id:
            return b""  # the error stream's FIN, or late bytes of a finished connection
        forward.request += frame.data[:max(0, portforward.MAX_REQUEST + 1 - len(forward.request))]  # enough for a 400
        forward.client_done |= frame.fin
        return await self._serve(request_id) if forward.connected else b""

    async def _serve(self, request_id: str) -> bytes:
        """Answer the request once it is complete; a client that closed first gets nothing back."""
        forward = self.forwards[request_id]
        size = portforward.request_size(bytes(forward.request))
        if size is None:
            return self._finish(request_id) if forward.client_done else b""
        result = await in_worker_thread(self._forward)(forward.port, bytes(forward.request[:size]))
        return self._finish(request_id, data=result.data, error=result.error)

    def _forward(self, port: int, request: bytes | None) -> portforward.Forwarded:
        try:
            cluster = state.load(self.caller.sandbox_id)
        except Status as gone:  # the sandbox was deleted since the session opened
            return portforward.Forwarded(error=gone.message)
        return cluster.port_forward(self.name, namespace=self.namespace, uid=self.uid, port=port, request=request)

    def _finish(self, request_id: str, *, data: bytes = b"", error: str = "") -> bytes:
        """The reply or the error message, and FIN on both streams (the error stream first, as the kubelet
        closes them when the connection to the pod ends); later frames of these streams are ignored."""
        forward = self._forget(request_id)
        return (self.session.data(forward.streams[ERROR], error.encode(), fin=True)
                + self.session.data(forward.streams[DATA], data, fin=True))

    def _forget(self, request_id: str) -> Forward:
        forward = self.forwards.pop(request_id)
        for stream_id in forward.streams.values():
            self.streams.pop(stream_id, None)
        return forward

"""`pods/exec` and `pods/attach` over WebSockets: the streaming protocol kubectl 1.29+ speaks first.

kubectl opens `GET /k8s/<id>/api/v1/namespaces/<ns>/pods/<name>/exec?command=..&container=..&stdout=true&...`
as a WebSocket with the subprotocol `v5.channel.k8s.io` (else `v4.channel.k8s.io`). Every binary frame starts
with its channel: 0 stdin, 1 stdout, 2 stderr, 3 the error channel (one `Status` JSON at the end), 4 resize,
and in v5 255 (a client closing one of its streams). The command runs in the same simulated container as the
in-page `kubectl exec` (`sim.kubectl.execute.run_in_container`) on the sandbox's stored state, read only; the
server writes its output, then the kubelet's `Status`, then closes. Interactive sessions and attach are not
simulated: they get a Failure `Status` saying so, which kubectl prints as `error: <message>`.
"""

from __future__ import annotations

import abc
import json
import logging
from typing import Any
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncWebsocketConsumer

from cluster_engine import engine
from cluster_engine.consumers import in_worker_thread
from cluster_engine.engine import Status, internal_error
from cluster_engine.kubeapi import state
from cluster_engine.kubeapi.auth import Caller, authenticate_scope

logger = logging.getLogger(__name__)

SUBPROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")  # preferred first
STDOUT, STDERR, ERROR = 1, 2, 3
NON_ZERO_EXIT_CODE = "NonZeroExitCode"  # k8s.io/apimachinery/pkg/util/remotecommand
EXIT_CODE_CAUSE = "ExitCode"

INTERACTIVE = ("interactive sessions (kubectl exec -i / -t) are not simulated: the simulated container runs one "
               "command and returns its output. Run a single command instead, e.g. kubectl exec {pod} -- env")
ATTACH = ("kubectl attach is not simulated: the simulated containers have no process whose streams could be "
          "attached. Read the output with kubectl logs {pod}, or run a command with kubectl exec {pod} -- COMMAND")


def success() -> dict[str, Any]:
    return {"metadata": {}, "status": "Success"}


def exit_status(argv: list[str], code: int) -> dict[str, Any]:
    """The kubelet's Status for a process that exited with `code` (containerd words the error this way)."""
    return {
        "metadata": {},
        "status": "Failure",
        "message": f"command terminated with non-zero exit code: error executing command [{' '.join(argv)}], "
                   f"exit code {code}",
        "reason": NON_ZERO_EXIT_CODE,
        "details": {"causes": [{"reason": EXIT_CODE_CAUSE, "message": str(code)}]},
    }


class _StreamConsumer(AsyncWebsocketConsumer, abc.ABC):
    """Authenticates as the HTTP API does, picks the channel protocol, writes the frames `frames()` makes,
    then closes. A refused token closes before the handshake (the client sees HTTP 403)."""

    action = ""

    async def connect(self) -> None:
        kwargs = self.scope["url_route"]["kwargs"]
        protocol = next((p for p in SUBPROTOCOLS if p in (self.scope.get("subprotocols") or [])), None)
        try:
            caller = await in_worker_thread(authenticate_scope)(self.scope, kwargs["sandbox_id"])
        except Status:
            await self.close()
            return
        if protocol is None:  # SPDY-only and base64 clients: refuse the upgrade (client-go then tries SPDY)
            await self.close()
            return
        await self.accept(subprotocol=protocol)
        query = parse_qs((self.scope.get("query_string") or b"").decode("latin1"), keep_blank_values=True)
        try:
            frames = await in_worker_thread(self.frames)(caller, kwargs["namespace"], kwargs["name"], query)
        except Status as error:
            frames = [(ERROR, error.to_dict())]
        except Exception:
            logger.exception("pod %s stream failed: %s", self.action, self.scope.get("path"))
            frames = [(ERROR, internal_error("an error on the server prevented the request from succeeding")
                       .to_dict())]
        for channel, data in frames:
            payload = json.dumps(data).encode() if isinstance(data, dict) else data.encode()
            await self.send(bytes_data=bytes([channel]) + payload)
        await self.close(code=1000)

    @abc.abstractmethod
    def frames(self, caller: Caller, namespace: str, name: str,
               query: dict[str, list[str]]) -> list[tuple[int, str | dict[str, Any]]]:
        """The (channel, payload) frames to send for this request; raises Status to refuse it."""


def _flag(query: dict[str, list[str]], name: str) -> bool:
    return (query.get(name) or [""])[-1].lower() in ("true", "1")


def _pod(caller: Caller, namespace: str, name: str) -> tuple[Any, dict[str, Any]]:
    cluster = state.load(caller.sandbox_id)
    client = engine.kubectl_client(cluster, actor=caller.actor)
    return client, client.get("Pod", name, namespace)


def _container(pod: dict[str, Any], wanted: str) -> dict[str, Any]:
    spec, name = pod.get("spec") or {}, pod["metadata"]["name"]
    containers = spec.get("containers") or []
    if not wanted:
        annotated = (pod["metadata"].get("annotations") or {}).get("kubectl.kubernetes.io/default-container")
        return next((c for c in containers if c["name"] == annotated), containers[0])
    for container in [*containers, *(spec.get("initContainers") or []), *(spec.get("ephemeralContainers") or [])]:
        if container["name"] == wanted:
            return container
    raise Status(400, "BadRequest", f"container {wanted} is not valid for pod {name}", {})


def _check_running(pod: dict[str, Any], container: dict[str, Any]) -> None:
    """The api-server's and kubelet's refusals, worded as kubectl prints them after `error: `."""
    phase = (pod.get("status") or {}).get("phase", "")
    if phase in ("Succeeded", "Failed"):
        raise Status(400, "BadRequest", f"cannot exec into a container in a completed pod; current phase is {phase}",
                     {})
    if not (pod.get("spec") or {}).get("nodeName"):
        raise Status(400, "BadRequest", f"pod {pod['metadata']['name']} does not have a host assigned", {})
    for status in (pod.get("status") or {}).get("containerStatuses") or []:
        if status.get("name") == container["name"] and "running" in (status.get("state") or {}):
            return
    raise Status(400, "BadRequest", f'unable to upgrade connection: container not found ("{container["name"]}")',
                 {})


class PodExecConsumer(_StreamConsumer):
    """`pods/exec`: one command in a running container, its stdout and stderr, then its exit Status."""

    action = "exec"

    def frames(self, caller: Caller, namespace: str, name: str,
               query: dict[str, list[str]]) -> list[tuple[int, str | dict[str, Any]]]:
        argv = query.get("command") or []
        if not argv:
            raise Status(400, "BadRequest", "you must specify at least one command for the container", {})
        if _flag(query, "stdin") or _flag(query, "tty"):
            _pod(caller, namespace, name)  # a missing pod is still a NotFound
            raise Status(400, "BadRequest", INTERACTIVE.format(pod=name), {})
        client, pod = _pod(caller, namespace, name)
        container = _container(pod, (query.get("container") or [""])[-1])
        _check_running(pod, container)
        stdout, stderr, code = engine.run_in_container(client, pod, container, argv)  # raises the kubelet's Status
        frames: list[tuple[int, str | dict[str, Any]]] = []
        if stdout and _flag(query, "stdout"):
            frames.append((STDOUT, stdout))
        if stderr and _flag(query, "stderr"):
            frames.append((STDERR, stderr))
        frames.append((ERROR, exit_status(argv, code % 256) if code else success()))
        return frames


class PodAttachConsumer(_StreamConsumer):
    """`pods/attach`: not simulated; answers with a Failure Status that says so."""

    action = "attach"

    def frames(self, caller: Caller, namespace: str, name: str,
               query: dict[str, list[str]]) -> list[tuple[int, str | dict[str, Any]]]:
        _pod(caller, namespace, name)
        raise Status(400, "BadRequest", ATTACH.format(pod=name), {})

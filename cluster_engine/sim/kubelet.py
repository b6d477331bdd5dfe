"""The kubelets: for each pod bound to a node whose kubelet runs, walk its containers through their
steps (image pull, create, start, run, exit, restart with back-off, probes, OOM; timings, back-off rules and
Event texts from `stages.py`),
write the pod status, record Events and serve container logs. One object serves every node; its
small per-pod memory (current step of each container) is part of the sandbox state."""

from __future__ import annotations

import hashlib
import ipaddress
import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from . import images, stages
from .clock import Timers
from .events import Recorder
from .images import FOREVER, Image, Program
from .quantity import QuantityError, memory_bytes
from .stages import EventSpec
from .store import Store
from .util import Draws, clone, parse_rfc3339, rfc3339

POD_CONDITIONS = ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")


def kubelet_actor(node: str) -> str:
    return f"kubelet/{node}"


def pod_key(pod: dict[str, Any]) -> str:
    return f"{pod['metadata']['namespace']}/{pod['metadata']['name']}"


def runtime_of(node: dict[str, Any] | None) -> str:
    version = ((node or {}).get("status", {}).get("nodeInfo") or {}).get("containerRuntimeVersion", "containerd://")
    return version.split(":", 1)[0]


class Kubelets:
    """Every node's kubelet. `sync(node, key, now)` is level-based and idempotent."""

    def __init__(
        self,
        store: Store,
        recorder: Recorder,
        *,
        timers: Timers,
        draws: Draws,
        delete_pod: Callable[[str, str, str, float], None],
        state: dict[str, Any] | None = None,
    ) -> None:
        self.store = store
        self.recorder = recorder
        self.timers = timers
        self.draws = draws
        self.delete_pod = delete_pod
        state = state or {}
        self.nodes: dict[str, dict[str, Any]] = state.get("nodes", {})
        self.pods: dict[str, dict[str, Any]] = state.get("pods", {})

    def to_json(self) -> dict[str, Any]:
        return {"nodes": self.nodes, "pods": self.pods}

    # --- node-level -----------------------------------------------------------------------------
    def node_state(self, node: str) -> dict[str, Any]:
        return self.nodes.setdefault(node, {"running": True, "pullFreeAt": 0.0, "nextIp": 1, "heartbeat": 0.0})

    def running(self, node: str) -> bool:
        return node in self.nodes and self.nodes[node]["running"] and self.store.get("Node", "", node) is not None

    def _allocate_ip(self, node: dict[str, Any], host_network: bool) -> str:
        addresses = node.get("status", {}).get("addresses") or []
        host_ip = next((a["address"] for a in addresses if a.get("type") == "InternalIP"), "")
        cidr = node.get("spec", {}).get("podCIDR")
        if host_network or not cidr:
            return host_ip
        state = self.node_state(node["metadata"]["name"])
        network = ipaddress.ip_network(cidr, strict=False)
        offset = 1 + (state["nextIp"] % (network.num_addresses - 3))
        state["nextIp"] += 1
        return str(network.network_address + offset)

    def _has_image(self, node: dict[str, Any], ref: images.ImageRef) -> bool:
        canonical = ref.canonical
        return any(canonical in entry.get("names", ()) for entry in node.get("status", {}).get("images") or ())

    def _add_image(self, node_name: str, ref: images.ImageRef, size: int, now: float) -> None:
        node = self.store.get("Node", "", node_name)
        if node is None or self._has_image(node, ref):
            return
        new = clone(node)
        entries = new["status"].setdefault("images", [])
        entries.append({"names": [images.image_id(ref), ref.canonical], "sizeBytes": size})
        self.store.put("Node", new, actor=kubelet_actor(node_name), reason="Pulled", verb="update/status", now=now)

    # --- pod sync -------------------------------------------------------------------------------
    def sync(self, node_name: str, key: str, now: float) -> None:
        """Bring the pod `namespace/name` on `node_name` forward to `now`; schedule the next due time."""
        namespace, name = key.split("/", 1)
        pod = self.store.get("Pod", namespace, name)
        owner = kubelet_actor(node_name)
        if pod is None or pod["spec"].get("nodeName") != node_name:
            self.timers.cancel(owner, key)
            return
        if not self.running(node_name):
            return
        node = self.store.get("Node", "", node_name)
        assert node is not None
        uid = pod["metadata"]["uid"]
        memory = self.pods.setdefault(uid, {"c": {}, "init": 0})
        if pod["metadata"].get("deletionTimestamp"):
            self._terminate(node_name, pod, memory, now)
            return
        status = clone(pod.get("status") or {})
        if status.get("phase") in ("Succeeded", "Failed") and memory.get("final"):
            return
        sync = _PodSync(self, node=node, pod=pod, status=status, memory=memory, now=now)
        next_time = sync.run()
        if sync.changed():
            new = dict(pod, status=sync.status)
            self.store.put("Pod", new, actor=owner, reason=sync.reason, verb="update/status", now=now)
        if next_time is not None and next_time < FOREVER:
            self.timers.schedule(next_time, owner, key, earliest=False)
        else:
            self.timers.cancel(owner, key)

    def _terminate(self, node_name: str, pod: dict[str, Any], memory: dict[str, Any], now: float) -> None:
        """Graceful stop: Killing events, then the delete with grace 0 once the processes have exited."""
        owner = kubelet_actor(node_name)
        key = pod_key(pod)
        meta = pod["metadata"]
        stop_at = memory.get("stopAt")
        if stop_at is None:
            grace = float(meta.get("deletionGracePeriodSeconds", 30))
            slowest = 0.0
            for container in pod["spec"]["containers"]:
                cstate = _status_of(pod.get("status", {}), "containerStatuses", container["name"])
                if not cstate or "running" not in cstate.get("state", {}):
                    continue
                self._event(
                    node_name,
                    pod,
                    stages.KILLING,
                    now,
                    container=container["name"],
                    field_path=f"spec.containers{{{container['name']}}}",
                )
                program = self.program(pod, container)
                slowest = max(slowest, grace if program.ignores_sigterm else min(grace, 0.5))
            stop_at = now + slowest
            memory["stopAt"] = stop_at
        if now >= stop_at:
            self.pods.pop(meta["uid"], None)
            self.timers.cancel(owner, key)
            self.delete_pod(meta["namespace"], meta["name"], owner, now)
        else:
            self.timers.schedule(stop_at, owner, key, earliest=False)

    def forget(self, uid: str) -> None:
        self.pods.pop(uid, None)

    # --- helpers shared with _PodSync -----------------------------------------------------------
    def program(self, pod: dict[str, Any], container: dict[str, Any]) -> Program:
        image = (
            images.lookup(images.parse_ref(container.get("image", ""))) or images.CATALOGUE["docker.io/library/busybox"]
        )
        env = {e["name"]: e.get("value", "") for e in container.get("env") or [] if "name" in e}
        env.setdefault("HOSTNAME", pod["metadata"]["name"])
        return images.program_for(image, container.get("command"), container.get("args"), env)

    def _event(
        self,
        node_name: str,
        pod: dict[str, Any],
        spec: EventSpec,
        now: float,
        *,
        field_path: str = "",
        **values: Any,
    ) -> None:
        meta = pod["metadata"]
        message = spec.message.format(pod=meta["name"], namespace=meta["namespace"], uid=meta["uid"], **values)
        self.recorder.record(
            dict(pod, kind="Pod", apiVersion="v1"),
            spec.type,
            spec.reason,
            message,
            component="kubelet",
            host=node_name,
            actor=kubelet_actor(node_name),
            now=now,
            field_path=field_path,
        )

    # --- logs -----------------------------------------------------------------------------------
    def logs(
        self,
        pod: dict[str, Any],
        container_name: str,
        *,
        previous: bool,
        now: float,
        timestamps: bool = False,
        tail: int | None = None,
    ) -> str | None:
        """The container's log text as `kubectl logs` shows it, or None if there is none to show."""
        spec = next(
            (
                c
                for c in pod["spec"].get("containers", []) + pod["spec"].get("initContainers", [])
                if c["name"] == container_name
            ),
            None,
        )
        if spec is None:
            return None
        cstatus = (
            _status_of(pod.get("status") or {}, "containerStatuses", container_name)
            or _status_of(pod.get("status") or {}, "initContainerStatuses", container_name)
            or {}
        )
        state = (cstatus.get("lastState") if previous else cstatus.get("state")) or {}
        run = state.get("running") or state.get("terminated")
        if not run and not previous:
            # A container waiting to start again (CrashLoopBackOff) shows its last run, as the kubelet's
            # validateContainerLogStatus picks lastState.terminated before it reports the waiting reason.
            run = (cstatus.get("lastState") or {}).get("terminated")
        if not run or not run.get("startedAt"):
            return None
        started = parse_rfc3339(run["startedAt"])
        until = parse_rfc3339(run["finishedAt"]) if run.get("finishedAt") else now
        program = self.program(pod, spec)
        lines = program.logs_until(until - started, limit=tail if tail is not None else 1000)
        out = []
        for offset, template in lines:
            stamp = started + offset
            text = template.replace("{time}", rfc3339(stamp).replace("-", "/").replace("T", " ").rstrip("Z"))
            text = text.replace("{date}", _date_text(stamp)).replace("{hostname}", pod["metadata"]["name"])
            text = text.replace("{version}", _version(spec.get("image", ""), program))
            out.append(f"{rfc3339(stamp).replace('Z', '.000000000Z')} {text}" if timestamps else text)
        return "\n".join(out) + ("\n" if out else "")


def _date_text(seconds: float) -> str:
    return datetime.fromtimestamp(int(seconds), tz=UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


def _version(image_text: str, _program: Program) -> str:
    ref = images.parse_ref(image_text)
    image = images.lookup(ref)
    if image is None:
        return ""
    return ref.tag if ref.tag and ref.tag[0].isdigit() else image.version


def _status_of(status: dict[str, Any], section: str, name: str) -> dict[str, Any] | None:
    return next((c for c in status.get(section) or [] if c.get("name") == name), None)


def _container_id(runtime: str, uid: str, name: str, restarts: int) -> str:
    digest = hashlib.sha256(f"{uid}/{name}/{restarts}".encode()).hexdigest()
    return f"{runtime}://{digest}"


def _limit(container: dict[str, Any]) -> int | None:
    raw = ((container.get("resources") or {}).get("limits") or {}).get("memory")
    if raw is None:
        return None
    try:
        return memory_bytes(raw)
    except QuantityError:
        return None


class _PodSync:
    """One pass of the kubelet over one pod at time `now`."""

    def __init__(
        self,
        kubelets: Kubelets,
        *,
        node: dict[str, Any],
        pod: dict[str, Any],
        status: dict[str, Any],
        memory: dict[str, Any],
        now: float,
    ) -> None:
        self.k = kubelets
        self.node = node
        self.node_name = node["metadata"]["name"]
        self.pod = pod
        self.spec = pod["spec"]
        self.status = status
        self.original = pod.get("status") or {}
        self.memory = memory
        self.now = now
        self.reason = ""
        self.runtime = runtime_of(node)
        self.next_times: list[float] = []

    def changed(self) -> bool:
        return self.status != self.original

    def event(self, spec: EventSpec, at: float, container: dict[str, Any], is_init: bool, **values: Any) -> None:
        section = "initContainers" if is_init else "containers"
        self.k._event(
            self.node_name,
            self.pod,
            spec,
            at,
            field_path=f"spec.{section}{{{container['name']}}}",
            container=container["name"],
            **values,
        )
        self.reason = spec.reason

    # --- pod level ------------------------------------------------------------------------------
    def run(self) -> float | None:
        if "startTime" not in self.status:
            self._accept()
        inits = self.spec.get("initContainers") or []
        index = self.memory["init"]
        failed_init = False
        while index < len(inits):
            container = inits[index]
            cstatus = self._cstatus("initContainerStatuses", container)
            self._progress(container, cstatus, is_init=True)
            term = cstatus["state"].get("terminated")
            if term and term.get("exitCode") == 0:
                index += 1
                self.memory["init"] = index
                # the next container starts when this one has finished, not when the pod was accepted
                self.memory["nextAt"] = self.memory["c"][container["name"]]["at"]
                continue
            if term and self.spec.get("restartPolicy") == "Never":
                failed_init = True
            break
        if index >= len(inits) and not failed_init:
            for container in self.spec["containers"]:
                self._progress(container, self._cstatus("containerStatuses", container), is_init=False)
        self._pod_status(failed_init)
        return min(self.next_times) if self.next_times else None

    def _accept(self) -> None:
        addresses = self.node.get("status", {}).get("addresses") or []
        host_ip = next((a["address"] for a in addresses if a.get("type") == "InternalIP"), "")
        stamp = rfc3339(self.now)
        self.status.update(
            {
                "hostIP": host_ip,
                "hostIPs": [{"ip": host_ip}],
                "podIP": "",
                "startTime": stamp,
            }
        )
        self.memory["sandbox"] = self.now + stages.SANDBOX_SECONDS
        for section, key in (
            ("initContainers", "initContainerStatuses"),
            ("containers", "containerStatuses"),
        ):
            if self.spec.get(section):
                waiting = (
                    "PodInitializing"
                    if section == "containers" and self.spec.get("initContainers")
                    else ("ContainerCreating")
                )
                self.status[key] = [self._fresh(c, waiting) for c in self.spec[section]]
        self.reason = "Scheduled"

    def _fresh(self, container: dict[str, Any], waiting: str) -> dict[str, Any]:
        return {
            "name": container["name"],
            "state": {"waiting": {"reason": waiting}},
            "lastState": {},
            "ready": False,
            "restartCount": 0,
            "image": container.get("image", ""),
            "imageID": "",
            "started": False,
        }

    def _cstatus(self, section: str, container: dict[str, Any]) -> dict[str, Any]:
        entries = self.status.setdefault(section, [])
        found = _status_of(self.status, section, container["name"])
        if found is None:
            found = self._fresh(container, "ContainerCreating")
            entries.append(found)
        return found

    # --- container level ------------------------------------------------------------------------
    def _progress(self, container: dict[str, Any], cstatus: dict[str, Any], *, is_init: bool) -> None:
        rec = self.memory["c"].setdefault(container["name"], {"step": "image", "at": 0.0, "fails": 0})
        if rec["at"] == 0.0:
            rec["at"] = max(self.memory.get("sandbox", self.now), self.memory.get("nextAt", 0.0))
        if cstatus.get("image") != container.get("image") and rec["step"] in (
                "running", "stuck", "done", "image", "pull-failed", "pull-backoff"):
            # an image update on a live pod: the kubelet kills the container and starts the new image. A container
            # still waiting for its old image pulls the new one at once: the pull back-off is kept per pod and
            # image (pkg/kubelet/images/image_manager.go, EnsureImageExists: backOffKey = pod UID + image)
            cstatus["image"] = container.get("image")
            if rec["step"] == "running":
                self._stop(container, cstatus, rec, self.now, exit_code=0, reason="Completed", killed=True)
                rec["step"] = "exited"
            else:
                rec.update(step="image", fails=0)
            rec["at"] = self.now
        guard = 0
        while rec["at"] <= self.now and guard < 64:
            guard += 1
            step = rec["step"]
            handler = getattr(self, "_step_" + step.replace("-", "_"), None)
            if handler is None:
                return
            if not handler(container, cstatus, rec, is_init):
                break
        if rec["step"] == "running":
            self._readiness(container, cstatus, rec, is_init)
        if rec["step"] not in ("stuck", "done") and rec["at"] < FOREVER:
            self.next_times.append(rec["at"])

    def _waiting(self, cstatus: dict[str, Any], reason: str, message: str = "") -> None:
        waiting = {"reason": reason}
        if message:
            waiting["message"] = message
        cstatus["state"] = {"waiting": waiting}
        cstatus["ready"] = False
        cstatus["started"] = False

    def _image(self, container: dict[str, Any]) -> tuple[images.ImageRef, Image | None]:
        ref = images.parse_ref(container.get("image", ""))
        return ref, images.lookup(ref)

    def _step_image(
        self, container: dict[str, Any], cstatus: dict[str, Any], rec: dict[str, Any], is_init: bool
    ) -> bool:
        at = rec["at"]
        ref, image = self._image(container)
        policy = container.get("imagePullPolicy", "IfNotPresent")
        cached = self.k._has_image(self.node, ref) and image is not None
        text = container.get("image", "")
        if policy == "Never" and not cached:
            self._waiting(cstatus, "ErrImageNeverPull", stages.NEVER_PULL.message.format(image=text))
            self.event(stages.NEVER_PULL, at, container, is_init, image=text)
            self.event(stages.NEVER_PULL_ERROR, at, container, is_init)
            rec["step"] = "stuck"
            return False
        if cached and policy != "Always":
            self.event(stages.PRESENT, at, container, is_init, image=text)
            rec.update(step="create", at=at)
            return True
        self.event(stages.PULLING, at, container, is_init, image=text)
        if image is None:
            rec.update(step="pull-failed", at=at + stages.RESOLVE_SECONDS)
            return True
        node_state = self.k.node_state(self.node_name)
        begin = max(at, node_state["pullFreeAt"])
        pull = round(image.size / images.PULL_BYTES_PER_SECOND * self.k.draws.uniform(0.8, 1.25) + 0.3, 3)
        if cached:
            pull = round(self.k.draws.uniform(0.3, 0.9), 3)  # `Always`: only the manifest is checked
        node_state["pullFreeAt"] = begin + pull
        rec.update(step="pulled", at=begin + pull, pull=pull, total=round(begin + pull - at, 3))
        return True

    def _step_pulled(
        self, container: dict[str, Any], cstatus: dict[str, Any], rec: dict[str, Any], is_init: bool
    ) -> bool:
        ref, image = self._image(container)
        assert image is not None
        self.event(
            stages.PULLED,
            rec["at"],
            container,
            is_init,
            image=container.get("image", ""),
            pull=f"{rec.pop('pull', 0):.3f}".rstrip("0").rstrip("."),
            total=f"{rec.pop('total', 0):.3f}".rstrip("0").rstrip("."),
            size=image.size,
        )
        self.k._add_image(self.node_name, ref, image.size, rec["at"])
        node = self.k.store.get("Node", "", self.node_name)
        if node is not None:
            self.node = node
        rec.update(step="create", at=rec["at"], fails=0)
        return True

    def _step_pull_failed(
        self, container: dict[str, Any], cstatus: dict[str, Any], rec: dict[str, Any], is_init: bool
    ) -> bool:
        ref, _image = self._image(container)
        detail = images.pull_failure_message(ref, self.runtime)
        self._waiting(cstatus, "ErrImagePull", detail)
        text = container.get("image", "")
        self.event(stages.PULL_FAILED, rec["at"], container, is_init, image=text, detail=detail)
        self.event(stages.ERR_IMAGE_PULL, rec["at"], container, is_init)
        rec["fails"] += 1
        rec.update(step="pull-backoff", at=rec["at"] + stages.PULL_RETRY_SECONDS)
        return True

    def _step_pull_backoff(
        self, container: dict[str, Any], cstatus: dict[str, Any], rec: dict[str, Any], is_init: bool
    ) -> bool:
        text = container.get("image", "")
        self._waiting(cstatus, "ImagePullBackOff", stages.PULL_BACKOFF.message.format(image=text))
        self.event(stages.PULL_BACKOFF, rec["at"], container, is_init, image=text)
        self.event(stages.ERR_PULL_BACKOFF, rec["at"], container, is_init)
        rec.update(step="image", at=rec["at"] + stages.image_backoff(rec["fails"]))
        return True

    def _step_create(
        self, container: dict[str, Any], cstatus: dict[str, Any], rec: dict[str, Any], is_init: bool
    ) -> bool:
        at = rec["at"] + stages.CREATE_SECONDS
        if at > self.now:
            if cstatus["state"].get("waiting", {}).get("reason") not in ("CrashLoopBackOff",):
                cstatus["state"] = {"waiting": {"reason": "PodInitializing" if is_init else "ContainerCreating"}}
            rec["at"] = at
            rec["step"] = "start"
            return False
        rec["at"] = at
        return self._step_start(container, cstatus, rec, is_init)

    def _step_start(
        self, container: dict[str, Any], cstatus: dict[str, Any], rec: dict[str, Any], is_init: bool
    ) -> bool:
        at = rec["at"]
        ref, _image = self._image(container)
        program = self.k.program(self.pod, container)
        restarts = cstatus.get("restartCount", 0)
        cstatus["imageID"] = images.image_id(ref)
        cstatus["containerID"] = _container_id(self.runtime, self.pod["metadata"]["uid"], container["name"], restarts)
        if "podIP" not in self.status or not self.status.get("podIP"):
            self._assign_ip()
        self.event(stages.CREATED, at, container, is_init)
        if program.start_error:
            self.event(stages.START_FAILED, at, container, is_init, detail=program.start_error)
            cstatus["state"] = {
                "terminated": {
                    "exitCode": 128,
                    "reason": "StartError",
                    "message": program.start_error,
                    "startedAt": "1970-01-01T00:00:00Z",
                    "finishedAt": rfc3339(at),
                    "containerID": cstatus["containerID"],
                }
            }
            cstatus["ready"] = False
            cstatus["started"] = False
            rec.update(step="exited", at=at)
            return True
        self.event(stages.STARTED, at, container, is_init)
        cstatus["state"] = {"running": {"startedAt": rfc3339(at)}}
        cstatus["started"] = not container.get("startupProbe") or is_init
        probe = container.get("readinessProbe")
        cstatus["ready"] = probe is None and not is_init and cstatus["started"]
        rec.update(step="running", start=at, at=self._running_due(container, program, at, is_init))
        return True

    def _assign_ip(self) -> None:
        ip = self.k._allocate_ip(self.node, bool(self.spec.get("hostNetwork")))
        self.status["podIP"] = ip
        self.status["podIPs"] = [{"ip": ip}]

    def _running_due(self, container: dict[str, Any], program: Program, start: float, is_init: bool) -> float:
        """The earliest time something happens to a running container: exit, OOM kill or liveness kill."""
        due = start + program.exit_at
        limit = _limit(container)
        if limit is not None and program.memory > limit:
            due = min(due, start + 1.0)
        if is_init:
            return due
        started, startup_kill = self._startup(container, program, start)
        if startup_kill is not None:
            due = min(due, startup_kill)
        liveness = container.get("livenessProbe")
        if liveness and started is not None:
            kill = self._liveness_kill(container, liveness, program, start, begin=started)
            if kill is not None:
                due = min(due, kill)
        return due

    def _startup(self, container: dict[str, Any], program: Program, start: float) -> tuple[float | None, float | None]:
        """(when the startup probe first succeeds, when its failures kill the container); liveness and
        readiness probes only begin after it succeeds. Without a startup probe: (start, None)."""
        probe = container.get("startupProbe")
        if not probe:
            return start, None
        first, period = self._probe_times(probe, start)
        threshold = max(1, probe.get("failureThreshold", 3))
        for k in range(threshold):
            at = first + k * period
            if start + program.exit_at <= at:
                return None, None
            ok, _ = self._probe_result(container, probe, program, at - start)
            if ok:
                return at, None
        return None, first + (threshold - 1) * period

    def _probe_result(
        self, container: dict[str, Any], probe: dict[str, Any], program: Program, offset: float
    ) -> tuple[bool, str]:
        image = self._image(container)[1] or images.CATALOGUE["docker.io/library/busybox"]
        ip = self.status.get("podIP", "")
        if probe.get("exec"):
            command = probe["exec"].get("command") or []
            words = command[2].split() if len(command) >= 3 and command[1] == "-c" else command
            name = words[0].rsplit("/", 1)[-1] if words else ""
            if name in ("cat", "test", "ls", "stat") and words[1:]:
                target = words[-1]
                if target in program.files_at(offset):
                    return True, ""
                if name == "cat":
                    return False, f"cat: can't open '{target}': No such file or directory"
                return False, ""
            if name == "false":
                return False, ""
            return True, ""
        for handler in ("httpGet", "tcpSocket", "grpc"):
            if probe.get(handler):
                port = self._port(container, probe[handler].get("port"))
                path = probe[handler].get("path", "/") if handler == "httpGet" else None
                ok, why = images.serves(image, program, port, path)
                if ok:
                    return True, ""
                if why.startswith("statuscode"):
                    return False, f"HTTP probe failed with statuscode: {why.split(': ')[1]}"
                if handler == "httpGet":
                    scheme = probe[handler].get("scheme", "HTTP").lower()
                    return False, (
                        f'Get "{scheme}://{ip}:{port}{path}": dial tcp {ip}:{port}: connect: connection refused'
                    )
                return False, f"dial tcp {ip}:{port}: connect: connection refused"
        return True, ""

    def _port(self, container: dict[str, Any], port: Any) -> int:
        if isinstance(port, int):
            return port
        for entry in container.get("ports") or []:
            if entry.get("name") == port:
                return int(entry.get("containerPort", 0))
        return int(port) if str(port).isdigit() else 0

    def _probe_times(self, probe: dict[str, Any], start: float) -> tuple[float, float]:
        return start + probe.get("initialDelaySeconds", 0), float(max(1, probe.get("periodSeconds", 10)))

    def _liveness_kill(
        self, container: dict[str, Any], probe: dict[str, Any], program: Program, start: float, *, begin: float
    ) -> float | None:
        first, period = self._probe_times(probe, begin)
        threshold = max(1, probe.get("failureThreshold", 3))
        horizon = (program.change_points()[-1] if program.change_points() else 0.0) + start
        failures = 0
        k = 0
        while True:
            at = first + k * period
            if start + program.exit_at <= at:
                return None
            ok, _ = self._probe_result(container, probe, program, at - start)
            failures = 0 if ok else failures + 1
            if failures >= threshold:
                return at
            if at > horizon and (ok or failures == 0):
                return None
            k += 1
            if k > 100_000:
                return None

    def _readiness(
        self, container: dict[str, Any], cstatus: dict[str, Any], rec: dict[str, Any], is_init: bool
    ) -> None:
        probe = container.get("readinessProbe")
        if is_init:
            return
        program = self.k.program(self.pod, container)
        start = rec["start"]
        started, _kill = self._startup(container, program, start)
        cstatus["started"] = started is not None and self.now >= started
        if not cstatus["started"]:
            cstatus["ready"] = False
            if started is not None:
                self.next_times.append(started)
            return
        if probe is None:
            cstatus["ready"] = True
            return
        first, period = self._probe_times(probe, start)
        first = max(first, started)
        if self.now < first:
            cstatus["ready"] = False
            self.next_times.append(first)
            return
        success_needed = max(1, probe.get("successThreshold", 1))
        failure_needed = max(1, probe.get("failureThreshold", 3))
        ready, successes, failures = False, 0, 0
        last = math.floor((self.now - first) / period)
        horizon = (program.change_points()[-1] + start) if program.change_points() else first
        k_start = max(0, last - (max(success_needed, failure_needed) + 2)) if first + last * period > horizon else 0
        if k_start > 0:
            ok, _ = self._probe_result(container, probe, program, self.now - start)
            ready = ok
        detail = ""
        reported = rec.get("probedTo", -1.0)
        unhealthy: list[tuple[float, str]] = []
        for k in range(k_start, last + 1):
            at = first + k * period
            ok, why = self._probe_result(container, probe, program, at - start)
            if ok:
                successes, failures = successes + 1, 0
                if successes >= success_needed:
                    ready = True
            else:
                successes, failures, detail = 0, failures + 1, why
                if failures >= failure_needed:
                    ready = False
                if at > reported:
                    unhealthy.append((at, why))
        rec["probedTo"] = max(reported, first + last * period)
        # The prober records an Unhealthy event for every failed probe, which the event recorder folds into
        # one Event with a count (pkg/kubelet/prober/prober.go, runProbe). A pod not synced for a long while
        # reports only its last few failures, not a backlog.
        for at, why in unhealthy[-(failure_needed + 3):]:
            self.event(stages.UNHEALTHY, at, container, is_init, probe="Readiness", detail=why)
        cstatus["ready"] = ready
        next_probe = first + (last + 1) * period
        if next_probe <= horizon + (max(success_needed, failure_needed) + 1) * period or (not ready and not detail):
            self.next_times.append(next_probe)

    def _step_running(
        self, container: dict[str, Any], cstatus: dict[str, Any], rec: dict[str, Any], is_init: bool
    ) -> bool:
        at = rec["at"]
        start = rec["start"]
        program = self.k.program(self.pod, container)
        limit = _limit(container)
        if limit is not None and program.memory > limit and at >= start + 1.0 and at < start + program.exit_at:
            self._stop(container, cstatus, rec, at, exit_code=137, reason="OOMKilled")
        elif at >= start + program.exit_at:
            code = program.exit_code
            self._stop(container, cstatus, rec, at, exit_code=code, reason="Completed" if code == 0 else "Error")
        else:
            _started, startup_kill = self._startup(container, program, start)
            which = "Startup" if startup_kill is not None and at >= startup_kill else "Liveness"
            probe = container.get(f"{which.lower()}Probe") or {}
            _ok, detail = self._probe_result(container, probe, program, at - start)
            for _ in range(max(1, probe.get("failureThreshold", 3))):
                self.event(stages.UNHEALTHY, at, container, is_init, probe=which, detail=detail or "probe failed")
            self.event(stages.STARTUP_KILL if which == "Startup" else stages.LIVENESS_KILL, at, container, is_init)
            killed_code = 137 if program.ignores_sigterm else 0
            self._stop(
                container,
                cstatus,
                rec,
                at,
                exit_code=killed_code,
                reason="Error" if killed_code else "Completed",
            )
        rec.update(step="exited", at=at)
        return True

    def _stop(
        self,
        container: dict[str, Any],
        cstatus: dict[str, Any],
        rec: dict[str, Any],
        at: float,
        *,
        exit_code: int,
        reason: str,
        killed: bool = False,
    ) -> None:
        running = cstatus["state"].get("running") or {}
        cstatus["state"] = {
            "terminated": {
                "exitCode": exit_code,
                "reason": reason,
                "startedAt": running.get("startedAt", rfc3339(rec.get("start", at))),
                "finishedAt": rfc3339(at),
                "containerID": cstatus.get("containerID", ""),
            }
        }
        cstatus["ready"] = False
        cstatus["started"] = False
        rec["ran"] = at - rec.get("start", at)
        if killed:
            self.event(stages.KILLING, at, container, False)

    def _step_exited(
        self, container: dict[str, Any], cstatus: dict[str, Any], rec: dict[str, Any], is_init: bool
    ) -> bool:
        at = rec["at"]
        term = cstatus["state"].get("terminated") or {}
        code = term.get("exitCode", 0)
        policy = self.spec.get("restartPolicy", "Always")
        if is_init and code == 0:
            rec["step"] = "done"
            return False
        restart = (policy == "Always" and not is_init) or (policy != "Never" and code != 0)
        if not restart:
            rec["step"] = "done"
            return False
        restarts = cstatus.get("restartCount", 0)
        if rec.get("ran", 0) >= stages.BACKOFF_RESET:
            rec["backoffBase"] = restarts
        delay = stages.restart_backoff(restarts - rec.get("backoffBase", 0))
        cstatus["lastState"] = {"terminated": term}
        cstatus["restartCount"] = restarts + 1
        if delay <= 0:
            rec.update(step="create", at=at)
            cstatus["state"] = {"waiting": {"reason": "ContainerCreating"}}
            return True
        meta = self.pod["metadata"]
        cstatus["restartCount"] = restarts
        self._waiting(
            cstatus,
            "CrashLoopBackOff",
            f"back-off {int(delay) // 60}m{int(delay) % 60}s restarting failed container="
            f"{container['name']} pod={meta['name']}_{meta['namespace']}({meta['uid']})"
            if delay >= 60
            else f"back-off {int(delay)}s restarting failed container={container['name']} "
            f"pod={meta['name']}_{meta['namespace']}({meta['uid']})",
        )
        cstatus["lastState"] = {"terminated": term}
        self.event(stages.CRASH_BACKOFF, at, container, is_init)
        rec.update(step="restart", at=at + delay)
        return True

    def _step_restart(
        self, container: dict[str, Any], cstatus: dict[str, Any], rec: dict[str, Any], is_init: bool
    ) -> bool:
        cstatus["restartCount"] = cstatus.get("restartCount", 0) + 1
        rec.update(step="create", at=rec["at"])
        return True

    # --- pod phase and conditions ---------------------------------------------------------------
    def _pod_status(self, failed_init: bool) -> None:
        spec, status = self.spec, self.status
        if self.memory.get("sandbox", 0) <= self.now and not status.get("podIP"):
            self._assign_ip()
        inits = spec.get("initContainers") or []
        init_done = self.memory["init"] >= len(inits)
        containers = status.get("containerStatuses") or []
        if failed_init:
            phase = "Failed"
        elif not init_done:
            phase = "Pending"
        else:
            phase = _phase(containers, spec.get("restartPolicy", "Always"))
        if phase in ("Succeeded", "Failed"):
            self.memory["final"] = True
        status["phase"] = phase
        stamp = rfc3339(self.now)
        old = {c["type"]: c for c in self.original.get("conditions") or []}
        unready = [c["name"] for c in containers if not c.get("ready")]
        pending_inits = [c["name"] for c in inits[self.memory["init"] :]]
        values: dict[str, tuple[str, str, str]] = {
            "PodReadyToStartContainers": ("True" if status.get("podIP") else "False", "", ""),
            "Initialized": ("True", "", "")
            if init_done
            else (
                "False",
                "ContainersNotInitialized",
                f"containers with incomplete status: [{' '.join(pending_inits)}]",
            ),
            "PodScheduled": ("True", "", ""),
        }
        if phase == "Succeeded" or (phase == "Failed" and not unready):
            ready = ("False", "PodCompleted", "")
        elif unready or not containers:
            ready = (
                "False",
                "ContainersNotReady",
                f"containers with unready status: [{' '.join(unready or [c['name'] for c in spec['containers']])}]",
            )
        else:
            ready = ("True", "", "")
        values["Ready"] = ready
        values["ContainersReady"] = ready
        conditions = []
        for kind in POD_CONDITIONS:
            value, reason, message = values[kind]
            previous = old.get(kind)
            condition: dict[str, Any] = {
                "type": kind,
                "status": value,
                "lastProbeTime": None,
                "lastTransitionTime": stamp,
            }
            if previous and previous.get("status") == value:
                condition["lastTransitionTime"] = previous.get("lastTransitionTime", stamp)
            if reason:
                condition["reason"] = reason
            if message:
                condition["message"] = message
            condition.pop("lastProbeTime")
            conditions.append(condition)
        status["conditions"] = conditions
        ordered = {}
        for key in (
            "phase",
            "conditions",
            "hostIP",
            "hostIPs",
            "podIP",
            "podIPs",
            "startTime",
            "initContainerStatuses",
            "containerStatuses",
            "qosClass",
        ):
            if key in status:
                ordered[key] = status[key]
        ordered.update({k: v for k, v in status.items() if k not in ordered})
        self.status = ordered


def _phase(containers: list[dict[str, Any]], policy: str) -> str:
    """The pod phase from its containers' states (the kubelet's getPhase)."""
    waiting = running = stopped = succeeded = failed = 0
    for cstatus in containers:
        state = cstatus.get("state") or {}
        if "running" in state:
            running += 1
        elif "terminated" in state:
            stopped += 1
            if state["terminated"].get("exitCode") == 0:
                succeeded += 1
            else:
                failed += 1
        elif (cstatus.get("lastState") or {}).get("terminated"):
            stopped += 1
        else:
            waiting += 1
    if waiting or not containers:
        return "Pending"
    if running:
        return "Running"
    if policy == "Always":
        return "Running"
    if policy == "OnFailure":
        return "Succeeded" if succeeded == stopped else "Running"
    return "Failed" if failed else "Succeeded"

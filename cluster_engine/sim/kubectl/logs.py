"""`kubectl logs`: the container logs of a pod, or of the pod kubectl picks for a workload (`deploy/web`), with
kubectl's checks of the container name and its notes."""

from __future__ import annotations

from typing import Any

from cluster_engine.sim.errors import Status
from cluster_engine.sim.util import parse_rfc3339

from . import messages, parser
from .context import Client, Result, Session, current_namespace
from .errors import KubectlError
from .resources import Resource, parse_targets


def logs(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    if not parsed.args:
        raise KubectlError(
            "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\n"
            "POD or TYPE/NAME is a required argument for the logs command\n"
            "See 'kubectl logs -h' for help and examples"
        )
    if len(parsed.args) > 2:
        raise KubectlError(
            "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\n"
            "POD or TYPE/NAME is a required argument for the logs command\n"
            "See 'kubectl logs -h' for help and examples"
        )
    namespace = current_namespace(parsed, session)
    first = parsed.args[0]
    container = parsed.flag("container") or (parsed.args[1] if len(parsed.args) == 2 else None)
    note = ""
    try:
        if "/" in first:
            targets = parse_targets([first])
            resource, name = targets[0].resource, targets[0].names[0]
            if resource.kind != "Pod":
                name, note = _first_pod_of(client, resource, name, namespace)
        else:
            name = first
        pod = client.get("Pod", name, namespace)
    except Status as status:
        if status.reason != "NotFound":
            raise
        # kubectl's logs wraps the builder's NotFound (kubectl/pkg/cmd/logs: "error from server (NotFound):
        # %w in namespace %q").
        raise KubectlError(
            f'error: error from server (NotFound): {status.message} in namespace "{namespace}"'
        ) from status
    tail = parsed.flag("tail")
    names = [c["name"] for c in pod["spec"].get("containers") or []]
    if container and not parsed.flag("all-containers"):
        # logsForObject checks the name itself (podcmd.FindContainerByName) before asking the server.
        known = names + [
            c["name"] for part in ("initContainers", "ephemeralContainers") for c in pod["spec"].get(part) or []
        ]
        if container not in known:
            raise KubectlError(f"error: container {container} is not valid for pod {name}")
    wanted = names if parsed.flag("all-containers") else [container]
    text = ""
    for each in wanted:
        chunk = client.logs(
            name,
            namespace=namespace,
            container=each,
            previous=parsed.flag("previous"),
            timestamps=parsed.flag("timestamps"),
            tail=tail if tail >= 0 else None,
        )
        if parsed.flag("prefix"):
            shown = each or names[0]
            chunk = "".join(f"[pod/{name}/{shown}] {line}\n" for line in chunk.splitlines())
        text += chunk
    if parsed.flag("follow"):
        note += messages.message("watch_snapshot", session.language) + "\n"
    return Result(text, note)


def _first_pod_of(client: Client, resource: Resource, name: str, namespace: str) -> tuple[str, str]:
    """`kubectl logs deploy/web`: the first pod the workload's selector picks, and kubectl's note saying
    which one when there are several."""
    obj = client.get(resource.kind, name, namespace)
    selector = ((obj.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    if resource.kind == "Job" and not selector:
        selector = {"job-name": name}
    label_selector = ",".join(f"{k}={v}" for k, v in sorted(selector.items()))
    pods = client.list("Pod", namespace, label_selector=label_selector).get("items") or []
    if not pods:
        raise KubectlError(f"error: timed out waiting for the condition on {resource.plural}/{name}")
    chosen = max(pods, key=_activity)["metadata"]["name"]  # ties: the first listed, as kubectl's sort keeps
    note = f"Found {len(pods)} pods, using pod/{chosen}\n" if len(pods) > 1 else ""
    return chosen, note


def _activity(pod: dict[str, Any]) -> tuple[Any, ...]:
    """kubectl's `sort.Reverse(podutils.ActivePods)` for logs and exec on a workload, as a key to maximise:
    assigned, then Running over Unknown over Pending, ready, ready the longest, fewest restarts, oldest."""
    status = pod.get("status") or {}
    ready_since = next((c.get("lastTransitionTime") for c in status.get("conditions") or []
                        if c.get("type") == "Ready" and c.get("status") == "True"), None)
    restarts = max((c.get("restartCount", 0) for c in status.get("containerStatuses") or []), default=0)
    created = pod["metadata"].get("creationTimestamp")
    return (
        bool((pod.get("spec") or {}).get("nodeName")),
        {"Pending": 0, "Unknown": 1, "Running": 2}.get(status.get("phase", ""), 0),
        ready_since is not None,
        (1, -parse_rfc3339(ready_since)) if ready_since else (0, 0.0),
        -restarts,
        (1, -parse_rfc3339(created)) if created else (0, 0.0),
    )

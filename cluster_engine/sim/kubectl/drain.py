"""`kubectl drain NODE`: cordon, then remove the node's pods as kubectl's drain helper does, with its pod
filters (DaemonSet-managed, mirror, local storage, unreplicated) and its exact warnings and errors.

Each pod is removed through the `pods/eviction` subresource (a DELETE with `--disable-eviction`), so its
PodDisruptionBudget may refuse: kubectl then prints `error when evicting pods/"x" -n "ns" (will retry after 5s):
Cannot evict pod as it would violate the pod's disruption budget.` and tries again every five seconds, for as long
as `--timeout` allows (forever by default). kubectl also waits until each evicted pod is gone. The terminal cannot
wait: `pod/x evicted` is printed once the eviction is accepted (the pod may still be Terminating for its grace
period), and a refused eviction is printed once, followed by a note that kubectl would keep retrying.
"""

from __future__ import annotations

from typing import Any

from cluster_engine.sim.errors import Status

from . import messages, parser
from .context import DRY_RUN_SUFFIX, Client, Result, Session, dry_run_mode
from .errors import KubectlError
from .mutations import cordon_nodes

DAEMONSET_FATAL = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)"
DAEMONSET_WARNING = "ignoring DaemonSet-managed Pods"
LOCAL_STORAGE_FATAL = "Pods with local storage (use --delete-emptydir-data to override)"
LOCAL_STORAGE_WARNING = "deleting Pods with local storage"
UNMANAGED_FATAL = "cannot delete Pods that declare no controller (use --force to override)"
UNMANAGED_WARNING = "deleting Pods that declare no controller"
MIRROR_ANNOTATION = "kubernetes.io/config.mirror"

# a filter's verdict: (delete, reason, message) with reason okay | skip | warning | error
Verdict = tuple[bool, str, str]
_OKAY: Verdict = (True, "okay", "")


def _controller_ref(pod: dict[str, Any]) -> dict[str, Any] | None:
    return next((r for r in pod["metadata"].get("ownerReferences") or [] if r.get("controller")), None)


def _finished(pod: dict[str, Any]) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def _verdict(pod: dict[str, Any], client: Client, parsed: parser.ParsedCommand) -> Verdict:
    """The drain helper's filters in order, stopping at the first that keeps the pod; as upstream, a
    warning of an earlier filter is lost when a later filter says okay."""
    verdict = _OKAY
    for check in (_daemonset_filter, _mirror_filter, _local_storage_filter, _unreplicated_filter):
        verdict = check(pod, client, parsed)
        if not verdict[0]:
            break
    return verdict


def _daemonset_filter(pod: dict[str, Any], client: Client, parsed: parser.ParsedCommand) -> Verdict:
    ref = _controller_ref(pod)
    if ref is None or ref.get("kind") != "DaemonSet" or _finished(pod):
        return _OKAY
    try:
        client.get("DaemonSet", ref.get("name", ""), pod["metadata"].get("namespace", ""))
    except Status as status:
        if status.code == 404 and parsed.flag("force"):
            return (True, "warning", status.message)
        return (False, "error", status.message)
    if not parsed.flag("ignore-daemonsets"):
        return (False, "error", DAEMONSET_FATAL)
    return (False, "warning", DAEMONSET_WARNING)


def _mirror_filter(pod: dict[str, Any], _client: Client, _parsed: parser.ParsedCommand) -> Verdict:
    return (False, "skip", "") if MIRROR_ANNOTATION in (pod["metadata"].get("annotations") or {}) else _OKAY


def _local_storage_filter(pod: dict[str, Any], _client: Client, parsed: parser.ParsedCommand) -> Verdict:
    if not any("emptyDir" in v for v in (pod.get("spec") or {}).get("volumes") or []) or _finished(pod):
        return _OKAY
    if not parsed.flag("delete-emptydir-data"):
        return (False, "error", LOCAL_STORAGE_FATAL)
    return (True, "warning", LOCAL_STORAGE_WARNING)


def _unreplicated_filter(pod: dict[str, Any], _client: Client, parsed: parser.ParsedCommand) -> Verdict:
    if _finished(pod) or _controller_ref(pod) is not None:
        return _OKAY
    if parsed.flag("force"):
        return (True, "warning", UNMANAGED_WARNING)
    return (False, "error", UNMANAGED_FATAL)


def _grouped(items: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, list[str]]]:
    groups: dict[str, list[str]] = {}
    for message, pod in items:
        groups.setdefault(message, []).append(f"{pod['metadata'].get('namespace', '')}/{pod['metadata']['name']}")
    return list(groups.items())


def _pods_for_deletion(
    client: Client, parsed: parser.ParsedCommand, node: str
) -> tuple[list[dict[str, Any]], str, list[str]]:
    """`GetPodsForDeletion`: (pods to remove, the warnings line, the errors)."""
    pods = client.list(
        "Pod", None, label_selector=parsed.flag("pod-selector"), field_selector=f"spec.nodeName={node}"
    ).get("items") or []
    remove: list[dict[str, Any]] = []
    warnings: list[tuple[str, dict[str, Any]]] = []
    errors: list[tuple[str, dict[str, Any]]] = []
    for pod in pods:
        delete, reason, message = _verdict(pod, client, parsed)
        if delete:
            remove.append(pod)
        if reason == "warning":
            warnings.append((message, pod))
        elif reason == "error":
            errors.append((message or "unexpected error", pod))
    warning_text = "; ".join(f"{message}: {', '.join(names)}" for message, names in _grouped(warnings))
    error_texts = [
        f"{message}: {', '.join(names)}"
        if message.lower().startswith("cannot delete")
        else f"cannot delete {message}: {', '.join(names)}"
        for message, names in _grouped(errors)
    ]
    return remove, warning_text, error_texts


def drain(parsed: parser.ParsedCommand, client: Client, session: Session) -> Result:
    if parsed.args and parsed.flag("selector"):
        raise KubectlError("error: cannot specify both a node name and a --selector option")
    if not parsed.args and not parsed.flag("selector"):
        raise KubectlError("error: USAGE: drain NODE [flags]\nSee 'kubectl drain -h' for help and examples")
    dry_run = dry_run_mode(parsed)
    suffix = DRY_RUN_SUFFIX[dry_run]
    nodes, stdout, stderr, failed = cordon_nodes(parsed, client, session, True)
    if failed:
        return Result(stdout, stderr, 1)
    grace = parsed.flag("grace-period")
    disable_eviction = parsed.flag("disable-eviction")
    for index, node in enumerate(nodes):
        name = node["metadata"]["name"]
        remove, warning_text, error_texts = _pods_for_deletion(client, parsed, name)
        if error_texts:
            stderr += f'error: unable to drain node "{name}", aborting command...\n\n'
            stderr += "There are pending nodes to be drained:\n"
            stderr += "".join(f" {n['metadata']['name']}\n" for n in nodes[index:])
            if len(error_texts) == 1:
                stderr += f"error: {error_texts[0]}\n"
            else:
                stderr += "".join(f"{text}\n" for text in error_texts)
            return Result(stdout, stderr, 1)
        if warning_text:
            stderr += f"WARNING: {warning_text}\n"
        done: list[str] = []
        blocked: list[str] = []
        for pod in remove:
            meta = pod["metadata"]
            if dry_run == "client":
                stdout += f"evicting pod {meta.get('namespace', '')}/{meta['name']} (dry run)\n"
                continue
            if not disable_eviction:
                stdout += f"evicting pod {meta.get('namespace', '')}/{meta['name']}{suffix}\n"
            try:
                if disable_eviction:
                    client.delete(
                        "Pod",
                        meta["name"],
                        namespace=meta.get("namespace", ""),
                        propagation_policy=None,
                        grace_period_seconds=grace if grace >= 0 else None,
                        dry_run=dry_run == "server",
                    )
                else:
                    client.evict(meta["name"], namespace=meta.get("namespace", ""),
                                 grace_period_seconds=grace if grace >= 0 else None, dry_run=dry_run == "server")
            except Status as status:
                if status.code == 404:
                    continue
                if status.code == 429:  # a disruption budget: kubectl retries every 5 s; the terminal cannot wait
                    stderr += (f'error when evicting pods/"{meta["name"]}" -n "{meta.get("namespace", "")}" '
                               f"(will retry after 5s): {status.message}\n")
                    blocked.append(f"{meta.get('namespace', '')}/{meta['name']}")
                    continue
                stderr += f'There are pending pods in node "{name}" when an error occurred: {status.message}\n'
                return Result(stdout, stderr + f"error: {status.message}\n", 1)
            if dry_run == "none":
                done.append(f"pod/{meta['name']} {'deleted' if disable_eviction else 'evicted'}\n")
        stdout += "".join(done)
        if blocked:
            note = messages.message("drain_blocked", session.language, pods=", ".join(blocked))
            return Result(stdout, stderr + note + "\n", 1)
        stdout += f"node/{name} drained{suffix}\n"
    return Result(stdout, stderr)

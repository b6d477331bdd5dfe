"""The requests that reach a pod through its node rather than the store: `pods/log` (the kubelet's container
output, with the api-server's refusals), `pods/portforward` (`portforward.py`) and `curl` from a pod (cluster DNS and
kube-proxy, `proxy.py`). They only read the cluster."""

from __future__ import annotations

from typing import Any

from . import portforward, proxy
from .errors import bad_request, not_found
from .kubelet import Kubelets
from .store import Store
from .util import Draws


def logs(
    store: Store,
    kubelets: Kubelets,
    name: str,
    *,
    now: float,
    namespace: str = "default",
    container: str | None = None,
    previous: bool = False,
    timestamps: bool = False,
    tail: int | None = None,
) -> str:
    """`kubectl logs`: the container's output, or the Status kube-apiserver answers."""
    pod = store.get("Pod", namespace, name)
    if pod is None:
        raise not_found("pods", name)
    names = [c["name"] for c in pod["spec"]["containers"]]
    all_names = names + [c["name"] for c in pod["spec"].get("initContainers") or []]
    if container is None:
        if len(names) > 1:
            raise bad_request(
                f"a container name must be specified for pod {name}, choose one of: "
                f"[{' '.join(names)}]"
                + (
                    f" or one of the init containers: [{' '.join(all_names[len(names) :])}]"
                    if len(all_names) > len(names)
                    else ""
                )
            )
        container = names[0]
    if container not in all_names:
        raise bad_request(f"container {container} is not valid for pod {name}")
    text = kubelets.logs(
        pod, container, previous=previous, now=now, timestamps=timestamps, tail=tail
    )
    if text is None:
        if previous:
            raise bad_request(f'previous terminated container "{container}" in pod "{name}" not found')
        waiting = next(
            (
                c.get("state", {}).get("waiting", {}).get("reason", "ContainerCreating")
                for c in (pod.get("status", {}).get("containerStatuses") or [])
                + (pod.get("status", {}).get("initContainerStatuses") or [])
                if c["name"] == container
            ),
            "ContainerCreating",
        )
        raise bad_request(
            f'container "{container}" in pod "{name}" is waiting to start: '
            + (
                "trying and failing to pull image"
                if waiting in ("ErrImagePull", "ImagePullBackOff")
                else waiting
            )
        )
    return text

def http_request(store: Store, kubelets: Kubelets, draws: Draws, url: str, *, from_pod: str | None = None,
                 namespace: str = "default") -> dict[str, Any]:
    """`curl <url>` from pod `from_pod` in `namespace` (or from a node): {status, body, pod, node,
    service, error}, routed as kube-proxy and cluster DNS would (see `proxy.py`). Raises NotFound
    for an unknown `from_pod`."""
    source = None
    if from_pod is not None:
        source = store.get("Pod", namespace, from_pod)
        if source is None:
            raise not_found("pods", from_pod)
    return proxy.request(store, kubelets, draws, url, from_pod=source).to_dict()

def port_forward(
    store: Store, kubelets: Kubelets, name: str, *, namespace: str, uid: str, port: int, request: bytes | None = None,
    now: float,
) -> portforward.Forwarded:
    """One connection of `kubectl port-forward` to `port` of pod `namespace/name`, opened for the pod with
    `uid`: without `request`, whether it connects (`error` says why not, as the kubelet would); with one HTTP
    request (`portforward.request_size` bytes), the reply of the pod's server. Only reads the cluster."""
    pod = store.get("Pod", namespace, name)
    if request is None:
        return portforward.Forwarded(error=portforward.connect(pod, uid, port, kubelets))
    return portforward.exchange(pod, uid=uid, port=port, request=request, kubelets=kubelets,
                                now=now)

"""DefaultBinder: binds the pod to the chosen node through the cluster (the `pods/binding` subresource)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cluster_engine.sim.scheduler.explain import Record

NAME = "DefaultBinder"


class DefaultBinder:
    name = NAME

    def bind(self, host: Any, namespace: str, name: str, node_name: str, explanation: Record) -> None:
        """Ask the host to write `spec.nodeName`; raises whatever the host raises (a `Status`) on refusal."""
        host.bind(namespace, name, node_name, explanation)

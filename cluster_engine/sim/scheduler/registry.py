"""The one registry of scheduler plugins: upstream name -> factory taking the profile's arguments for it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cluster_engine.sim.scheduler.plugins import (
    balanced_allocation,
    default_binder,
    default_preemption,
    image_locality,
    inter_pod_affinity,
    node_affinity,
    node_name,
    node_ports,
    node_resources_fit,
    node_unschedulable,
    pod_topology_spread,
    priority_sort,
    taint_toleration,
    volume_binding,
)

PluginFactory = Callable[[Mapping[str, Any]], Any]

REGISTRY: dict[str, PluginFactory] = {
    priority_sort.NAME: lambda args: priority_sort.PrioritySort(),
    node_unschedulable.NAME: lambda args: node_unschedulable.NodeUnschedulable(),
    node_name.NAME: lambda args: node_name.NodeName(),
    taint_toleration.NAME: lambda args: taint_toleration.TaintToleration(),
    node_affinity.NAME: lambda args: node_affinity.NodeAffinity(),
    node_ports.NAME: lambda args: node_ports.NodePorts(),
    node_resources_fit.NAME: node_resources_fit.NodeResourcesFit,
    balanced_allocation.NAME: balanced_allocation.NodeResourcesBalancedAllocation,
    pod_topology_spread.NAME: lambda args: pod_topology_spread.PodTopologySpread(),
    inter_pod_affinity.NAME: lambda args: inter_pod_affinity.InterPodAffinity(),
    image_locality.NAME: lambda args: image_locality.ImageLocality(),
    default_preemption.NAME: lambda args: default_preemption.DefaultPreemption(),
    volume_binding.NAME: lambda args: volume_binding.VolumeBinding(),
    default_binder.NAME: lambda args: default_binder.DefaultBinder(),
}

"""The simulated kube-scheduler: a framework of upstream-named plugins that explains every decision."""

from cluster_engine.sim.scheduler.profile import Profile, default_profile
from cluster_engine.sim.scheduler.scheduler import Scheduler, SchedulerHost, num_feasible_nodes_to_find

__all__ = ["Profile", "Scheduler", "SchedulerHost", "default_profile", "num_feasible_nodes_to_find"]

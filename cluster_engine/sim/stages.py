"""The container lifecycle's constants: how long each step takes, the restart and image-pull back-off rules, and
the text of every Event the kubelet records on the way. `kubelet.py` walks the steps (its transitions are code);
the golden tests in `tests/cluster_engine/sim/testdata/stages/` pin what each step produces.
"""

from __future__ import annotations

from dataclasses import dataclass

BACKOFF_INITIAL = 10.0  # kubelet: container restart back-off starts at 10 s ...
BACKOFF_MAX = 300.0  # ... and doubles up to 5 minutes
BACKOFF_RESET = 600.0  # a container that ran this long restarts without back-off (2 x max)
CREATE_SECONDS = 0.2  # container create + start on the runtime
RESOLVE_SECONDS = 1.5  # time to learn that a reference does not exist in the registry
PULL_RETRY_SECONDS = 1.0  # from ErrImagePull to ImagePullBackOff
SANDBOX_SECONDS = 0.5  # pod sandbox (pause container, network) set-up


@dataclass(frozen=True)
class EventSpec:
    type: str  # Normal / Warning
    reason: str
    message: str  # str.format template: {image}, {container}, {pod}, {detail}, {seconds}, ...


PULLING = EventSpec("Normal", "Pulling", 'Pulling image "{image}"')
PULLED = EventSpec(
    "Normal",
    "Pulled",
    'Successfully pulled image "{image}" in {pull}s ({total}s including waiting). Image size: {size} bytes.',
)
PRESENT = EventSpec("Normal", "Pulled", 'Container image "{image}" already present on machine')
CREATED = EventSpec("Normal", "Created", "Created container {container}")
STARTED = EventSpec("Normal", "Started", "Started container {container}")
PULL_FAILED = EventSpec("Warning", "Failed", 'Failed to pull image "{image}": {detail}')
ERR_IMAGE_PULL = EventSpec("Warning", "Failed", "Error: ErrImagePull")
PULL_BACKOFF = EventSpec("Normal", "BackOff", 'Back-off pulling image "{image}"')
ERR_PULL_BACKOFF = EventSpec("Warning", "Failed", "Error: ImagePullBackOff")
NEVER_PULL = EventSpec(
    "Warning", "ErrImageNeverPull", 'Container image "{image}" is not present with pull policy of Never'
)
NEVER_PULL_ERROR = EventSpec("Warning", "Failed", "Error: ErrImageNeverPull")
START_FAILED = EventSpec("Warning", "Failed", "Error: {detail}")
CRASH_BACKOFF = EventSpec(
    "Warning", "BackOff", "Back-off restarting failed container {container} in pod {pod}_{namespace}({uid})"
)
KILLING = EventSpec("Normal", "Killing", "Stopping container {container}")
STARTUP_KILL = EventSpec("Normal", "Killing", "Container {container} failed startup probe, will be restarted")
LIVENESS_KILL = EventSpec("Normal", "Killing", "Container {container} failed liveness probe, will be restarted")
UNHEALTHY = EventSpec("Warning", "Unhealthy", "{probe} probe failed: {detail}")

def restart_backoff(restart_count: int) -> float:
    """Seconds before the next restart of a container that has restarted `restart_count` times:
    0 for the first restart, then 10 s doubling to 5 min (kubelet's crash back-off)."""
    if restart_count <= 0:
        return 0.0
    return min(BACKOFF_MAX, BACKOFF_INITIAL * 2 ** (restart_count - 1))


def image_backoff(failures: int) -> float:
    """Seconds of ImagePullBackOff after `failures` failed pulls: 10 s doubling to 5 min."""
    return min(BACKOFF_MAX, BACKOFF_INITIAL * 2 ** max(0, failures - 1))

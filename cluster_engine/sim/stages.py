"""The pod and container lifecycle as data, in the manner of KWOK's stages: each stage names the
container step it applies to, how long it takes, the step that follows, what the container status
shows meanwhile and which Events it records. `kubelet.py` interprets this table; the golden tests in
`tests/cluster_engine/sim/testdata/stages/` pin what each stage produces.
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


@dataclass(frozen=True)
class Stage:
    name: str
    step: str  # the container step it applies to
    delay: str  # "none", "pull", "create", "resolve", "pull-retry", "backoff", "image-backoff"
    next: str  # the following step
    waiting: str = ""  # state.waiting.reason shown while in the *next* step ("" = not waiting)
    events: tuple[EventSpec, ...] = ()


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

STAGES: tuple[Stage, ...] = (
    Stage("image-present", "image", "none", "create", "ContainerCreating", (PRESENT,)),
    Stage("image-pull", "image", "pull", "pulled", "ContainerCreating", (PULLING,)),
    Stage("image-pulled", "pulled", "none", "create", "ContainerCreating", (PULLED,)),
    Stage("image-not-found", "image", "resolve", "pull-failed", "ContainerCreating", (PULLING,)),
    Stage(
        "err-image-pull",
        "pull-failed",
        "pull-retry",
        "pull-backoff",
        "ErrImagePull",
        (PULL_FAILED, ERR_IMAGE_PULL),
    ),
    Stage(
        "image-pull-backoff",
        "pull-backoff",
        "image-backoff",
        "image",
        "ImagePullBackOff",
        (PULL_BACKOFF, ERR_PULL_BACKOFF),
    ),
    Stage("never-pull", "image", "none", "stuck", "ErrImageNeverPull", (NEVER_PULL_ERROR,)),
    Stage("container-start", "create", "create", "running", "", (CREATED, STARTED)),
    Stage("container-start-error", "create", "create", "exited", "", (CREATED, START_FAILED)),
    Stage("container-exit", "running", "program", "exited"),
    Stage("container-oom", "running", "oom", "exited"),
    Stage("liveness-kill", "running", "liveness", "exited", "", (UNHEALTHY, LIVENESS_KILL)),
    Stage("startup-kill", "running", "startup", "exited", "", (UNHEALTHY, STARTUP_KILL)),
    Stage("restart-now", "exited", "none", "create"),
    Stage("crash-loop-backoff", "exited", "backoff", "create", "CrashLoopBackOff", (CRASH_BACKOFF,)),
    Stage("completed", "exited", "none", "done"),
)
BY_NAME = {stage.name: stage for stage in STAGES}


def restart_backoff(restart_count: int) -> float:
    """Seconds before the next restart of a container that has restarted `restart_count` times:
    0 for the first restart, then 10 s doubling to 5 min (kubelet's crash back-off)."""
    if restart_count <= 0:
        return 0.0
    return min(BACKOFF_MAX, BACKOFF_INITIAL * 2 ** (restart_count - 1))


def image_backoff(failures: int) -> float:
    """Seconds of ImagePullBackOff after `failures` failed pulls: 10 s doubling to 5 min."""
    return min(BACKOFF_MAX, BACKOFF_INITIAL * 2 ** max(0, failures - 1))

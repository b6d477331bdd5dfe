// Status derivation as kubectl prints it (pod STATUS/READY/RESTARTS, node STATUS, AGE), plus the CSS state classes. Pure.

const FAILED_REASONS = new Set([
  "CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "InvalidImageName", "CreateContainerConfigError",
  "CreateContainerError", "RunContainerError", "Error", "OOMKilled", "Failed", "Evicted", "ContainerStatusUnknown",
]);
const PENDING_REASONS = new Set(["Pending", "ContainerCreating", "PodInitializing"]);

/** Parse an RFC 3339 time to seconds since the epoch (NaN when absent). */
export function parseTime(text) {
  return text ? Date.parse(text) / 1000 : NaN;
}

/** kubectl's AGE column (k8s.io/apimachinery duration.HumanDuration). */
export function humanDuration(seconds) {
  if (!Number.isFinite(seconds)) return "<unknown>";
  if (seconds < -1) return "<invalid>";
  const s = Math.max(0, Math.floor(seconds));
  if (s < 120) return `${s}s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 10) return s % 60 === 0 ? `${minutes}m` : `${minutes}m${s % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(s / 3600);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (days < 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (days < 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

/** Age of an object at simulated time `now` (seconds), as kubectl prints it. */
export function age(obj, now) {
  return humanDuration(now - parseTime(obj?.metadata?.creationTimestamp));
}

function containerReason(state) {
  if (!state) return "";
  if (state.waiting?.reason) return state.waiting.reason;
  if (state.terminated) {
    if (state.terminated.reason) return state.terminated.reason;
    if (state.terminated.signal) return `Signal:${state.terminated.signal}`;
    return `ExitCode:${state.terminated.exitCode ?? 0}`;
  }
  return "";
}

/**
 * A pod's READY, STATUS and RESTARTS columns as kubectl's pod printer derives them, and `state`,
 * the CSS state (running, not-ready, pending, succeeded, failed, terminating, unknown).
 */
export function podStatus(pod) {
  // Objects are never mutated (a change replaces the object), so the derivation is cached per object.
  let cached = STATUS_CACHE.get(pod);
  if (!cached) {
    cached = derivePodStatus(pod);
    STATUS_CACHE.set(pod, cached);
  }
  return cached;
}

const STATUS_CACHE = new WeakMap();

function derivePodStatus(pod) {
  const spec = pod.spec || {};
  const status = pod.status || {};
  const total = (spec.containers || []).length;
  let restarts = 0;
  let readyCount = 0;
  let reason = status.reason || status.phase || "Pending";

  const initStatuses = status.initContainerStatuses || [];
  let initializing = false;
  initStatuses.forEach((cs, i) => {
    restarts += cs.restartCount || 0;
    const term = cs.state?.terminated;
    if (term && term.exitCode === 0) return;
    if (initializing) return;
    initializing = true;
    if (term) reason = term.reason ? `Init:${term.reason}` : `Init:ExitCode:${term.exitCode}`;
    else if (cs.state?.waiting?.reason && cs.state.waiting.reason !== "PodInitializing") {
      reason = `Init:${cs.state.waiting.reason}`;
    } else reason = `Init:${i}/${(spec.initContainers || []).length}`;
  });

  if (!initializing) {
    let hasRunning = false;
    const statuses = status.containerStatuses || [];
    for (let i = statuses.length - 1; i >= 0; i -= 1) {
      const cs = statuses[i];
      restarts += cs.restartCount || 0;
      const r = containerReason(cs.state);
      if (cs.state?.waiting?.reason || cs.state?.terminated) reason = r;
      else if (cs.state?.running && cs.ready) {
        hasRunning = true;
        readyCount += 1;
      }
    }
    if (reason === "Completed" && hasRunning) {
      const ready = (status.conditions || []).some((c) => c.type === "Ready" && c.status === "True");
      reason = ready ? "Running" : "NotReady";
    }
  }
  if (pod.metadata?.deletionTimestamp) reason = status.reason === "NodeLost" ? "Unknown" : "Terminating";
  return { ready: `${readyCount}/${total}`, readyCount, total, reason, restarts, state: podState(reason, readyCount, total) };
}

/** The CSS state of a pod from its STATUS reason and readiness. */
export function podState(reason, readyCount, total) {
  if (reason === "Terminating") return "terminating";
  if (reason === "Unknown") return "unknown";
  if (reason === "Running") return readyCount === total ? "running" : "not-ready";
  if (reason === "Completed" || reason === "Succeeded") return "succeeded";
  if (FAILED_REASONS.has(reason) || reason.startsWith("Init:Err") || reason.startsWith("ExitCode")
      || reason.startsWith("Signal") || reason.startsWith("Init:Crash")) return "failed";
  if (PENDING_REASONS.has(reason) || reason.startsWith("Init:")) return "pending";
  if (reason === "NotReady") return "not-ready";
  return "pending";
}

/** A node's STATUS column (Ready, NotReady, Unknown, with ",SchedulingDisabled") and its CSS state. */
export function nodeStatus(node) {
  const condition = (node.status?.conditions || []).find((c) => c.type === "Ready");
  let text = "Unknown";
  let state = "unknown";
  if (condition?.status === "True") {
    text = "Ready";
    state = "ready";
  } else if (condition?.status === "False") {
    text = "NotReady";
    state = "not-ready";
  } else if (condition) {
    state = "not-ready";
  }
  const cordoned = Boolean(node.spec?.unschedulable);
  if (cordoned) text += ",SchedulingDisabled";
  return { text, state, cordoned };
}

/** The controller ownerReference of an object, or null. */
export function controllerOf(obj) {
  const refs = obj?.metadata?.ownerReferences || [];
  return refs.find((ref) => ref.controller) || refs[0] || null;
}

/** Does `labels` satisfy the equality `selector` (a Service's spec.selector)? */
export function selectorMatches(selector, labels) {
  const keys = Object.keys(selector || {});
  if (keys.length === 0) return false;
  return keys.every((key) => labels?.[key] === selector[key]);
}

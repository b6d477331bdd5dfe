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
  const s = Math.trunc(seconds); // Go's int(d.Seconds()) truncates toward zero
  if (s < -1) return "<invalid>";
  if (s < 0) return "0s";
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

/** The pod's kubectl columns (see derivePodStatus); objects are never mutated, so this is cached per object. */
export function podStatus(pod) {
  let cached = STATUS_CACHE.get(pod);
  if (!cached) {
    cached = derivePodStatus(pod);
    STATUS_CACHE.set(pod, cached);
  }
  return cached;
}

const STATUS_CACHE = new WeakMap();

const isTrue = (conditions, type) => (conditions || []).find((c) => c.type === type)?.status === "True";
const restartable = (container) => Boolean(container) && container.restartPolicy === "Always";
const later = (current, candidate) => (!candidate ? current
  : (current === null || parseTime(candidate) > parseTime(current) ? candidate : current));

/**
 * A pod's READY, STATUS and RESTARTS columns, step for step as kube-apiserver's `printPod` derives them (the same
 * rules as `cluster_engine/sim/printers.py` `pod_summary`), with `lastRestart` (RFC 3339, or null) for the
 * RESTARTS column's "(5s ago)" and `state`, the CSS state (running, not-ready, pending, succeeded, failed,
 * terminating, unknown).
 */
function derivePodStatus(pod) {
  const spec = pod.spec || {};
  const status = pod.status || {};
  const conditions = status.conditions || [];
  const phase = status.phase || "";
  let reason = status.reason || phase;
  for (const c of conditions) if (c.type === "PodScheduled" && c.reason === "SchedulingGated") reason = "SchedulingGated";
  const initSpecs = new Map((spec.initContainers || []).map((c) => [c.name, c]));
  const total = (spec.containers || []).length + [...initSpecs.values()].filter(restartable).length;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart = null;
  let lastSidecarRestart = null;
  let initializing = false;
  const initStatuses = status.initContainerStatuses || [];
  for (let index = 0; index < initStatuses.length; index += 1) {
    const container = initStatuses[index];
    const count = Number(container.restartCount || 0);
    restarts += count;
    const finished = container.lastState?.terminated?.finishedAt;
    lastRestart = later(lastRestart, finished);
    const sidecar = restartable(initSpecs.get(container.name));
    if (sidecar) {
      sidecarRestarts += count;
      lastSidecarRestart = later(lastSidecarRestart, finished);
    }
    const state = container.state || {};
    const { terminated, waiting } = state;
    if (terminated && Number(terminated.exitCode || 0) === 0) continue;
    if (sidecar && container.started) {
      if (container.ready) ready += 1;
      continue;
    }
    if (terminated) {
      if (!terminated.reason) {
        const signal = Number(terminated.signal || 0);
        reason = signal ? `Init:Signal:${signal}` : `Init:ExitCode:${Number(terminated.exitCode || 0)}`;
      } else reason = `Init:${terminated.reason}`;
    } else if (waiting?.reason && waiting.reason !== "PodInitializing") reason = `Init:${waiting.reason}`;
    else reason = `Init:${index}/${(spec.initContainers || []).length}`;
    initializing = true;
    break;
  }
  if (!initializing || isTrue(conditions, "Initialized")) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses || [];
    for (let i = statuses.length - 1; i >= 0; i -= 1) {
      const container = statuses[i];
      restarts += Number(container.restartCount || 0);
      lastRestart = later(lastRestart, container.lastState?.terminated?.finishedAt);
      const state = container.state || {};
      const { waiting, terminated } = state;
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated) {
        const signal = Number(terminated.signal || 0);
        reason = signal ? `Signal:${signal}` : `ExitCode:${Number(terminated.exitCode || 0)}`;
      } else if (container.ready && state.running) {
        hasRunning = true;
        ready += 1;
      }
    }
    if (reason === "Completed" && hasRunning) reason = isTrue(conditions, "Ready") ? "Running" : "NotReady";
  }
  const deleting = pod.metadata?.deletionTimestamp;
  if (deleting && status.reason === "NodeLost") reason = "Unknown";
  else if (deleting && phase !== "Succeeded" && phase !== "Failed") reason = "Terminating";
  return { ready: `${ready}/${total}`, readyCount: ready, total, reason, restarts, lastRestart,
    state: podState(reason, ready, total) };
}

/** kubectl's RESTARTS cell at simulated time `now`: "0", or "3 (45s ago)". Pure. */
export function restartsText(pod, now) {
  const { restarts, lastRestart } = podStatus(pod);
  return restarts && lastRestart ? `${restarts} (${humanDuration(now - parseTime(lastRestart))} ago)` : String(restarts);
}

/** The CSS state of a pod from its STATUS reason and readiness. */
export function podState(reason, readyCount, total) {
  if (reason === "Terminating") return "terminating";
  if (reason === "Unknown") return "unknown";
  if (reason === "Running") return readyCount === total ? "running" : "not-ready";
  if (reason === "Completed" || reason === "Succeeded") return "succeeded";
  if (FAILED_REASONS.has(reason) || reason.startsWith("Init:Err") || reason.startsWith("ExitCode")
      || reason.startsWith("Signal") || reason.startsWith("Init:Crash")) return "failed";
  if (PENDING_REASONS.has(reason) || reason.startsWith("Init:") || reason === "SchedulingGated") return "pending";
  if (reason === "NotReady") return "not-ready";
  return "pending";
}

/**
 * A node's STATUS column as kubectl prints it (`printNode`: Ready when the Ready condition is True, NotReady for
 * False *and* Unknown, Unknown only without a Ready condition; ",SchedulingDisabled" when cordoned), its CSS
 * state, and `reportsStopped` when the condition is Unknown (the kubelet stopped posting its status).
 */
export function nodeStatus(node) {
  const condition = (node.status?.conditions || []).find((c) => c.type === "Ready");
  let text = "Unknown";
  let state = "unknown";
  if (condition?.status === "True") {
    text = "Ready";
    state = "ready";
  } else if (condition) {
    text = "NotReady";
    state = "not-ready";
  }
  const reportsStopped = condition?.status === "Unknown";
  const cordoned = Boolean(node.spec?.unschedulable);
  if (cordoned) text += ",SchedulingDisabled";
  return { text, state, cordoned, reportsStopped };
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

/** The message of a pod's PodScheduled=False condition (the scheduler's last FailedScheduling), or "". */
export function unschedulableMessage(pod) {
  const condition = (pod?.status?.conditions || []).find((c) => c.type === "PodScheduled" && c.status === "False");
  return condition?.message || "";
}

/**
 * kube-scheduler's FitError text ("0/4 nodes are available: 1 node(s) had untolerated taint {...}, 3 Insufficient
 * cpu. preemption: ...") as {total, reasons: [{count, text}] (commonest first), message}; null for "". Pure.
 */
export function schedulingSummary(message) {
  if (!message) return null;
  const match = /^0\/(\d+) nodes are available: (.*)$/s.exec(message);
  if (!match) return { total: null, reasons: [], message };
  const total = Number(match[1]);
  // The histogram ends at the first ". " (a PostFilter sentence may follow); reasons are "<count> <text>"
  // joined by ", ", and a taint's text can itself hold ", " inside braces.
  const histogram = match[2].split(/\.(?:\s|$)/)[0];
  const reasons = [];
  let depth = 0;
  let current = "";
  for (const char of histogram) {
    if (char === "{" || char === "[") depth += 1;
    if (char === "}" || char === "]") depth -= 1;
    if (char === "," && depth === 0) {
      reasons.push(current.trim());
      current = "";
    } else current += char;
  }
  if (current.trim()) reasons.push(current.trim());
  const parsed = reasons.map((part) => {
    const m = /^(\d+) (.*)$/s.exec(part);
    return m ? { count: Number(m[1]), text: m[2] } : { count: total, text: part };
  });
  parsed.sort((a, b) => b.count - a.count);
  return { total, reasons: parsed, message };
}

/**
 * kubectl's ENDPOINTS cell of an Endpoints object (`formatEndpoints`, as `cluster_engine/sim/printers.py`
 * `format_endpoints`): the first three ready `ip:port` pairs, then "+ N more...", "<none>" without subsets. Pure.
 */
export function formatEndpoints(endpoints) {
  const subsets = endpoints?.subsets || [];
  if (!subsets.length) return "<none>";
  const shown = [];
  let count = 0;
  for (const subset of subsets) {
    const addresses = (subset.addresses || []).map((a) => a.ip || "");
    const ports = subset.ports || [];
    if (!ports.length) {
      count += addresses.length;
      shown.push(...addresses.slice(0, Math.max(0, 3 - shown.length)));
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const ip of addresses) {
        if (shown.length === 3) break;
        shown.push(`${ip.includes(":") ? `[${ip}]` : ip}:${port.port}`);
      }
    }
  }
  const text = shown.join(",");
  return count > 3 ? `${text} + ${count - 3} more...` : text;
}

/** The number of ready addresses an Endpoints object lists (what a Service sends traffic to). Pure. */
export function readyEndpointCount(endpoints) {
  return (endpoints?.subsets || []).reduce((sum, subset) => sum + (subset.addresses || []).length, 0);
}

/**
 * What the page shows of the objects kubectl lists, in kubectl's words, at simulated time `now`: pods (READY,
 * STATUS, RESTARTS, AGE, NODE), nodes (STATUS, AGE), services (ENDPOINTS of their Endpoints, AGE) and deployments
 * (READY, UP-TO-DATE, AVAILABLE, AGE), keyed "namespace/name" (nodes by name). Pure.
 */
export function kubectlModel(view, now) {
  const key = (obj) => `${obj.metadata.namespace || "default"}/${obj.metadata.name}`;
  const model = { pods: {}, nodes: {}, services: {}, deployments: {} };
  for (const pod of view.ofKind("Pod")) {
    const s = podStatus(pod);
    model.pods[key(pod)] = { ready: s.ready, status: s.reason, restarts: restartsText(pod, now), age: age(pod, now),
      node: pod.spec?.nodeName || "<none>" };
  }
  for (const node of view.ofKind("Node")) {
    model.nodes[node.metadata.name] = { status: nodeStatus(node).text, age: age(node, now) };
  }
  const endpoints = new Map(view.ofKind("Endpoints").map((e) => [key(e), e]));
  for (const service of view.ofKind("Service")) {
    model.services[key(service)] = { endpoints: endpoints.has(key(service)) ? formatEndpoints(endpoints.get(key(service)))
      : "<none>", age: age(service, now) };
  }
  for (const d of view.ofKind("Deployment")) {
    const st = d.status || {};
    model.deployments[key(d)] = { ready: `${st.readyReplicas || 0}/${d.spec?.replicas || 0}`,
      upToDate: String(st.updatedReplicas || 0), available: String(st.availableReplicas || 0), age: age(d, now) };
  }
  return model;
}

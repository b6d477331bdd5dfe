// The details panel of the diagram: what the clicked component or object is (in the page's language), its state,
// a pod's scheduling explanation, and the actions the learner may take on it (sent as `control` messages).
import { h } from "../dom.js";
import { fmt, gettext } from "../i18n.js";
import {
  age, controllerOf, formatEndpoints, nodeStatus, podStatus, restartsText, schedulingSummary, unschedulableMessage,
} from "../status.js";

/** The explanation of a component (by its name or the prefix before "/"). */
export function componentText(name) {
  const base = name.split("/")[0];
  switch (base) {
    case "kubectl": return gettext("kubectl is the command-line client. Every command becomes an HTTP request to the API server; it never talks to nodes or etcd directly.");
    case "kube-apiserver": return gettext("The API server is the only component that reads and writes etcd. It authenticates, validates and defaults every request, stores the object and tells every watcher (the scheduler, the controllers, the kubelets) what changed.");
    case "etcd": return gettext("etcd is the cluster's key-value store: every object lives here, and only the API server talks to it.");
    case "kube-scheduler": return gettext("The scheduler watches for pods without a node. For each one it filters out the nodes that cannot run it, scores the others and binds the pod to the best. Stop it and new pods stay Pending.");
    case "kube-controller-manager": return gettext("The controller manager runs the control loops: the Deployment controller creates ReplicaSets, the ReplicaSet controller creates pods, the node lifecycle controller notices nodes that stop reporting. Stop it and nothing replaces a deleted pod.");
    case "kubelet": return gettext("The kubelet is the node's agent. It watches for pods bound to its node, asks the container runtime to start their containers, runs their probes and reports their status to the API server. Stop it and the node turns NotReady after a while.");
    case "kube-proxy": return gettext("kube-proxy programs the node's network rules so that traffic to a Service's virtual IP reaches one of its ready endpoints.");
    case "runtime": return gettext("The container runtime (containerd) pulls images and runs the containers the kubelet asks for.");
    case "queue": return gettext("Pods wait here until the scheduler binds them to a node. A pod that stays here fits no node: choose it to see what each node lacks.");
    default: return "";
  }
}

function kindText(kind) {
  switch (kind) {
    case "Node": return gettext("A node is a machine that runs pods. Its kubelet reports its state; when the reports stop, the node lifecycle controller marks it NotReady and later evicts its pods.");
    case "Pod": return gettext("A pod is one or more containers that are scheduled together onto one node and share its network address.");
    case "Service": return gettext("A Service gives a stable virtual IP and name to the pods that match its selector; kube-proxy sends its traffic to the ready ones.");
    case "Deployment": return gettext("A Deployment rolls out new versions of its pods through ReplicaSets; each ReplicaSet keeps the desired number of pods running.");
    case "ReplicaSet": return gettext("A ReplicaSet keeps the desired number of identical pods running, creating or deleting pods as needed.");
    case "StatefulSet": return gettext("A StatefulSet runs pods with stable names and storage, started and stopped in order.");
    case "DaemonSet": return gettext("A DaemonSet runs one pod on every (matching) node.");
    case "Job": return gettext("A Job runs pods until a given number of them complete successfully.");
    case "CronJob": return gettext("A CronJob creates a Job on a schedule.");
    default: return "";
  }
}

function facts(rows) {
  return h("dl", { class: "facts" }, rows.filter(([, v]) => v !== undefined && v !== null && v !== "")
    .flatMap(([k, v]) => [h("dt", {}, k), v instanceof Node ? v : h("dd", {}, String(v))]));
}

/** An AGE cell that the diagram's ticker keeps current (`data-since`: the timestamp it counts from). */
function ageCell(obj, now) {
  return h("dd", { "data-since": obj.metadata?.creationTimestamp || "" }, age(obj, now));
}

/**
 * The scheduler's decision record (docs/realtime.md, `explain`) as rows, one per node it looked at:
 * {chosen, nodes: [{name, feasible, plugin, reason, score, scores: [{plugin, weighted}]}]}. Pure.
 */
export function normaliseExplanation(exp) {
  if (!exp || typeof exp !== "object") return null;
  const rows = new Map();
  for (const n of exp.filter?.nodes || []) {
    rows.set(n.node, { name: n.node, feasible: n.passed, plugin: n.plugin ?? null,
      reason: (n.reasons || []).join("; ") || null, score: null, scores: [] });
  }
  for (const group of exp.filter?.rejected || []) {
    for (const name of group.nodes || []) {
      if (!rows.has(name)) {
        rows.set(name, { name, feasible: false, plugin: group.plugin, reason: (group.reasons || []).join("; "), score: null, scores: [] });
      }
    }
  }
  const plugins = exp.score?.plugins || [];
  for (const n of exp.score?.nodes || []) {
    const row = rows.get(n.node) || { name: n.node, feasible: true, plugin: null, reason: null };
    row.score = n.total;
    row.scores = plugins.map((plugin, index) => ({ plugin, weighted: n.weighted?.[index] }));
    rows.set(n.node, row);
  }
  const preFilter = exp.filter?.preFilter
    ? { plugin: exp.filter.preFilter.plugin, reason: (exp.filter.preFilter.reasons || []).join("; ") } : null;
  return { chosen: exp.result?.node ?? null, nodes: [...rows.values()], message: exp.result?.message ?? null,
    attempt: exp.attempt ?? null, preFilter, notEvaluated: exp.filter?.notEvaluated ?? 0 };
}

function verdictTable(exp) {
  const rows = exp.nodes.map((n) => h("tr", { class: n.name === exp.chosen ? "chosen" : (n.feasible ? "" : "filtered") },
    h("th", { scope: "row" }, n.name === exp.chosen ? `★ ${n.name}` : n.name),
    h("td", {}, n.feasible ? gettext("fits") : fmt(gettext("filtered out by %(plugin)s"), { plugin: n.plugin || "?" })),
    h("td", {}, n.feasible ? (n.score ?? "") : (n.reason || "")),
    exp.chosen ? h("td", { class: "scores" }, n.scores.map((s) => `${s.plugin}: ${s.weighted ?? s.score ?? ""}`).join(", ")) : null));
  if (!rows.length) return null;
  return h("table", { class: "verdicts" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, gettext("Node")), h("th", { scope: "col" }, gettext("Filter")),
      h("th", { scope: "col" }, exp.chosen ? gettext("Score or reason") : gettext("Why not")),
      exp.chosen ? h("th", { scope: "col" }, gettext("Plugin scores")) : null)),
    h("tbody", {}, rows));
}

function schedulingSection(pod, raw, { schedulerRunning }) {
  const waiting = !pod.spec?.nodeName;
  const message = unschedulableMessage(pod);
  const parts = [];
  if (waiting && message) {
    // The FailedScheduling message is on the pod itself, word for word as `kubectl describe` shows it.
    parts.push(h("p", { class: "scheduler-message" }, h("strong", {}, gettext("The scheduler says:")), " ", message));
  }
  if (raw === undefined) parts.push(h("p", { class: "muted" }, gettext("Asking the scheduler…")));
  else if (!raw) {
    let text = gettext("The scheduler left no explanation for this pod.");
    if (waiting) text = schedulerRunning ? gettext("The scheduler has not tried this pod yet.")
      : gettext("The scheduler is stopped: no pod is bound to a node until it runs again.");
    parts.push(h("p", { class: "muted" }, text));
  } else {
    const exp = normaliseExplanation(raw);
    if (exp.chosen) parts.push(h("p", {}, fmt(gettext("The scheduler chose %(node)s."), { node: exp.chosen })));
    else {
      parts.push(h("p", {}, exp.attempt ? fmt(gettext("No node fits this pod (attempt %(attempt)s). What each node lacks:"), { attempt: exp.attempt })
        : gettext("No node fits this pod. What each node lacks:")));
      if (!message && exp.message) parts.push(h("p", { class: "scheduler-message" }, exp.message));
      if (exp.preFilter) {
        parts.push(h("p", {}, fmt(gettext("Rejected before any node was looked at, by %(plugin)s: %(reason)s"),
          exp.preFilter)));
      }
    }
    parts.push(verdictTable(exp));
    if (waiting && !schedulerRunning) {
      parts.push(h("p", { class: "muted" }, gettext("The scheduler is stopped: no pod is bound to a node until it runs again.")));
    }
    parts.push(h("details", {}, h("summary", {}, gettext("Raw explanation")), h("pre", {}, JSON.stringify(raw, null, 2))));
  }
  return h("div", { class: "scheduling" }, parts);
}

/** The queue's details: each waiting pod, a button that opens its verdicts. */
function queueSection(view, onSelect) {
  const pods = view.ofKind("Pod").filter((p) => !p.spec?.nodeName && !p.metadata?.deletionTimestamp);
  if (!pods.length) return h("p", { class: "muted" }, gettext("No pod is waiting."));
  return h("ul", { class: "waiting-list" }, pods.map((pod) => {
    const summary = schedulingSummary(unschedulableMessage(pod));
    const reason = summary?.reasons.map((r) => `${r.count} ${r.text}`).join(", ") || summary?.message || "";
    return h("li", {}, h("button", { type: "button", class: "link", onclick: () => onSelect({ type: "pod", key: pod.metadata.uid }) },
      pod.metadata.name), reason ? ` — ${reason}` : "");
  }));
}

/**
 * Render the panel for a selection {type: component|node|pod|object|queue, key} into `panel`.
 * `actions.control(action, fields)` sends a control message; `readOnly` hides the actions.
 */
export function renderDetails(panel, selection, view, { control, readOnly, onClose, onSelect = () => {}, explanation }) {
  panel.replaceChildren();
  if (!selection) {
    panel.append(h("p", { class: "muted" }, gettext("Click any part of the diagram, or press Enter on it, to see what it does.")));
    return;
  }
  const components = view.sandbox?.components || {};
  const actionButton = (label, action, fields, extraClass = "") => (readOnly ? null
    : h("button", { type: "button", class: `button ${extraClass}`, onclick: () => control(action, fields) }, label));
  const close = h("button", { type: "button", class: "close", "aria-label": gettext("Close the details"), onclick: onClose }, "×");
  let title = "";
  const body = [];
  if (selection.type === "component" || selection.type === "queue") {
    title = selection.type === "queue" ? gettext("Scheduling queue") : selection.key;
    body.push(h("p", {}, componentText(selection.key)));
    if (selection.type === "queue") body.push(queueSection(view, onSelect));
    if (selection.key in components) {
      const running = components[selection.key] !== false;
      body.push(h("p", { class: `state state--${running ? "running" : "stopped"}` }, running ? gettext("Running") : gettext("Stopped")));
      body.push(h("div", { class: "actions" }, running
        ? actionButton(gettext("Stop this component"), "stop-component", { component: selection.key }, "danger")
        : actionButton(gettext("Start this component"), "start-component", { component: selection.key })));
    }
  } else {
    const obj = view.get(selection.key);
    if (!obj) {
      panel.append(close, h("p", { class: "muted" }, gettext("This object no longer exists.")));
      return;
    }
    const meta = obj.metadata;
    title = `${obj.kind} ${meta.name}`;
    body.push(h("p", {}, kindText(obj.kind)));
    if (obj.kind === "Node") {
      const s = nodeStatus(obj);
      body.push(facts([[gettext("Status"), s.text], [gettext("Age"), ageCell(obj, view.now)],
        [gettext("Pods"), view.ofKind("Pod").filter((p) => p.spec?.nodeName === meta.name).length]]));
      if (s.reportsStopped) {
        body.push(h("p", { class: "note" }, gettext("Its kubelet stopped posting the node's status, so the node lifecycle controller set the Ready condition to Unknown: kubectl shows this as NotReady.")));
      }
      body.push(h("div", { class: "actions" },
        // Cut off and stopped look the same to the control plane: the node's kubelet stops reporting.
        actionButton(gettext("Cut the node off the network"), "stop-component", { component: `kubelet/${meta.name}` }, "danger"),
        actionButton(gettext("Reconnect the node"), "start-component", { component: `kubelet/${meta.name}` })));
    } else if (obj.kind === "Pod") {
      const s = podStatus(obj);
      const owner = controllerOf(obj);
      body.push(facts([[gettext("Namespace"), meta.namespace], [gettext("Status"), s.reason], [gettext("Ready"), s.ready],
        [gettext("Restarts"), restartsText(obj, view.now)], [gettext("Node"), obj.spec?.nodeName || gettext("none yet")], [gettext("Pod IP"), obj.status?.podIP],
        [gettext("Owner"), owner ? `${owner.kind} ${owner.name}` : ""], [gettext("Age"), ageCell(obj, view.now)]]));
      const scheduling = [h("h4", {}, obj.spec?.nodeName ? gettext("Why this node?") : gettext("Why is it waiting?")),
        schedulingSection(obj, explanation, { schedulerRunning: components["kube-scheduler"] !== false })];
      // For a waiting pod the reason is the point: it goes first.
      if (obj.spec?.nodeName) body.push(...scheduling);
      else body.splice(1, 0, ...scheduling);
      body.push(h("div", { class: "actions" },
        actionButton(gettext("Delete this pod"), "delete-pod", { namespace: meta.namespace || "default", name: meta.name }, "danger")));
    } else {
      const endpoints = obj.kind === "Service"
        ? view.ofKind("Endpoints").find((e) => e.metadata.name === meta.name && e.metadata.namespace === meta.namespace) : null;
      body.push(facts([[gettext("Namespace"), meta.namespace], [gettext("Age"), ageCell(obj, view.now)],
        [gettext("Replicas"), obj.spec?.replicas], [gettext("Ready"), obj.status?.readyReplicas ?? undefined],
        [gettext("Type"), obj.kind === "Service" ? obj.spec?.type || "ClusterIP" : undefined],
        [gettext("Cluster IP"), obj.kind === "Service" ? obj.spec?.clusterIP : undefined],
        [gettext("Endpoints"), obj.kind === "Service" ? formatEndpoints(endpoints) : undefined]]));
    }
  }
  panel.append(h("div", { class: "details-head" }, h("h3", { tabindex: "-1" }, title), close), ...body);
}

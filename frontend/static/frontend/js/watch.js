// `kubectl get ... -w` on the client: the server answers the list once, then rows are printed from the watch
// events the page already receives, with the columns of kubectl's printers. Pure.
import { resolveKind } from "./kinds.js";
import { age, nodeStatus, podStatus } from "./status.js";

const WATCH_FLAGS = new Set(["-w", "--watch", "--watch-only"]);

/** Parse a `kubectl get` line with -w/--watch: {listCommand, kind, names, namespace, selector, watchOnly} or null. */
export function parseWatch(line) {
  const parts = line.trim().split(/\s+/);
  if (parts[0] !== "kubectl" || parts[1] !== "get" || !parts.some((p) => WATCH_FLAGS.has(p))) return null;
  let namespace = "default";
  let selector = null;
  const positional = [];
  for (let i = 2; i < parts.length; i += 1) {
    const word = parts[i];
    if (word === "-n" || word === "--namespace") { namespace = parts[i + 1]; i += 1; }
    else if (word.startsWith("--namespace=")) namespace = word.slice(12);
    else if (word === "-A" || word === "--all-namespaces") namespace = null;
    else if (word === "-l" || word === "--selector") { selector = parseSelector(parts[i + 1]); i += 1; }
    else if (word.startsWith("--selector=")) selector = parseSelector(word.slice(11));
    else if (word === "-o" || word === "--output") i += 1;
    else if (!word.startsWith("-")) positional.push(word);
  }
  if (!positional.length) return null;
  let [kindName, ...names] = positional;
  if (kindName.includes("/")) [kindName, ...names] = [kindName.split("/")[0], kindName.split("/")[1], ...names];
  const entry = resolveKind(kindName);
  if (!entry) return null;
  return {
    listCommand: parts.filter((p) => !WATCH_FLAGS.has(p)).join(" "),
    watchOnly: parts.includes("--watch-only"),
    kind: entry.kind,
    namespaced: entry.namespaced,
    names,
    namespace: entry.namespaced ? namespace : null,
    selector,
  };
}

/** An equality-based label selector (`app=web,tier!=db`) as [{key, op, value}]. */
export function parseSelector(text) {
  return (text || "").split(",").filter(Boolean).map((term) => {
    const match = term.match(/^([^!=]+)(!=|==|=)?(.*)$/);
    return { key: match[1], op: match[2] || "exists", value: match[3] };
  });
}

function selectorMatches(selector, labels = {}) {
  return selector.every(({ key, op, value }) => {
    if (op === "exists") return key in labels;
    if (op === "!=") return labels[key] !== value;
    return labels[key] === value;
  });
}

/** Does a watch event's object belong to this watch? */
export function watchMatches(spec, obj) {
  if (obj.kind !== spec.kind) return false;
  const meta = obj.metadata || {};
  if (spec.namespace && (meta.namespace || "default") !== spec.namespace) return false;
  if (spec.names.length && !spec.names.includes(meta.name)) return false;
  if (spec.selector && !selectorMatches(spec.selector, meta.labels)) return false;
  return true;
}

const PRINTERS = {
  Pod: (pod, now) => {
    const s = podStatus(pod);
    return [pod.metadata.name, s.ready, s.reason, String(s.restarts), age(pod, now)];
  },
  Node: (node, now) => {
    const labels = node.metadata.labels || {};
    const roles = Object.keys(labels).filter((k) => k.startsWith("node-role.kubernetes.io/"))
      .map((k) => k.split("/")[1]).join(",") || "<none>";
    return [node.metadata.name, nodeStatus(node).text, roles, age(node, now), node.status?.nodeInfo?.kubeletVersion || ""];
  },
  Deployment: (d, now) => [d.metadata.name, `${d.status?.readyReplicas || 0}/${d.spec?.replicas ?? 1}`,
    String(d.status?.updatedReplicas || 0), String(d.status?.availableReplicas || 0), age(d, now)],
  ReplicaSet: (rs, now) => [rs.metadata.name, String(rs.spec?.replicas ?? 1), String(rs.status?.replicas || 0),
    String(rs.status?.readyReplicas || 0), age(rs, now)],
  Service: (svc, now) => {
    const ports = (svc.spec?.ports || []).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ""}/${p.protocol || "TCP"}`);
    const external = svc.status?.loadBalancer?.ingress?.map((i) => i.ip || i.hostname).join(",")
      || (svc.spec?.type === "LoadBalancer" ? "<pending>" : "<none>");
    return [svc.metadata.name, svc.spec?.type || "ClusterIP", svc.spec?.clusterIP || "<none>", external,
      ports.join(",") || "<none>", age(svc, now)];
  },
};

/** The row values kubectl prints for an object (generic NAME, AGE for kinds without a printer here). */
export function rowValues(obj, now, { withNamespace = false } = {}) {
  const printer = PRINTERS[obj.kind];
  const values = printer ? printer(obj, now) : [obj.metadata.name, age(obj, now)];
  return withNamespace ? [obj.metadata.namespace || "default", ...values] : values;
}

/** Column start offsets from a kubectl header line (`NAME   READY   STATUS ...`). */
export function columnStarts(header) {
  const starts = [];
  const re = /\S+/g;
  let match = re.exec(header);
  while (match) {
    starts.push(match.index);
    match = re.exec(header);
  }
  return starts;
}

/** Pad values to the header's column starts, as kubectl's tabwriter does (at least 3 spaces between columns). */
export function formatRow(values, starts) {
  let out = "";
  values.forEach((value, i) => {
    if (i > 0) {
      const target = starts[i] ?? out.length + 3;
      out += " ".repeat(Math.max(3, target - out.length));
    }
    out += value;
  });
  return out;
}

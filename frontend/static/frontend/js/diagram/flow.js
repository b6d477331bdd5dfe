// Control-plane flows from the `changes` of each batch: the request from its author to kube-apiserver, its write to
// etcd, then the watch event kube-apiserver sends to whoever acts on it next (the scheduler, the controller
// manager, the node's kubelet). Each travels in a lane of its own (layout.js `routeFlow`), labelled with what it
// carries, as a path with a dot moving along it, then removed.
import { fmt, gettext } from "../i18n.js";
import { anchor, ellipsize, labelPoint, pathOf, routeFlow } from "../layout.js";
import { el } from "./svg.js";

const SEGMENT_MS = 900;
const STAGGER_MS = 350;
const WORKLOAD_KINDS = new Set(["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob"]);
// Records every component writes along the way: drawn, they would bury the flows a learner follows (the log
// lists them behind its filter).
const UNDRAWN_KINDS = new Set(["Event", "EndpointSlice", "Endpoints", "Lease"]);
const MAX_FLOWS_PER_BATCH = 12;
// A learner follows a handful of moving dots, not hundreds: when batches come faster than the flows finish,
// new segments wait for room instead of piling up (each one costs the browser work on every frame).
export const MAX_LIVE_SEGMENTS = 18;

/** Which diagram box stands for an actor: "kubectl", a component name, or {node, chip}. Pure. */
export function actorSource(actor) {
  if (!actor) return null;
  if (actor.startsWith("user:")) return { component: "kubectl" };
  if (actor === "kube-scheduler") return { component: "kube-scheduler" };
  if (actor.startsWith("kubelet/")) return { node: actor.slice(8), chip: actor };
  if (actor.startsWith("kube-proxy/")) return { node: actor.slice(11), chip: actor };
  if (actor.endsWith("-controller") || actor === "garbage-collector" || actor === "kube-controller-manager") {
    return { component: "kube-controller-manager" };
  }
  return null;
}

/** The CSS family of a flow (its colour and lane): user, scheduler, controller, kubelet, proxy. Pure. */
export function actorFamily(actor) {
  if (actor.startsWith("user:")) return "user";
  if (actor === "kube-scheduler") return "scheduler";
  if (actor.startsWith("kubelet/")) return "kubelet";
  if (actor.startsWith("kube-proxy/")) return "proxy";
  return "controller";
}

/**
 * Collapse a batch's changes into at most `limit` flows: one per (actor, verb, kind), keeping the count and,
 * for bindings, the nodes the pods went to. Pure.
 */
export function summariseChanges(changes, limit = MAX_FLOWS_PER_BATCH) {
  const flows = new Map();
  for (const change of changes) {
    const key = `${change.actor}|${change.verb}|${change.kind}`;
    let flow = flows.get(key);
    if (!flow) {
      flow = { actor: change.actor, verb: change.verb, kind: change.kind, names: [], count: 0 };
      flows.set(key, flow);
    }
    flow.count += 1;
    flow.names.push({ namespace: change.namespace, name: change.name });
  }
  return [...flows.values()].slice(0, limit);
}

/**
 * Who the API server tells about a flow next, by the watch it holds: the scheduler for a new pod, the node's
 * kubelet for a binding, the controller manager for its workloads and their pods; null when no component of the
 * diagram acts on it. Pure.
 */
export function watcherOf(flow) {
  if (flow.verb === "bind") return "kubelet";
  if (flow.kind === "Pod" && flow.verb === "create") return "scheduler";
  if (WORKLOAD_KINDS.has(flow.kind)) return "controller";
  if (flow.kind === "Pod" && (flow.verb === "delete" || flow.verb === "status")) return "controller";
  return null;
}

function subject(flow) {
  return flow.count > 1 ? `${flow.kind} ×${flow.count}` : `${flow.kind} ${flow.names[0]?.name || ""}`;
}

/** The label of a request: what travels to the API server ("create Pod web", "binding Pod web", ...). Pure. */
export function requestLabel(flow) {
  const values = { what: subject(flow) };
  switch (flow.verb) {
    case "create": return fmt(gettext("create %(what)s"), values);
    case "update": case "patch": return fmt(gettext("update %(what)s"), values);
    case "delete": return fmt(gettext("delete %(what)s"), values);
    case "bind": return fmt(gettext("binding %(what)s"), values);
    case "status": return fmt(gettext("status update %(what)s"), values);
    default: return `${flow.verb} ${values.what}`;
  }
}

/** The label of the watch event the API server sends about a flow. Pure. */
export function watchLabel(flow) {
  return fmt(gettext("watch event: %(what)s"), { what: subject(flow) });
}

/**
 * What to draw for a batch's changes: one request per (actor, verb, kind) in its family's lane, each followed by
 * the write to etcd and, when someone acts on it, the watch event in the watcher's lane. Pure.
 */
export function planFlows(changes, limit = MAX_FLOWS_PER_BATCH) {
  const drawn = changes.filter((c) => actorSource(c.actor) && !UNDRAWN_KINDS.has(c.kind));
  return summariseChanges(drawn, limit).map((flow) => {
    const family = actorFamily(flow.actor);
    const watcher = watcherOf(flow);
    return { ...flow, family, lane: `request:${family}`, label: ellipsize(requestLabel(flow), 30),
      watch: watcher ? { lane: `watch:${watcher}`, family: watcher, label: ellipsize(watchLabel(flow), 30) } : null };
  });
}

/** The legend of the flows (HTML): each family's colour and who it stands for, and solid against dashed. */
export function renderLegend(container) {
  const h = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  };
  const families = [["user", gettext("you (kubectl)")], ["controller", gettext("controllers")],
    ["scheduler", gettext("the scheduler")], ["kubelet", gettext("kubelets")]];
  const items = families.map(([family, text]) => {
    const li = h("li", `legend-item legend--${family}`);
    li.append(h("span", "legend-swatch"), document.createTextNode(text));
    return li;
  });
  const kinds = [["request", gettext("request to the API server (create, update, binding, status update)")],
    ["watch", gettext("watch event from the API server")]].map(([kind, text]) => {
    const li = h("li", `legend-item legend-line--${kind}`);
    li.append(h("span", "legend-line"), document.createTextNode(text));
    return li;
  });
  const list = h("ul", "legend-list");
  list.append(...items, ...kinds);
  container.replaceChildren(h("span", "legend-title", gettext("Arrows:")), list);
}

export class FlowAnimator {
  /**
   * `geometry` answers component(name) with a control-plane box, chip(node, chip) with a node chip's box,
   * node(name) with a node's box and podNode(namespace, name) with the node a pod is on.
   */
  constructor(parent, geometry) {
    this.g = el("g", { class: "flows", "aria-hidden": "true" }, parent);
    this.geometry = geometry;
    this.enabled = true;
    this.live = 0; // segments scheduled or on screen
    this.laneFree = new Map(); // lane -> when (performance.now()) its last arrow is gone: one arrow per lane at a time
  }

  /** The delay (ms from now) at which an arrow may use `lane`, not before `earliest`; books the lane. */
  book(lane, earliest) {
    const now = performance.now();
    const delay = Math.max(earliest, (this.laneFree.get(lane) || 0) - now);
    this.laneFree.set(lane, now + delay + SEGMENT_MS);
    return delay;
  }

  /** The route between the API server and an actor or watcher, or null when it is not drawn. */
  route(lane, source) {
    if (!source) return null;
    if (source.component) {
      const box = this.geometry.component(source.component);
      return box ? routeFlow(lane, box) : null;
    }
    const chip = this.geometry.chip(source.node, source.chip);
    const node = this.geometry.node(source.node);
    return chip && node ? routeFlow(lane, chip, { node }) : null;
  }

  /** Animate the flows of one batch's changes. */
  play(changes) {
    if (!this.enabled || !changes?.length || document.hidden || this.live >= MAX_LIVE_SEGMENTS) return;
    const api = this.geometry.component("kube-apiserver");
    const etcd = this.geometry.component("etcd");
    if (!api || !etcd) return;
    planFlows(changes).forEach((flow, i) => {
      const request = this.route(flow.lane, actorSource(flow.actor));
      if (!request) return;
      const delay = this.book(flow.lane, i * STAGGER_MS);
      this.segment(request, flow.family, flow.label, delay, "request");
      const persist = [anchor(api, "right"), anchor(etcd, "left")];
      this.segment(persist, flow.family, "", delay + SEGMENT_MS, "persist");
      if (!flow.watch) return;
      let targets = [];
      if (flow.watch.family === "scheduler") targets = [{ component: "kube-scheduler" }];
      else if (flow.watch.family === "controller") targets = [{ component: "kube-controller-manager" }];
      else {
        const nodes = new Set(flow.names.map((n) => this.geometry.podNode(n.namespace, n.name)).filter(Boolean));
        targets = [...nodes].slice(0, 4).map((node) => ({ node, chip: `kubelet/${node}` }));
      }
      const watchDelay = this.book(flow.watch.lane, delay + 2 * SEGMENT_MS);
      for (const target of targets) {
        const points = this.route(flow.watch.lane, target);
        if (points) this.segment(points, flow.watch.family, flow.watch.label, watchDelay, "watch");
      }
    });
  }

  /** One arrow: its path, a dot moving along it and its label, removed when the dot arrives. */
  segment(points, family, label, delay, kind) {
    if (this.live >= MAX_LIVE_SEGMENTS) return;
    this.live += 1;
    const d = pathOf(points);
    setTimeout(() => {
      const group = el("g", { class: `flow-item flow-item--${kind}` }, this.g);
      el("path", { class: `flow flow--${family} flow--${kind}`, d }, group);
      const dot = el("circle", { class: `flow-dot flow--${family}`, r: 5 }, group);
      const at = labelPoint(points);
      const text = el("text", { class: `flow-label flow--${family}`, x: Math.round(at.x), y: Math.round(at.y),
        "text-anchor": "middle" }, group);
      text.textContent = label;
      const motion = el("animateMotion", { dur: `${SEGMENT_MS}ms`, path: d, fill: "freeze", begin: "indefinite" }, dot);
      if (typeof motion.beginElement === "function") motion.beginElement();
      setTimeout(() => {
        group.remove();
        this.live -= 1;
      }, SEGMENT_MS + 400);
    }, delay);
  }
}

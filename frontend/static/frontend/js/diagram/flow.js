// Control-plane flows from the `changes` of each batch: actor -> kube-apiserver -> etcd, then for a binding
// kube-apiserver -> the node's kubelet. Each segment is a path with a dot travelling along it, then removed.
import { anchor } from "../layout.js";
import { el } from "./svg.js";

const SEGMENT_MS = 650;
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

/** The CSS family of a flow (its colour): user, scheduler, controller, kubelet, proxy. Pure. */
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

export class FlowAnimator {
  /** `geometry` answers component(name) and chip(node, chip) with boxes, and podOwnerNode(ns, name) with a node name. */
  constructor(parent, geometry) {
    this.g = el("g", { class: "flows", "aria-hidden": "true" }, parent);
    this.geometry = geometry;
    this.enabled = true;
    this.live = 0; // segments scheduled or on screen
  }

  sourceBox(actor) {
    const source = actorSource(actor);
    if (!source) return null;
    return source.component ? this.geometry.component(source.component) : this.geometry.chip(source.node, source.chip);
  }

  /** Animate the flows of one batch's changes. */
  play(changes) {
    if (!this.enabled || !changes?.length || document.hidden || this.live >= MAX_LIVE_SEGMENTS) return;
    const api = this.geometry.component("kube-apiserver");
    const etcd = this.geometry.component("etcd");
    if (!api || !etcd) return;
    summariseChanges(changes).forEach((flow, i) => {
      const from = this.sourceBox(flow.actor);
      if (!from) return;
      const family = actorFamily(flow.actor);
      const delay = i * 90;
      this.segment(anchor(from, from.y > api.y + api.h ? "top" : "center"), anchor(api), family, delay);
      this.segment(anchor(api), anchor(etcd), family, delay + SEGMENT_MS);
      if (flow.verb === "bind" || (flow.kind === "Pod" && flow.verb === "create" && family === "scheduler")) {
        const nodes = new Set(flow.names.map((n) => this.geometry.podNode(n.namespace, n.name)).filter(Boolean));
        for (const node of [...nodes].slice(0, 6)) {
          const kubelet = this.geometry.chip(node, `kubelet/${node}`);
          if (kubelet) this.segment(anchor(api), anchor(kubelet, "top"), "kubelet", delay + 2 * SEGMENT_MS);
        }
      }
    });
  }

  segment(from, to, family, delay) {
    if (this.live >= MAX_LIVE_SEGMENTS) return;
    this.live += 1;
    const d = `M${Math.round(from.x)},${Math.round(from.y)} L${Math.round(to.x)},${Math.round(to.y)}`;
    setTimeout(() => {
      const path = el("path", { class: `flow flow--${family}`, d }, this.g);
      const dot = el("circle", { class: `flow-dot flow--${family}`, r: 5 }, this.g);
      const motion = el("animateMotion", { dur: `${SEGMENT_MS}ms`, path: d, fill: "freeze", begin: "indefinite" }, dot);
      if (typeof motion.beginElement === "function") motion.beginElement();
      setTimeout(() => {
        path.remove();
        dot.remove();
        this.live -= 1;
      }, SEGMENT_MS + 250);
    }, delay);
  }
}

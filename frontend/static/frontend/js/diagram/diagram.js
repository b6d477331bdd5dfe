// The live architecture diagram: owns the SVG layers and the entity views keyed by uid, applies the diffs of
// one animation frame together, in place, lays the bands out (control plane, workloads, services, nodes),
// reports selections and keeps the pods one roving Tab stop.
import { gettext } from "../i18n.js";
import { CONTROL_PLANE, NODE, diagramHeight, gridLayout, podOffset, WIDTH } from "../layout.js";
import { humanDuration, parseTime, unschedulableMessage } from "../status.js";
import { keyOf } from "../store.js";
import { ControlPlaneView } from "./control-plane.js";
import { renderDetails } from "./explain.js";
import { FlowAnimator } from "./flow.js";
import { IngressLayer } from "./ingress.js";
import { NodeView } from "./node.js";
import { PodView } from "./pod.js";
import { ServiceLayer } from "./service.js";
import { WaitingLayer } from "./waiting.js";
import { el, setAttr, setClass, SVG_NS, translate } from "./svg.js";
import { WorkloadLayer } from "./workload.js";

// Autoscalers and disruption budgets are drawn on their workloads' cards, Ingresses in front of the Services.
const WORKLOAD_KINDS = new Set(["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob",
  "HorizontalPodAutoscaler", "PodDisruptionBudget"]);
const SERVICE_KINDS = new Set(["Service", "Endpoints", "Ingress"]);
const ROVING_KEYS = new Set(["ArrowRight", "ArrowDown", "ArrowLeft", "ArrowUp", "Home", "End"]);

/**
 * The layer the flows are drawn on: a second SVG with the same viewBox laid over the diagram, so their
 * elements and animations never make the diagram itself restyle, re-lay out or repaint.
 */
function flowOverlay(svg) {
  let stage = svg.parentElement;
  if (!stage.classList.contains("diagram-stage")) {
    stage = document.createElement("div");
    stage.className = "diagram-stage";
    svg.before(stage);
    stage.append(svg);
  }
  let overlay = stage.querySelector(".diagram-flows");
  if (!overlay) {
    overlay = document.createElementNS(SVG_NS, "svg");
    overlay.setAttribute("class", "diagram-flows");
    overlay.setAttribute("aria-hidden", "true");
    stage.append(overlay);
  }
  overlay.setAttribute("viewBox", svg.getAttribute("viewBox") || `0 0 ${WIDTH} 400`);
  return overlay;
}

/** Merge diff `next` into the pending diff `into` (both may be null; null means "compare everything"). */
export function mergeDiffs(into, next) {
  if (!next || next.reset) return { full: true, changes: [...(into?.changes || []), ...(next?.changes || [])] };
  if (!into) into = { full: false, touched: new Set(), deleted: new Map(), changes: [], sandbox: false };
  if (into.full) {
    into.changes.push(...(next.changes || []));
    return into;
  }
  for (const key of next.deleted) {
    into.touched.delete(key);
    into.deleted.set(key, next.deletedObjects.get(key)?.kind);
  }
  for (const key of [...next.added, ...next.modified]) {
    into.deleted.delete(key);
    into.touched.add(key);
  }
  into.changes.push(...(next.changes || []));
  into.sandbox = into.sandbox || Boolean(next.sandbox);
  return into;
}

export class Diagram extends EventTarget {
  /** `svg`: the <svg> element; `panel`: the details element; `control(action, fields)`: sends a control message. */
  constructor(svg, panel, { control = () => {}, explain = null } = {}) {
    super();
    this.svg = svg;
    this.panel = panel;
    this.control = control;
    // `explain(pod)` asks the server for the scheduler's decision about a pod; answers are kept per
    // pod uid and resourceVersion, so a rescheduled pod is asked about again.
    this.explain = explain;
    this.explanations = new Map();
    this.root = el("g", { class: "diagram-root" }, svg);
    this.controlPlane = new ControlPlaneView(this.root);
    this.waiting = new WaitingLayer(this.root);
    this.workloads = new WorkloadLayer(this.root);
    this.nodesLayer = el("g", { class: "nodes" }, this.root);
    this.nodesTitle = el("text", { class: "band-title", x: 20, y: 0 }, this.nodesLayer);
    this.nodesTitle.textContent = gettext("Nodes");
    this.ingresses = new IngressLayer(this.root, this.root);
    this.services = new ServiceLayer(this.root, this.root);
    this.overlay = flowOverlay(svg);
    this.flows = new FlowAnimator(this.overlay, {
      component: (name) => this.controlPlane.box(name),
      chip: (node, chip) => this.nodeByName.get(node)?.chipBox(chip) || null,
      node: (node) => this.nodeByName.get(node)?.box || null,
      podNode: (namespace, name) => this.podNodeByName.get(`${namespace || "default"}/${name}`) || null,
    });
    this.nodes = new Map();
    this.nodeByName = new Map();
    this.pods = new Map();
    this.podNodeByName = new Map();
    this.view = null;
    this.selection = null;
    this.readOnly = false;
    this.nodeOrder = [];
    this.pending = null; // the merged diff waiting for the next animation frame
    this.pendingAnimate = false;
    this.frameRequest = 0;
    this.rovingUid = null; // the pod that is the pods' one Tab stop
    // AGE in the details runs with the simulated clock, as kubectl's would on a second look.
    this.ageTicker = setInterval(() => this.tickAges(), 1000);
    svg.addEventListener("click", (event) => this.onActivate(event));
    svg.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        if (this.onActivate(event)) event.preventDefault();
      } else if (event.key === "Escape") this.select(null);
      else if (ROVING_KEYS.has(event.key) && event.target.closest?.("[data-select='pod']")) {
        if (this.movePodFocus(event.target.closest("[data-select='pod']").dataset.key, event.key)) event.preventDefault();
      }
    });
    svg.addEventListener("focusin", (event) => {
      const podElement = event.target.closest?.("[data-select='pod']");
      if (podElement) this.setRovingStop(podElement.dataset.key);
    });
  }

  /** The pod views in reading order: node by node (as laid out), slot by slot inside a node. */
  podsInOrder() {
    const byNode = new Map();
    for (const pod of this.pods.values()) {
      if (!pod.nodeName || pod.slot < 0 || !pod.g.parentNode || pod.g.classList.contains("pod--deleted")) continue;
      let list = byNode.get(pod.nodeName);
      if (!list) {
        list = [];
        byNode.set(pod.nodeName, list);
      }
      list.push(pod);
    }
    const order = this.nodeOrder || [...this.nodes.values()].sort((a, b) => a.name.localeCompare(b.name));
    return order.flatMap((node) => (byNode.get(node.name) || []).sort((a, b) => a.slot - b.slot));
  }

  /** Make pod `uid` the pods' one Tab stop (tabindex 0); every other pod is reachable with the arrow keys. */
  setRovingStop(uid) {
    if (this.rovingUid === uid) return;
    const previous = this.pods.get(this.rovingUid);
    if (previous) previous.g.setAttribute("tabindex", "-1");
    this.rovingUid = uid;
    this.pods.get(uid)?.g.setAttribute("tabindex", "0");
  }

  /** Keep exactly one pod in the Tab order: the current stop while it is shown, else the first pod. */
  ensureRovingStop() {
    const current = this.pods.get(this.rovingUid);
    if (current && current.g.parentNode && !current.g.classList.contains("pod--deleted")) return;
    this.rovingUid = null;
    const first = this.podsInOrder()[0];
    if (first) this.setRovingStop(first.uid);
  }

  /** Arrow keys, Home and End move the focus among the pods; returns true when the key was used. */
  movePodFocus(uid, key) {
    const order = this.podsInOrder();
    if (!order.length) return false;
    const index = order.findIndex((pod) => pod.uid === uid);
    let next = index;
    if (key === "Home") next = 0;
    else if (key === "End") next = order.length - 1;
    else if (key === "ArrowRight" || key === "ArrowDown") next = Math.min(order.length - 1, index + 1);
    else next = Math.max(0, index - 1);
    const target = order[next];
    this.setRovingStop(target.uid);
    target.g.focus();
    return true;
  }

  onActivate(event) {
    const target = event.target.closest?.("[data-select]");
    if (!target) return false;
    this.select({ type: target.dataset.select, key: target.dataset.key });
    return true;
  }

  /** Select a component or object (or null), highlight it and show its details. */
  select(selection) {
    for (const node of this.svg.querySelectorAll(".selected")) node.classList.remove("selected");
    this.selection = selection;
    if (selection) {
      for (const node of this.svg.querySelectorAll(`[data-key="${CSS.escape(selection.key)}"]`)) node.classList.add("selected");
    }
    this.services.select(selection?.type === "object" ? selection.key : null);
    this.renderPanel();
    if (selection) this.panel.querySelector("h3")?.focus();
    this.dispatchEvent(new CustomEvent("select", { detail: selection }));
  }

  /** The known explanation of the selected pod; undefined while it is being asked for. */
  explanationFor(selection) {
    const pod = selection && this.view?.get(selection.key);
    if (!pod || pod.kind !== "Pod" || !this.explain) return null;
    // A bound pod's record changes only if it is scheduled again; a waiting pod's with each failed attempt,
    // which rewrites its PodScheduled condition.
    const key = `${pod.metadata.uid}@${pod.spec?.nodeName || `waiting:${unschedulableMessage(pod)}`}`;
    if (!this.explanations.has(key)) {
      this.explanations.set(key, undefined);
      this.explain(pod).then((explanation) => {
        this.explanations.set(key, explanation ?? null);
        if (this.selection?.key === selection.key) this.renderPanel();
      }, () => this.explanations.delete(key));
    }
    return this.explanations.get(key);
  }

  tickAges() {
    if (!this.panel || this.panel.hidden || !this.view) return;
    const now = this.view.now;
    for (const cell of this.panel.querySelectorAll("[data-since]")) {
      const text = humanDuration(now - parseTime(cell.dataset.since));
      if (cell.textContent !== text) cell.textContent = text;
    }
  }

  renderPanel() {
    if (!this.panel || !this.view) return;
    this.panel.hidden = !this.selection;
    renderDetails(this.panel, this.selection, this.view, {
      control: this.control, readOnly: this.readOnly, onClose: () => this.select(null),
      onSelect: (selection) => this.select(selection),
      explanation: this.explanationFor(this.selection),
    });
  }

  /**
   * Bring the SVG in line with `view` at the next animation frame. `diff` ({reset, added, modified, deleted,
   * deletedObjects, changes}) limits the work to what changed; without it (or on reset) everything is compared.
   * The diffs that arrive within one frame are merged and applied together; `animate` plays the flows.
   */
  render(view, diff = null, { animate = true } = {}) {
    this.view = view;
    this.pending = mergeDiffs(this.pending, diff);
    this.pendingAnimate = this.pendingAnimate || animate;
    if (!animate) this.pending.changes = [];
    if (!this.frameRequest) this.frameRequest = requestAnimationFrame(() => this.flush());
  }

  /** Apply the pending diffs now (the next animation frame calls this; so may a caller that cannot wait). */
  flush() {
    if (this.frameRequest) cancelAnimationFrame(this.frameRequest);
    this.frameRequest = 0;
    const pending = this.pending;
    const animate = this.pendingAnimate;
    this.pending = null;
    this.pendingAnimate = false;
    if (!pending || !this.view) return;
    this.apply(this.view, pending, animate);
  }

  apply(view, pending, animate) {
    this.readOnly = Boolean(view.sandbox?.readOnly);
    const full = pending.full;
    const diff = full ? null : pending;
    let touched;
    let deleted;
    if (full) {
      touched = [...view.objects.values()];
      const live = new Set(view.objects.keys());
      deleted = [...this.pods.keys(), ...this.nodes.keys()].filter((uid) => !live.has(uid)).map((uid) => ({ uid, kind: this.pods.has(uid) ? "Pod" : "Node" }));
    } else {
      touched = [...pending.touched].map((key) => view.get(key)).filter(Boolean);
      deleted = [...pending.deleted].map(([uid, kind]) => ({ uid, kind }));
    }
    let podsChanged = full;
    let workloadsChanged = full;
    let servicesChanged = full;
    let nodesChanged = full;
    const touchedPods = [];
    for (const obj of touched) {
      if (obj.kind === "Node") {
        nodesChanged = true;
        this.upsertNode(obj, view);
      } else if (obj.kind === "Pod") touchedPods.push(obj);
      else if (WORKLOAD_KINDS.has(obj.kind)) workloadsChanged = true;
      else if (SERVICE_KINDS.has(obj.kind)) servicesChanged = true;
    }
    for (const { uid, kind } of deleted) {
      if (kind === "Node" || this.nodes.has(uid)) {
        nodesChanged = true;
        this.removeNode(uid);
      } else if (kind === "Pod" || this.pods.has(uid)) {
        podsChanged = true;
        this.removePod(uid, !full);
      } else if (WORKLOAD_KINDS.has(kind)) workloadsChanged = true;
      else if (SERVICE_KINDS.has(kind)) servicesChanged = true;
    }
    for (const pod of touchedPods) {
      podsChanged = true;
      if (this.upsertPod(pod)) nodesChanged = true;
    }
    if (diff?.sandbox || full) this.updateComponents(view);
    if (podsChanged) this.controlPlane.updateQueue(view.ofKind("Pod").filter((p) => !p.spec?.nodeName));

    let top = CONTROL_PLANE.y + CONTROL_PLANE.height + 16;
    if (podsChanged || diff?.sandbox || full) this.waitingBottom = this.waiting.sync(view, top);
    if (this.waitingBottom > top) top = this.waitingBottom + 20;
    const workloadsBottom = podsChanged || workloadsChanged ? this.workloads.sync(view, top) : this.workloads.bottom;
    top = workloadsBottom + 20;
    const ingressesBottom = servicesChanged || this.ingressesTop !== top ? this.ingresses.sync(view, top)
      : this.ingressesBottom;
    this.ingressesTop = top;
    this.ingressesBottom = ingressesBottom;
    if (ingressesBottom > top) top = ingressesBottom + 20;
    const servicesBottom = podsChanged || servicesChanged || this.servicesTop !== top
      ? this.services.sync(view, top) : this.servicesBottom;
    this.servicesTop = top;
    this.servicesBottom = servicesBottom;
    top = servicesBottom + 20;
    if (nodesChanged || podsChanged || this.nodesTop !== top) this.layoutNodes(top);
    this.services.drawLines((uid) => this.podCenter(uid));
    this.ingresses.drawLines((key) => this.services.serviceTop(key));
    if (podsChanged) this.ensureRovingStop();

    if (animate && pending.changes.length) this.flows.play(pending.changes);
    if (this.selection && (full || touched.some((o) => keyOf(o) === this.selection.key)
        || deleted.some((d) => d.uid === this.selection.key) || diff?.sandbox)) this.renderPanel();
  }

  updateComponents(view) {
    const components = view.sandbox?.components || {};
    this.controlPlane.updateComponents(components);
    for (const node of this.nodes.values()) {
      const obj = view.get(node.uid);
      if (obj) node.update(obj, components);
    }
  }

  upsertNode(obj, view) {
    const uid = obj.metadata.uid;
    let node = this.nodes.get(uid);
    if (!node) {
      node = new NodeView(this.nodesLayer, obj);
      this.nodes.set(uid, node);
      this.nodeOrder = null;
    }
    this.nodeByName.set(obj.metadata.name, node);
    node.update(obj, view.sandbox?.components || {});
  }

  removeNode(uid) {
    const node = this.nodes.get(uid);
    if (!node) return;
    this.nodes.delete(uid);
    if (this.nodeByName.get(node.name) === node) this.nodeByName.delete(node.name);
    this.nodeOrder = null;
    node.remove();
  }

  /** Create or update a pod's view and put it on its node; returns true when it moved (nodes need a new layout). */
  upsertPod(pod) {
    const uid = pod.metadata.uid;
    let view = this.pods.get(uid);
    if (!view) {
      view = new PodView(pod);
      this.pods.set(uid, view);
    }
    view.update(pod);
    const nodeName = pod.spec?.nodeName || null;
    this.podNodeByName.set(`${pod.metadata.namespace || "default"}/${pod.metadata.name}`, nodeName);
    const node = nodeName ? this.nodeByName.get(nodeName) : null;
    if (view.nodeName === nodeName && view.g.parentNode && node) return false;
    this.releaseSlot(view);
    view.nodeName = nodeName;
    if (!node) {
      view.g.remove();
      return true;
    }
    view.place(node.pods, node.slots.assign(uid));
    return true;
  }

  releaseSlot(view) {
    if (!view.nodeName) return;
    this.nodeByName.get(view.nodeName)?.slots.release(view.uid);
  }

  removePod(uid, fade) {
    const view = this.pods.get(uid);
    if (!view) return;
    this.pods.delete(uid);
    this.releaseSlot(view);
    if (fade && view.g.parentNode) view.fadeOut();
    else view.removeNow();
  }

  layoutNodes(top) {
    this.nodesTop = top;
    translate(this.nodesTitle, 0, top + 12);
    if (!this.nodeOrder) this.nodeOrder = [...this.nodes.values()].sort((a, b) => a.name.localeCompare(b.name));
    const { boxes, bottom } = gridLayout(this.nodeOrder.map((n) => ({ key: n.uid, height: n.neededHeight() })), top + 20);
    for (const node of this.nodeOrder) node.place(boxes.get(node.uid));
    const viewBox = `0 0 ${WIDTH} ${diagramHeight(Math.max(bottom, top + 40) + 16)}`;
    setAttr(this.svg, "viewBox", viewBox);
    setAttr(this.overlay, "viewBox", viewBox);
    setClass(this.nodesTitle, this.nodes.size ? "band-title" : "band-title hidden");
  }

  /** Centre of a pod in diagram coordinates, or null when it is on no node. */
  podCenter(uid) {
    const pod = this.pods.get(uid);
    if (!pod || !pod.nodeName || pod.slot < 0) return null;
    const node = this.nodeByName.get(pod.nodeName);
    if (!node) return null;
    const offset = podOffset(pod.slot);
    return { x: node.box.x + offset.x + NODE.podWidth / 2, y: node.box.y + offset.y };
  }
}

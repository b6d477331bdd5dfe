// The live architecture diagram: owns the SVG layers and the entity views keyed by uid, applies each diff in
// place, lays the bands out (control plane, workloads, services, nodes) and reports selections.
import { gettext } from "../i18n.js";
import { CONTROL_PLANE, NODE, gridLayout, podOffset, WIDTH } from "../layout.js";
import { keyOf } from "../store.js";
import { ControlPlaneView } from "./control-plane.js";
import { renderDetails } from "./explain.js";
import { FlowAnimator } from "./flow.js";
import { NodeView } from "./node.js";
import { PodView } from "./pod.js";
import { ServiceLayer } from "./service.js";
import { el, setAttr, setClass, translate } from "./svg.js";
import { WorkloadLayer } from "./workload.js";

const WORKLOAD_KINDS = new Set(["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob"]);
const SERVICE_KINDS = new Set(["Service", "Endpoints"]);

export class Diagram extends EventTarget {
  /** `svg`: the <svg> element; `panel`: the details element; `control(action, fields)`: sends a control message. */
  constructor(svg, panel, { control = () => {} } = {}) {
    super();
    this.svg = svg;
    this.panel = panel;
    this.control = control;
    this.root = el("g", { class: "diagram-root" }, svg);
    this.controlPlane = new ControlPlaneView(this.root);
    this.workloads = new WorkloadLayer(this.root);
    this.nodesLayer = el("g", { class: "nodes" }, this.root);
    this.nodesTitle = el("text", { class: "band-title", x: 20, y: 0 }, this.nodesLayer);
    this.nodesTitle.textContent = gettext("Nodes");
    this.services = new ServiceLayer(this.root, this.root);
    this.flows = new FlowAnimator(this.root, {
      component: (name) => this.controlPlane.box(name),
      chip: (node, chip) => this.nodeByName.get(node)?.chipBox(chip) || null,
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
    svg.addEventListener("click", (event) => this.onActivate(event));
    svg.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        if (this.onActivate(event)) event.preventDefault();
      } else if (event.key === "Escape") this.select(null);
    });
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

  renderPanel() {
    if (!this.panel || !this.view) return;
    renderDetails(this.panel, this.selection, this.view, {
      control: this.control, readOnly: this.readOnly, onClose: () => this.select(null),
    });
  }

  /**
   * Bring the SVG in line with `view`. `diff` ({reset, added, modified, deleted, deletedObjects, changes}) limits
   * the work to what changed; without it (or on reset) everything is compared. `animate` plays the flows.
   */
  render(view, diff = null, { animate = true } = {}) {
    this.view = view;
    this.readOnly = Boolean(view.sandbox?.readOnly);
    const full = !diff || diff.reset;
    let touched;
    let deleted;
    if (full) {
      touched = [...view.objects.values()];
      const live = new Set(view.objects.keys());
      deleted = [...this.pods.keys(), ...this.nodes.keys()].filter((uid) => !live.has(uid)).map((uid) => ({ uid, kind: this.pods.has(uid) ? "Pod" : "Node" }));
    } else {
      touched = [...diff.added, ...diff.modified].map((key) => view.get(key)).filter(Boolean);
      deleted = diff.deleted.map((uid) => ({ uid, kind: diff.deletedObjects.get(uid)?.kind }));
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
    const workloadsBottom = podsChanged || workloadsChanged ? this.workloads.sync(view, top) : this.workloads.bottom;
    top = workloadsBottom + 20;
    const servicesBottom = podsChanged || servicesChanged || this.servicesTop !== top
      ? this.services.sync(view, top) : this.servicesBottom;
    this.servicesTop = top;
    this.servicesBottom = servicesBottom;
    top = servicesBottom + 20;
    if (nodesChanged || podsChanged || this.nodesTop !== top) this.layoutNodes(top);
    this.services.drawLines((uid) => this.podCenter(uid));

    if (animate && diff?.changes?.length) this.flows.play(diff.changes);
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
    const height = Math.max(bottom, top + 40) + 16;
    setAttr(this.svg, "viewBox", `0 0 ${WIDTH} ${Math.ceil(height)}`);
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

// The control plane: kubectl (the learner), kube-apiserver, etcd, kube-scheduler, kube-controller-manager and
// the scheduling queue of pods that no node holds yet.
import { fmt, gettext } from "../i18n.js";
import { CONTROL_PLANE, ellipsize } from "../layout.js";
import { el, selectable, setClass, setText } from "./svg.js";

export const COMPONENTS = ["kube-apiserver", "etcd", "kube-scheduler", "kube-controller-manager"];

function subtitle(name) {
  switch (name) {
    case "kubectl": return gettext("you, through kubectl");
    case "kube-apiserver": return gettext("API server");
    case "etcd": return gettext("cluster store");
    case "kube-scheduler": return gettext("scheduler");
    case "kube-controller-manager": return gettext("controller manager");
    default: return "";
  }
}

export class ControlPlaneView {
  constructor(parent) {
    this.group = el("g", { class: "control-plane" }, parent);
    el("rect", { class: "band", x: 8, y: CONTROL_PLANE.y, width: 1184, height: CONTROL_PLANE.height, rx: 10 }, this.group);
    el("text", { class: "band-title", x: 20, y: CONTROL_PLANE.y + 14 }, this.group).textContent = gettext("Control plane");
    // kube-apiserver alone reads and writes etcd: a fixed link between them.
    const api = CONTROL_PLANE.boxes["kube-apiserver"];
    const etcd = CONTROL_PLANE.boxes.etcd;
    const linkY = api.y + api.h / 2;
    el("path", { class: "etcd-link", d: `M${api.x + api.w},${linkY} L${etcd.x},${linkY}` }, this.group);
    this.items = new Map();
    for (const name of ["kubectl", ...COMPONENTS]) {
      const box = CONTROL_PLANE.boxes[name];
      const g = el("g", { class: "component", transform: `translate(${box.x},${box.y})` }, this.group);
      el("rect", { width: box.w, height: box.h, rx: 8 }, g);
      el("text", { class: "component-name", x: 10, y: 22 }, g).textContent = name;
      el("text", { class: "component-role", x: 10, y: 40 }, g).textContent = subtitle(name);
      const state = el("text", { class: "component-state", x: box.w - 8, y: 22 }, g);
      selectable(g, "component", name, name);
      this.items.set(name, { g, state, box });
    }
    const queueBox = CONTROL_PLANE.boxes.queue;
    this.queue = el("g", { class: "queue", transform: `translate(${queueBox.x},${queueBox.y})` }, this.group);
    el("rect", { width: queueBox.w, height: queueBox.h, rx: 8 }, this.queue);
    this.queueTitle = el("text", { class: "component-name", x: 10, y: 18 }, this.queue);
    this.queueNames = el("text", { class: "component-role", x: 10, y: 38 }, this.queue);
    selectable(this.queue, "queue", "queue", gettext("Scheduling queue"));
  }

  /** Box (in diagram coordinates) of a control-plane component, for flows. */
  box(name) {
    return this.items.get(name)?.box || null;
  }

  /** Show each component running or stopped (from sandbox.components; absent means running). */
  updateComponents(components) {
    for (const [name, item] of this.items) {
      if (name === "kubectl") continue;
      const running = components?.[name] !== false;
      setClass(item.g, `component ${running ? "component--running" : "component--stopped"}`);
      setText(item.state, running ? "●" : "■");
      item.g.setAttribute("aria-label", `${name}: ${running ? gettext("running") : gettext("stopped")}`);
    }
  }

  /** Pending pods without a node: their count and names (each is drawn, with its reason, in the band below). */
  updateQueue(pods) {
    setText(this.queueTitle, fmt(gettext("Waiting for a node: %(count)s"), { count: pods.length }));
    setText(this.queueNames, pods.length ? ellipsize(pods.map((p) => p.metadata.name).join(", "), 26) : gettext("empty"));
    this.queue.classList.toggle("queue--waiting", pods.length > 0);
    this.queue.setAttribute("aria-label", `${gettext("Scheduling queue")}: ${ellipsize(pods.map((p) => p.metadata.name).join(", "), 200) || gettext("empty")}`);
  }
}

// A pod inside its node: colour (CSS class), icon and label follow its status; new pods appear, deleted ones fade.
import { gettext } from "../i18n.js";
import { NODE, ellipsize, podOffset } from "../layout.js";
import { podStatus } from "../status.js";
import { el, selectable, setAttr, setClass, setText, translate } from "./svg.js";

const FADE_MS = 900;
const ICONS = { running: "✓", "not-ready": "◐", pending: "…", succeeded: "✔", failed: "✕", terminating: "↓", unknown: "?" };

export class PodView {
  constructor(pod) {
    this.uid = pod.metadata.uid;
    this.g = el("g", { class: "pod pod--entering" });
    this.g.dataset.uid = this.uid;
    el("rect", { width: NODE.podWidth, height: NODE.podHeight, rx: 6 }, this.g);
    this.icon = el("text", { class: "pod-icon", x: 7, y: 20 }, this.g);
    this.label = el("text", { class: "pod-name", x: 22, y: 13 }, this.g);
    this.status = el("text", { class: "pod-status", x: 22, y: 26 }, this.g);
    selectable(this.g, "pod", this.uid, pod.metadata.name);
    // Pods are one roving Tab stop (the diagram gives one of them tabindex 0); the arrow keys reach the rest.
    this.g.setAttribute("tabindex", "-1");
    this.nodeName = null;
    this.slot = -1;
    this.stateClass = "";
    this.signature = "";
  }

  /** Reflect the pod's status; returns true when its state class changed. */
  update(pod) {
    const status = podStatus(pod);
    const signature = `${status.state}|${status.reason}|${status.ready}|${status.restarts}`;
    if (signature === this.signature) return false;
    const changed = status.state !== this.stateClass;
    this.signature = signature;
    this.stateClass = status.state;
    const entering = this.g.classList.contains("pod--entering") ? " pod--entering" : "";
    const selected = this.g.classList.contains("selected") ? " selected" : "";
    this.g.setAttribute("class", `pod pod--${status.state}${entering}${selected}`);
    setText(this.icon, ICONS[status.state] || "?");
    setText(this.label, ellipsize(pod.metadata.name, 17));
    const restarts = status.restarts ? ` ↻${status.restarts}` : "";
    setText(this.status, ellipsize(`${status.reason} ${status.ready}${restarts}`, 22));
    setAttr(this.g, "aria-label", `${pod.metadata.name}: ${status.reason}, ${gettext("ready")} ${status.ready}`);
    return changed;
  }

  /** Put the pod into slot `slot` of a node's pod group. */
  place(parent, slot) {
    if (this.g.parentNode !== parent) parent.appendChild(this.g);
    this.slot = slot;
    const { x, y } = podOffset(slot);
    translate(this.g, x, y);
    if (this.g.classList.contains("pod--entering")) {
      // Drop the entering class after its animation so a later re-render does not replay it.
      setTimeout(() => this.g.classList.remove("pod--entering"), 600);
    }
  }

  /** Fade out, then leave the DOM. */
  fadeOut() {
    this.g.classList.add("pod--deleted");
    this.g.removeAttribute("tabindex");
    setTimeout(() => this.g.remove(), FADE_MS);
  }

  removeNow() {
    this.g.remove();
  }
}

// Pods that no node holds yet, each by name with the scheduler's latest verdict in short ("3 Insufficient cpu"),
// in a band of their own under the control plane. Clicking one opens its per-node verdicts.
import { fmt, gettext } from "../i18n.js";
import { ellipsize, MARGIN, WAITING, waitingLayout } from "../layout.js";
import { schedulingSummary, unschedulableMessage } from "../status.js";
import { el, selectable, setAttr, setClass, setText, translate } from "./svg.js";

/** The chip text for a waiting pod: the scheduler's commonest reason, or why nothing has judged it yet. Pure. */
export function waitingReason(pod, { schedulerRunning = true } = {}) {
  const summary = schedulingSummary(unschedulableMessage(pod));
  if (summary?.reasons.length) {
    const top = summary.reasons[0];
    return fmt(gettext("%(count)s of %(total)s nodes: %(reason)s"), { count: top.count, total: summary.total,
      reason: top.text });
  }
  if (summary?.message) return summary.message;
  return schedulerRunning ? gettext("not tried yet") : gettext("the scheduler is stopped");
}

class WaitingChip {
  constructor(parent, pod) {
    this.g = el("g", { class: "waiting-pod pod--pending" }, parent);
    el("rect", { width: WAITING.width, height: WAITING.height, rx: 6 }, this.g);
    el("text", { class: "pod-icon", x: 8, y: 24 }, this.g).textContent = "…";
    this.name = el("text", { class: "pod-name", x: 24, y: 16 }, this.g);
    this.reason = el("text", { class: "pod-status", x: 24, y: 31 }, this.g);
    selectable(this.g, "pod", pod.metadata.uid, pod.metadata.name);
  }

  update(pod, reason) {
    setText(this.name, ellipsize(pod.metadata.name, 30));
    setText(this.reason, ellipsize(reason, 36));
    setAttr(this.g, "aria-label", fmt(gettext("%(name)s: Pending, waiting for a node (%(reason)s)"),
      { name: pod.metadata.name, reason }));
  }
}

/** The band of waiting pods: hidden while none waits. */
export class WaitingLayer {
  constructor(parent) {
    this.g = el("g", { class: "waiting" }, parent);
    this.title = el("text", { class: "band-title", x: 20, y: 0 }, this.g);
    this.more = el("text", { class: "waiting-more", x: MARGIN + 4, y: 0 }, this.g);
    this.chips = new Map();
  }

  /** Lay the waiting pods out from `top`; returns the band's bottom (`top` when none waits). */
  sync(view, top) {
    const pods = view.ofKind("Pod").filter((p) => !p.spec?.nodeName && !p.metadata?.deletionTimestamp
      && !["Succeeded", "Failed"].includes(p.status?.phase));
    const schedulerRunning = view.sandbox?.components?.["kube-scheduler"] !== false;
    setClass(this.g, pods.length ? "waiting" : "waiting hidden");
    const shown = pods.slice(0, WAITING.max);
    const seen = new Set();
    const { boxes, bottom } = waitingLayout(shown.map((p) => p.metadata.uid), top + 20);
    for (const pod of shown) {
      const uid = pod.metadata.uid;
      seen.add(uid);
      let chip = this.chips.get(uid);
      if (!chip) {
        chip = new WaitingChip(this.g, pod);
        this.chips.set(uid, chip);
      }
      chip.update(pod, waitingReason(pod, { schedulerRunning }));
      const box = boxes.get(uid);
      translate(chip.g, box.x, box.y);
    }
    for (const [uid, chip] of this.chips) {
      if (!seen.has(uid)) {
        chip.g.remove();
        this.chips.delete(uid);
      }
    }
    if (!pods.length) return top;
    translate(this.title, 0, top + 12);
    setText(this.title, fmt(gettext("Waiting for a node: %(count)s"), { count: pods.length }));
    const hidden = pods.length - shown.length;
    setClass(this.more, hidden ? "waiting-more" : "waiting-more hidden");
    translate(this.more, 0, bottom + 14);
    setText(this.more, fmt(gettext("and %(count)s more: see the list below the diagram"), { count: hidden }));
    return hidden ? bottom + 20 : bottom;
  }
}

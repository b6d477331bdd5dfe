// Controllers grouped with the pods they own: a Deployment card holds one row per ReplicaSet, each row one mark
// per pod; StatefulSets, DaemonSets, Jobs and lone ReplicaSets hold a single row; bare pods share a card.
import { fmt, gettext, ngettext } from "../i18n.js";
import { CELL_WIDTH, WORKLOAD, dotOffset, ellipsize, gridLayout, workloadHeight, workloadRowHeight } from "../layout.js";
import { controllerOf, podStatus } from "../status.js";
import { BADGE_HEIGHT, BadgeLines, badgesFor } from "./autoscaler.js";
import { el, selectable, setAttr, setClass, setText, translate } from "./svg.js";

const TOP_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicaSet"]);
export const BARE_PODS = "bare-pods";

/**
 * Group pods under their controllers: returns [{key, obj, rows: [{key, obj, pods}]}] in a stable order.
 * A ReplicaSet owned by a Deployment is a row of that Deployment; a Job owned by a CronJob, of that CronJob.
 */
export function groupWorkloads(view) {
  const groups = new Map();
  const rows = new Map();
  const byUid = view.objects;
  const topOf = (obj) => {
    const owner = controllerOf(obj);
    const parent = owner && byUid.get(owner.uid);
    return parent && TOP_KINDS.has(parent.kind) && (parent.kind === "Deployment" || parent.kind === "CronJob") ? parent : null;
  };
  for (const obj of byUid.values()) {
    if (!TOP_KINDS.has(obj.kind) || topOf(obj)) continue;
    groups.set(obj.metadata.uid, { key: obj.metadata.uid, obj, rows: [] });
  }
  for (const obj of byUid.values()) {
    if (obj.kind !== "ReplicaSet" && obj.kind !== "Job") continue;
    const parent = topOf(obj);
    if (!parent) continue;
    const row = { key: obj.metadata.uid, obj, pods: [] };
    groups.get(parent.metadata.uid)?.rows.push(row);
    rows.set(obj.metadata.uid, row);
  }
  const bare = { key: BARE_PODS, obj: null, rows: [{ key: `${BARE_PODS}-row`, obj: null, pods: [] }] };
  for (const obj of byUid.values()) {
    if (obj.kind !== "Pod") continue;
    const owner = controllerOf(obj);
    const row = owner && rows.get(owner.uid);
    if (row) { row.pods.push(obj); continue; }
    const group = owner && groups.get(owner.uid);
    if (group) {
      if (!group.rows.length || group.rows[0].obj !== group.obj) group.rows.unshift({ key: `${group.key}-own`, obj: group.obj, pods: [] });
      group.rows[0].pods.push(obj);
    } else bare.rows[0].pods.push(obj);
  }
  const out = [...groups.values()];
  for (const group of out) {
    if (!group.rows.length) group.rows.push({ key: `${group.key}-own`, obj: group.obj, pods: [] });
    group.rows.sort((a, b) => (a.obj?.metadata?.creationTimestamp || "").localeCompare(b.obj?.metadata?.creationTimestamp || ""));
  }
  out.sort((a, b) => (a.obj.metadata.namespace || "").localeCompare(b.obj.metadata.namespace || "")
    || a.obj.metadata.name.localeCompare(b.obj.metadata.name));
  if (bare.rows[0].pods.length) out.push(bare);
  return out;
}

function rowLabel(row) {
  const obj = row.obj;
  if (!obj) return fmt(ngettext("%(count)s pod", "%(count)s pods", row.pods.length), { count: row.pods.length });
  const desired = obj.spec?.replicas ?? obj.spec?.completions;
  const ready = row.pods.filter((p) => podStatus(p).state === "running").length;
  return desired === undefined ? `${obj.kind} ${obj.metadata.name} ${ready}/${row.pods.length}`
    : `${obj.kind} ${obj.metadata.name} ${ready}/${desired}`;
}

class WorkloadCard {
  constructor(parent, group) {
    this.key = group.key;
    this.g = el("g", { class: "workload" }, parent);
    this.frame = el("rect", { width: CELL_WIDTH, height: 40, rx: 8 }, this.g);
    this.title = el("text", { class: "workload-name", x: 10, y: 17 }, this.g);
    this.rowsGroup = el("g", {}, this.g);
    this.badges = new BadgeLines(this.g);
    this.rows = new Map();
    if (group.obj) selectable(this.g, "object", group.key, `${group.obj.kind} ${group.obj.metadata.name}`);
  }

  /** `badges`: the autoscaler's and budgets' lines under the title (`badgesFor`). */
  update(group, dots, badges = []) {
    const obj = group.obj;
    setText(this.title, obj ? ellipsize(`${obj.kind} ${obj.metadata.name}`, 38) : gettext("Pods without a controller"));
    const badgeHeight = this.badges.update(badges, WORKLOAD.header - 6, WORKLOAD.pad + 2);
    let y = WORKLOAD.header + badgeHeight;
    const seen = new Set();
    for (const row of group.rows) {
      seen.add(row.key);
      let view = this.rows.get(row.key);
      if (!view) {
        const g = el("g", { class: "workload-row" }, this.rowsGroup);
        view = { g, label: el("text", { class: "workload-row-label", x: WORKLOAD.pad, y: 11 }, g), dots: el("g", {}, g) };
        this.rows.set(row.key, view);
      }
      translate(view.g, 0, y);
      const isOwnRow = row.obj === obj;
      setText(view.label, isOwnRow || !row.obj ? rowLabel(row).replace(/^\S+ \S+ /, "") : ellipsize(rowLabel(row), 40));
      row.pods.forEach((pod, i) => {
        let dot = dots.get(pod.metadata.uid);
        if (!dot) {
          dot = el("rect", { width: WORKLOAD.dot - 2, height: WORKLOAD.dot - 2, rx: 2 });
          dots.set(pod.metadata.uid, dot);
        }
        if (dot.parentNode !== view.dots) view.dots.appendChild(dot);
        const { x, y: dy } = dotOffset(i);
        translate(dot, x, dy);
        setClass(dot, `workload-pod pod--${podStatus(pod).state}`);
      });
      y += workloadRowHeight(row.pods.length);
    }
    for (const [key, view] of this.rows) {
      if (!seen.has(key)) {
        view.g.remove();
        this.rows.delete(key);
      }
    }
    setAttr(this.frame, "height", workloadHeight(group.rows.map((r) => r.pods.length)) + badgeHeight);
  }
}

/** The band of workload cards; `sync` regroups and updates only what differs. */
export class WorkloadLayer {
  constructor(parent) {
    this.g = el("g", { class: "workloads" }, parent);
    this.title = el("text", { class: "band-title", x: 20, y: 0 }, this.g);
    this.title.textContent = gettext("Workloads: controllers and the pods they own");
    this.cards = new Map();
    this.dots = new Map();
    this.bottom = 0;
  }

  /** Lay the cards out from `top`; returns the band's bottom. */
  sync(view, top) {
    translate(this.title, 0, top + 12);
    const groups = groupWorkloads(view);
    const autoscalers = [...view.ofKind("HorizontalPodAutoscaler")];
    const budgets = [...view.ofKind("PodDisruptionBudget")];
    const badges = new Map(groups.map((g) => [g.key, badgesFor(g.obj, autoscalers, budgets)]));
    const layout = gridLayout(groups.map((g) => ({ key: g.key, height: workloadHeight(g.rows.map((r) => r.pods.length))
      + badges.get(g.key).length * BADGE_HEIGHT })), top + 20);
    const seen = new Set();
    const livePods = new Set();
    for (const group of groups) {
      seen.add(group.key);
      let card = this.cards.get(group.key);
      if (!card) {
        card = new WorkloadCard(this.g, group);
        this.cards.set(group.key, card);
      }
      for (const row of group.rows) for (const pod of row.pods) livePods.add(pod.metadata.uid);
      card.update(group, this.dots, badges.get(group.key));
      const box = layout.boxes.get(group.key);
      translate(card.g, box.x, box.y);
    }
    for (const [key, card] of this.cards) {
      if (!seen.has(key)) {
        card.g.remove();
        this.cards.delete(key);
      }
    }
    for (const [uid, dot] of this.dots) {
      if (!livePods.has(uid)) {
        dot.remove();
        this.dots.delete(uid);
      }
    }
    this.bottom = groups.length ? layout.bottom : top + 20;
    return this.bottom;
  }

  /** Update one pod's mark without regrouping (a status change). */
  updatePod(pod) {
    const dot = this.dots.get(pod.metadata.uid);
    if (dot) setClass(dot, `workload-pod pod--${podStatus(pod).state}`);
    return Boolean(dot);
  }
}

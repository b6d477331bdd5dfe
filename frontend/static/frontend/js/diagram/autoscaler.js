// HorizontalPodAutoscalers and PodDisruptionBudgets beside the workloads they act on: a badge line on the
// workload's card (the autoscaler's replica range and CPU figure; the budget's allowed disruptions), with the
// state as CSS classes (an autoscaler that cannot compute its metric, or at its limit; a budget that allows none).
import { fmt, gettext, ngettext } from "../i18n.js";
import { ellipsize } from "../layout.js";
import { el, selectable, setAttr, setClass, setText, translate } from "./svg.js";

export const BADGE_HEIGHT = 14;

function condition(hpa, type) {
  return (hpa.status?.conditions || []).find((c) => c.type === type);
}

/** The autoscaler whose scaleTargetRef names `workload` (same namespace, kind and name), if any. */
export function autoscalerFor(workload, autoscalers) {
  const namespace = workload.metadata.namespace || "default";
  return autoscalers.find((hpa) => (hpa.metadata.namespace || "default") === namespace
    && hpa.spec?.scaleTargetRef?.kind === workload.kind && hpa.spec?.scaleTargetRef?.name === workload.metadata.name) || null;
}

/** The budgets whose selector matches the workload's pod template labels (an empty selector matches every pod). */
export function budgetsFor(workload, budgets) {
  const namespace = workload.metadata.namespace || "default";
  const labels = workload.spec?.template?.metadata?.labels || workload.spec?.jobTemplate?.spec?.template?.metadata?.labels;
  if (!labels) return [];
  return budgets.filter((pdb) => (pdb.metadata.namespace || "default") === namespace && pdb.spec?.selector
    && labelSelectorMatches(pdb.spec.selector, labels));
}

/** A LabelSelector (matchLabels and matchExpressions) against a label map. */
export function labelSelectorMatches(selector, labels) {
  const wanted = selector.matchLabels || {};
  if (!Object.keys(wanted).every((key) => labels?.[key] === wanted[key])) return false;
  return (selector.matchExpressions || []).every((expression) => {
    const has = Object.hasOwn(labels, expression.key);
    const value = labels[expression.key];
    switch (expression.operator) {
      case "In": return has && (expression.values || []).includes(value);
      case "NotIn": return !has || !(expression.values || []).includes(value);
      case "Exists": return has;
      case "DoesNotExist": return !has;
      default: return false;
    }
  });
}

/** The CPU figure of an autoscaler as `kubectl get hpa` shows its first metric: `12%/50%`, `?/50%` before a reading. */
export function autoscalerTarget(hpa) {
  const metric = (hpa.spec?.metrics || [])[0];
  const source = metric?.resource || metric?.containerResource;
  if (!source) return "";
  const current = (hpa.status?.currentMetrics || [])[0];
  const reading = (current?.resource || current?.containerResource)?.current;
  const target = source.target || {};
  if (target.averageUtilization !== undefined) {
    const now = reading?.averageUtilization !== undefined ? `${reading.averageUtilization}%` : "?";
    return `${source.name} ${now}/${target.averageUtilization}%`;
  }
  return `${source.name} ${reading?.averageValue ?? "?"}/${target.averageValue ?? "?"}`;
}

/** The state classes of an autoscaler's badge. */
export function autoscalerStates(hpa) {
  const states = ["workload-badge", "workload-badge--hpa"];
  if (condition(hpa, "ScalingActive")?.status === "False") states.push("workload-badge--inactive");
  else if (condition(hpa, "ScalingLimited")?.status === "True") states.push("workload-badge--limited");
  return states.join(" ");
}

/** The state classes of a budget's badge. */
export function budgetStates(pdb) {
  const blocked = !(pdb.status?.disruptionsAllowed > 0);
  return `workload-badge workload-badge--pdb${blocked ? " workload-badge--blocked" : ""}`;
}

function autoscalerText(hpa) {
  const target = autoscalerTarget(hpa);
  const range = fmt(gettext("autoscaler %(min)s–%(max)s"), { min: hpa.spec?.minReplicas ?? 1, max: hpa.spec?.maxReplicas ?? "?" });
  return target ? `${range} · ${target}` : range;
}

function budgetText(pdb) {
  const allowed = pdb.status?.disruptionsAllowed ?? 0;
  return fmt(ngettext("budget: %(count)s disruption allowed", "budget: %(count)s disruptions allowed", allowed), { count: allowed });
}

/** The badges of one workload card: [{key, uid, text, states, label}] for its autoscaler and budgets. */
export function badgesFor(workload, autoscalers, budgets) {
  if (!workload) return [];
  const badges = [];
  const hpa = autoscalerFor(workload, autoscalers);
  if (hpa) {
    badges.push({ key: hpa.metadata.uid, text: autoscalerText(hpa), states: autoscalerStates(hpa),
      label: fmt(gettext("HorizontalPodAutoscaler %(name)s"), { name: hpa.metadata.name }) });
  }
  for (const pdb of budgetsFor(workload, budgets)) {
    badges.push({ key: pdb.metadata.uid, text: budgetText(pdb), states: budgetStates(pdb),
      label: fmt(gettext("PodDisruptionBudget %(name)s"), { name: pdb.metadata.name }) });
  }
  return badges;
}

/** The badge lines of one card, updated in place (keyed by the autoscaler's or budget's uid). */
export class BadgeLines {
  constructor(parent) {
    this.g = el("g", { class: "workload-badges" }, parent);
    this.lines = new Map();
  }

  /** Draw `badges` from `y` down; returns the height they take. */
  update(badges, y, x) {
    translate(this.g, x, y);
    const seen = new Set();
    badges.forEach((badge, index) => {
      seen.add(badge.key);
      let line = this.lines.get(badge.key);
      if (!line) {
        line = el("text", {}, this.g);
        selectable(line, "object", badge.key, badge.label);
        this.lines.set(badge.key, line);
      }
      setAttr(line, "y", index * BADGE_HEIGHT + 10);
      setText(line, ellipsize(badge.text, 44));
      setClass(line, badge.states);
    });
    for (const [key, line] of this.lines) {
      if (!seen.has(key)) {
        line.remove();
        this.lines.delete(key);
      }
    }
    return badges.length * BADGE_HEIGHT;
  }
}

// Time controls (pause, resume, speed, step: `control` messages) and the event timeline the learner scrubs back
// through; past states are rebuilt client-side from the snapshot and the ordered events the store keeps.
import { h } from "./dom.js";
import { fmt, gettext } from "./i18n.js";

const LOG_LIMIT = 1000;
// What the log hides until the learner asks for everything: records and bookkeeping that every action sets off.
const NOISY_KINDS = new Set(["Event", "EndpointSlice", "Endpoints", "Lease"]);

/**
 * Whether a change is one a learner follows by default: their own, and what the controllers and the scheduler
 * did about it (creating, binding, deleting; not the status updates every component posts, except the node
 * lifecycle controller's, which is how a node turns NotReady). Events, EndpointSlices, Endpoints and Leases and
 * the scenario's first objects wait behind the filter. Pure.
 */
export function isKeyChange(change) {
  const actor = change.actor || "";
  if (NOISY_KINDS.has(change.kind)) return false;
  if (actor.startsWith("user:")) return true;
  if (actor === "kube-scheduler") return change.verb === "bind";
  if (actor === "node-lifecycle-controller") return true;
  if (actor.endsWith("-controller") || actor === "garbage-collector") return change.verb !== "status";
  return false;
}

/** The learner-facing sentence for one change ({actor, verb, kind, name}). */
export function changeSentence(change) {
  const verbs = {
    create: gettext("created"), update: gettext("updated"), patch: gettext("patched"), delete: gettext("deleted"),
    bind: gettext("bound"), status: gettext("updated the status of"),
  };
  return fmt(gettext("%(actor)s %(verb)s %(kind)s %(name)s"), {
    actor: change.actor, verb: verbs[change.verb] || change.verb, kind: change.kind, name: change.name,
  });
}

function clockOf(time) {
  return time ? String(time).replace(/^.*T/, "").replace(/Z$/, "") : "";
}

export class Timeline extends EventTarget {
  /** `elements`: {pause, speed, step, stepSeconds, range, position, live, log}; `control(action, fields)` sends. */
  constructor(elements, store, control, { loadHistory = null } = {}) {
    super();
    this.loadHistory = loadHistory;
    this.historyState = "partial"; // "partial" | "loading" | "whole"
    this.el = elements;
    this.store = store;
    this.control = control;
    this.live = true;
    this.position = 0;
    elements.pause.addEventListener("click", () => {
      control(store.sandbox?.paused ? "resume" : "pause");
    });
    elements.speed.addEventListener("change", () => control("speed", { value: Number(elements.speed.value) }));
    elements.step.addEventListener("click", () => control("step", { seconds: Number(elements.stepSeconds.value) }));
    elements.range.addEventListener("input", () => this.scrubTo(Number(elements.range.value)));
    elements.live.addEventListener("click", () => this.scrubTo(store.timelineLength));
    // The page knows what happened since it loaded; the rest of the history comes when the learner reaches for
    // the timeline (or asks for it).
    elements.history?.addEventListener("click", () => this.fetchHistory());
    elements.range.addEventListener("pointerdown", () => this.fetchHistory(), { once: true });
    elements.range.addEventListener("keydown", () => this.fetchHistory(), { once: true });
    elements.showAll?.addEventListener("change", () => {
      elements.log.classList.toggle("event-log--all", elements.showAll.checked);
    });
  }

  /** Load the sandbox's whole recorded history into the timeline and the log (once). */
  async fetchHistory() {
    if (!this.loadHistory || this.historyState !== "partial") return;
    this.historyState = "loading";
    this.refresh();
    let entries;
    try {
      entries = await this.loadHistory();
    } catch {
      this.historyState = "partial";
      this.refresh();
      return;
    }
    const live = this.live;
    const added = this.store.prependHistory(entries);
    this.historyState = "whole";
    if (live) this.position = this.store.timelineLength;
    else this.position += added;
    const older = entries.slice(0, added).flatMap((e) => e.changes);
    this.log(older.reverse(), { older: true });
    this.refresh();
  }

  /** A reset sandbox starts a new history: the log and the timeline start again. */
  restart() {
    this.el.log.replaceChildren();
    this.historyState = "partial";
    this.live = true;
    this.refresh();
  }

  /** Show position `index` (timelineLength = now, live). */
  scrubTo(index) {
    const length = this.store.timelineLength;
    this.position = Math.max(0, Math.min(index, length));
    this.live = this.position === length;
    this.refresh();
    this.dispatchEvent(new CustomEvent("scrub", { detail: { index: this.position, live: this.live } }));
  }

  /** After every store change: extend the range, log the changes, reflect the sandbox's pause and speed. */
  update(diff) {
    if (diff?.sandboxReset) this.restart();
    const length = this.store.timelineLength;
    if (this.live) this.position = length;
    if (diff?.reset) {
      // A snapshot: the log starts again from the server's list of recent changes.
      this.el.log.replaceChildren();
      this.log(diff.recent || []);
    }
    if (diff?.changes?.length) this.log(diff.changes);
    this.refresh();
  }

  refresh() {
    const { range, position, live, pause, speed, step, stepSeconds } = this.el;
    const length = this.store.timelineLength;
    range.max = String(length);
    range.value = String(this.position);
    const entry = this.store.entryAt(this.position);
    const label = this.live ? fmt(gettext("Live, version %(rv)s"), { rv: this.store.resourceVersion || "…" })
      : fmt(gettext("Past: step %(index)s of %(length)s, version %(rv)s at %(time)s"), {
        index: this.position, length, rv: entry?.resourceVersion || "…", time: clockOf(entry?.time) });
    position.textContent = label;
    range.setAttribute("aria-valuetext", label);
    live.disabled = this.live;
    if (this.el.history) {
      this.el.history.hidden = this.historyState === "whole" || !this.loadHistory;
      this.el.history.disabled = this.historyState === "loading";
      this.el.history.textContent = this.historyState === "loading" ? gettext("Loading the history…")
        : gettext("Load the whole history");
    }
    document.body.classList.toggle("timeline-past", !this.live);
    const sandbox = this.store.sandbox || {};
    const paused = Boolean(sandbox.paused);
    pause.textContent = paused ? gettext("Resume") : gettext("Pause");
    pause.setAttribute("aria-pressed", String(paused));
    const readOnly = Boolean(sandbox.readOnly);
    pause.disabled = readOnly;
    speed.disabled = readOnly;
    if (sandbox.speed && speed.value !== String(sandbox.speed)) {
      if (![...speed.options].some((o) => o.value === String(sandbox.speed))) speed.append(h("option", { value: sandbox.speed }, `×${sandbox.speed}`));
      speed.value = String(sandbox.speed);
    }
    step.disabled = readOnly || !paused;
    stepSeconds.disabled = readOnly || !paused;
  }

  /** Add changes to the log: newest first at the top, or (`older`) at the bottom, newest of them first. */
  log(changes, { older = false } = {}) {
    const list = this.el.log;
    const fragment = document.createDocumentFragment();
    const ordered = older ? changes : [...changes].reverse();
    for (const change of ordered) {
      const family = (change.actor || "").split(/[:/]/)[0];
      fragment.append(h("li", { class: `log-${family}${isKeyChange(change) ? "" : " log-noise"}` },
        h("time", {}, clockOf(change.time)), " ", changeSentence(change)));
    }
    if (older) list.append(fragment);
    else list.prepend(fragment);
    while (list.childElementCount > LOG_LIMIT) list.lastElementChild.remove();
  }
}

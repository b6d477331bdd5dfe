// Time controls (pause, resume, speed, step: `control` messages) and the event timeline the learner scrubs back
// through; past states are rebuilt client-side from the snapshot and the ordered events the store keeps.
import { h } from "./dom.js";
import { fmt, gettext } from "./i18n.js";

const LOG_LIMIT = 300;

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
  constructor(elements, store, control) {
    super();
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
    const length = this.store.timelineLength;
    if (this.live) this.position = length;
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

  log(changes) {
    const list = this.el.log;
    const fragment = document.createDocumentFragment();
    for (const change of changes) {
      fragment.append(h("li", { class: `log-${(change.actor || "").split(/[:/]/)[0]}` },
        h("time", {}, clockOf(change.time)), " ", changeSentence(change)));
    }
    list.prepend(fragment);
    while (list.childElementCount > LOG_LIMIT) list.lastElementChild.remove();
  }
}

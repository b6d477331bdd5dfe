// The lesson page's panels on a laptop screen: the lesson column, the diagram above, the terminal and the YAML
// editor below, with keyboard-accessible splitters between them. The size math is pure (unit-tested); the
// controller writes the sizes as custom properties into a constructed style sheet (no inline styles) and keeps
// them for the next visit.
import { fmt, gettext } from "./i18n.js";

/** Below this width the page stacks its panels and scrolls as a document; no splitters. */
export const STACKED_BELOW = 1024;
/** The terminal's columns we aim for on a wide screen: `get pods -o wide` and `describe` fit without wrapping. */
export const TERMINAL_COLUMNS = 100;
/** What the terminal panel adds around xterm's character grid: panel padding and border, host padding, scrollbar. */
export const TERMINAL_CHROME = 46;
export const SPLITTER = 8;
/** The page's own margins around the panels (main's padding on both sides). */
export const PAGE_GUTTER = 24;
export const MIN = { lesson: 220, terminal: 320, editor: 260, diagram: 180, tools: 200 };
MIN.workspace = MIN.terminal + MIN.editor;
export const KEY_STEP = 16;

/** The width the tools row (terminal, splitter, editor) has beside a lesson column of `lesson` px. Pure. */
export function toolsWidth(width, lesson) {
  return width - PAGE_GUTTER - lesson - 2 * SPLITTER;
}

/**
 * The default sizes for a viewport `width` and the `height` below the site header (CSS px), with a terminal
 * character `cellWidth`: {lesson, terminal, diagram} in px, or null when the page stacks. Pure.
 * The terminal gets TERMINAL_COLUMNS columns when the editor keeps at least MIN.editor beside it; otherwise the
 * two share the row, the terminal taking 65%.
 */
export function defaultPanes({ width, height, cellWidth = 7.8 }) {
  if (width < STACKED_BELOW) return null;
  const lesson = clamp(Math.round(width * 0.2), MIN.lesson, 420);
  const tools = toolsWidth(width, lesson);
  const wanted = Math.ceil(TERMINAL_COLUMNS * cellWidth + TERMINAL_CHROME);
  const terminal = wanted + MIN.editor <= tools ? wanted
    : clamp(Math.round(tools * 0.65), MIN.terminal, tools - MIN.editor);
  const body = height - PAGE_GUTTER - SPLITTER;
  const diagram = clamp(Math.round(body * 0.5), MIN.diagram, Math.max(MIN.diagram, body - MIN.tools));
  return { lesson, terminal, diagram };
}

export function clamp(value, low, high) {
  return Math.max(low, Math.min(high, value));
}

/**
 * The range a splitter may move in, for the viewport `width` and the `height` below the header, and the current
 * `sizes`: {min, max} in px. `name` is "lesson", "terminal" or "diagram". Pure.
 */
export function splitRange(name, sizes, { width, height }) {
  if (name === "lesson") {
    return { min: MIN.lesson, max: Math.max(MIN.lesson, width - PAGE_GUTTER - 2 * SPLITTER - MIN.workspace) };
  }
  if (name === "terminal") {
    return { min: MIN.terminal, max: Math.max(MIN.terminal, toolsWidth(width, sizes.lesson) - MIN.editor) };
  }
  return { min: MIN.diagram, max: Math.max(MIN.diagram, height - PAGE_GUTTER - SPLITTER - MIN.tools) };
}

/**
 * The new size after a key press on a splitter (ArrowLeft/Up smaller, ArrowRight/Down larger, Shift four times
 * the step, Home/End to the ends), or null for any other key. Pure.
 */
export function keyedSize(current, key, { min, max }, { shift = false } = {}) {
  const step = KEY_STEP * (shift ? 4 : 1);
  switch (key) {
    case "ArrowLeft": case "ArrowUp": return clamp(current - step, min, max);
    case "ArrowRight": case "ArrowDown": return clamp(current + step, min, max);
    case "Home": return min;
    case "End": return max;
    default: return null;
  }
}

/** Sizes kept from an earlier visit, fitted into this screen (a smaller screen shrinks them). Pure. */
export function fitSizes(saved, defaults, box) {
  if (!defaults) return null;
  const sizes = { ...defaults };
  for (const name of ["lesson", "terminal", "diagram"]) {
    const value = Number(saved?.[name]);
    if (Number.isFinite(value) && value > 0) sizes[name] = value;
  }
  for (const name of ["lesson", "terminal", "diagram"]) {
    const { min, max } = splitRange(name, sizes, box);
    sizes[name] = clamp(Math.round(sizes[name]), min, max);
  }
  return sizes;
}

const STORAGE_KEY = "podlab.panes";

function measureCell(fontFamily, fontSize) {
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d");
  if (!context) return 7.8;
  context.font = `${fontSize}px ${fontFamily}`;
  return context.measureText("W".repeat(50)).width / 50 || 7.8;
}

export class Panes {
  /**
   * `root`: the element whose grid the sizes drive; splitters are its `[data-split]` descendants.
   * `terminalFont` ({family, size}) measures a terminal column for the default sizes.
   */
  constructor(root, { terminalFont = { family: "monospace", size: 13 }, storage = globalThis.localStorage } = {}) {
    this.root = root;
    this.storage = storage;
    this.sheet = new CSSStyleSheet();
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, this.sheet];
    this.cellWidth = measureCell(terminalFont.family, terminalFont.size);
    this.sizes = null;
    this.splitters = [...root.querySelectorAll("[data-split]")];
    for (const splitter of this.splitters) this.wire(splitter);
    window.addEventListener("resize", () => this.fit());
    this.fit();
  }

  /** The viewport's width and the height below the site header (the panes fill it). */
  box() {
    const top = this.root.getBoundingClientRect().top + window.scrollY;
    return { width: document.documentElement.clientWidth, height: window.innerHeight - top + PAGE_GUTTER / 2 };
  }

  saved() {
    try {
      return JSON.parse(this.storage?.getItem(STORAGE_KEY) || "null");
    } catch {
      return null;
    }
  }

  /** Lay the panes out for the window as it is now (kept sizes first, fitted; defaults otherwise). */
  fit() {
    const box = this.box();
    const defaults = defaultPanes({ ...box, cellWidth: this.cellWidth });
    this.sizes = fitSizes(this.saved(), defaults, box);
    this.write();
  }

  write() {
    this.root.classList.toggle("panes", Boolean(this.sizes));
    if (!this.sizes) {
      this.sheet.replaceSync("");
      return;
    }
    const { lesson, terminal, diagram } = this.sizes;
    this.sheet.replaceSync(`.lesson-page.panes { --lesson-width: ${lesson}px; --terminal-width: ${terminal}px;`
      + ` --diagram-height: ${diagram}px; }`);
    const box = this.box();
    for (const splitter of this.splitters) {
      const name = splitter.dataset.split;
      const { min, max } = splitRange(name, this.sizes, box);
      splitter.setAttribute("aria-valuemin", String(min));
      splitter.setAttribute("aria-valuemax", String(max));
      splitter.setAttribute("aria-valuenow", String(this.sizes[name]));
      splitter.setAttribute("aria-valuetext", fmt(gettext("%(size)s pixels"), { size: this.sizes[name] }));
    }
  }

  /** Set one size (clamped), apply it and keep it for the next visit. */
  set(name, value) {
    if (!this.sizes) return;
    const { min, max } = splitRange(name, this.sizes, this.box());
    this.sizes = { ...this.sizes, [name]: clamp(Math.round(value), min, max) };
    this.write();
    try {
      this.storage?.setItem(STORAGE_KEY, JSON.stringify(this.sizes));
    } catch {
      // Storage may be denied; the sizes then last for this page only.
    }
    this.root.dispatchEvent(new CustomEvent("panes-resize", { detail: { ...this.sizes } }));
  }

  wire(splitter) {
    const name = splitter.dataset.split;
    splitter.addEventListener("keydown", (event) => {
      if (!this.sizes) return;
      const next = keyedSize(this.sizes[name], event.key, splitRange(name, this.sizes, this.box()),
        { shift: event.shiftKey });
      if (next === null) return;
      event.preventDefault();
      this.set(name, next);
    });
    splitter.addEventListener("pointerdown", (event) => {
      if (!this.sizes || event.button !== 0) return;
      event.preventDefault();
      splitter.setPointerCapture(event.pointerId);
      const vertical = splitter.getAttribute("aria-orientation") === "vertical";
      const start = vertical ? event.clientX : event.clientY;
      const initial = this.sizes[name];
      this.root.classList.add("panes--dragging");
      const move = (e) => this.set(name, initial + (vertical ? e.clientX : e.clientY) - start);
      const end = () => {
        splitter.removeEventListener("pointermove", move);
        splitter.removeEventListener("pointerup", end);
        splitter.removeEventListener("pointercancel", end);
        this.root.classList.remove("panes--dragging");
      };
      splitter.addEventListener("pointermove", move);
      splitter.addEventListener("pointerup", end);
      splitter.addEventListener("pointercancel", end);
    });
  }
}

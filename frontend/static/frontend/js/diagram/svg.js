// Small SVG helpers: create elements, and change attributes, classes and text only when they differ. The last
// value written is remembered per element, so the comparison never reads the DOM back (getAttribute on every
// pod, dot and line of every batch cost more than the writes it saved).

export const SVG_NS = "http://www.w3.org/2000/svg";

/** Create an SVG element with attributes, appended to `parent` when given. */
export function el(name, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (parent) parent.appendChild(node);
  return node;
}

const written = new WeakMap();

function changed(node, name, text) {
  let values = written.get(node);
  if (!values) {
    values = new Map();
    written.set(node, values);
  }
  if (values.get(name) === text) return false;
  values.set(name, text);
  return true;
}

/** Set an attribute unless this helper already wrote the same value (write attributes you share with DOM APIs directly). */
export function setAttr(node, name, value) {
  const text = String(value);
  if (changed(node, name, text)) node.setAttribute(name, text);
}

export function setClass(node, value) {
  if (changed(node, "class", value)) node.setAttribute("class", value);
}

export function setText(node, value) {
  const text = String(value);
  if (changed(node, "#text", text)) node.textContent = text;
}

export function translate(node, x, y) {
  setAttr(node, "transform", `translate(${Math.round(x)},${Math.round(y)})`);
}

/**
 * Make `node` a selectable diagram item: focusable, announced as a button with `label`, and carrying the
 * selection it stands for (the diagram listens once, on the root, for clicks and Enter/Space).
 */
export function selectable(node, type, key, label) {
  node.setAttribute("tabindex", "0");
  node.setAttribute("role", "button");
  node.dataset.select = type;
  node.dataset.key = key;
  setAttr(node, "aria-label", label);
}

// Text alternatives for the diagram: a live list of components and objects with their state (each item opens
// the same details as the diagram), and a polite announcer for the changes that matter.
import { h } from "./dom.js";
import { fmt, gettext, ngettext } from "./i18n.js";
import { COMPONENTS } from "./diagram/control-plane.js";
import { formatEndpoints, nodeStatus, podStatus } from "./status.js";

const LISTED_KINDS = ["Node", "Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "Service"];

function endpointsOf(service, view) {
  return view.ofKind("Endpoints").find((e) => e.metadata.name === service.metadata.name
    && (e.metadata.namespace || "default") === (service.metadata.namespace || "default"));
}

/** One line of the text alternative, in kubectl's words (STATUS, READY, RESTARTS, ENDPOINTS). */
export function describe(obj, view) {
  if (obj.kind === "Pod") {
    const s = podStatus(obj);
    const text = fmt(gettext("Pod %(name)s: %(status)s, ready %(ready)s, on %(node)s"), {
      name: obj.metadata.name, status: s.reason, ready: s.ready, node: obj.spec?.nodeName || gettext("no node yet") });
    return s.restarts ? `${text}, ${fmt(gettext("restarts %(count)s"), { count: s.restarts })}` : text;
  }
  if (obj.kind === "Service") {
    return fmt(gettext("Service %(name)s (%(type)s), endpoints %(endpoints)s"), { name: obj.metadata.name,
      type: obj.spec?.type || "ClusterIP", endpoints: formatEndpoints(endpointsOf(obj, view)) });
  }
  if (obj.kind === "Node") return fmt(gettext("Node %(name)s: %(status)s"), { name: obj.metadata.name, status: nodeStatus(obj).text });
  const replicas = obj.spec?.replicas;
  return replicas === undefined ? `${obj.kind} ${obj.metadata.name}`
    : fmt(gettext("%(kind)s %(name)s: %(ready)s of %(replicas)s ready"), { kind: obj.kind, name: obj.metadata.name,
      ready: obj.status?.readyReplicas || 0, replicas });
}

export class TextAlternative {
  /** `list`: a <ul>; `onSelect(selection)` opens the details of an item. */
  constructor(list, onSelect) {
    this.list = list;
    this.onSelect = onSelect;
    this.items = new Map();
    this.components = new Map();
    this.groups = new Map();
    for (const kind of ["component", ...LISTED_KINDS]) {
      const ul = h("ul", {});
      const li = h("li", { class: "alt-group" }, h("span", { class: "alt-group-title" }, groupTitle(kind)), ul);
      this.groups.set(kind, { li, ul });
      list.append(li);
    }
    for (const name of COMPONENTS) {
      const button = h("button", { type: "button", class: "link", onclick: () => onSelect({ type: "component", key: name }) }, name);
      const state = h("span", {});
      const li = h("li", {}, button, " ", state);
      this.components.set(name, state);
      this.groups.get("component").ul.append(li);
    }
  }

  /** Update the list from a view and a diff (null: everything). */
  render(view, diff) {
    const components = view.sandbox?.components || {};
    for (const [name, state] of this.components) {
      const text = components[name] === false ? gettext("stopped") : gettext("running");
      if (state.textContent !== text) state.textContent = text;
    }
    const full = !diff || diff.reset;
    const keys = full ? [...view.objects.keys()] : [...diff.added, ...diff.modified];
    if (!full) {
      // A Service's line shows its Endpoints: an Endpoints change rewrites the line of its Service.
      for (const key of [...keys]) {
        const obj = view.get(key);
        if (obj?.kind !== "Endpoints") continue;
        const service = view.ofKind("Service").find((svc) => svc.metadata.name === obj.metadata.name
          && svc.metadata.namespace === obj.metadata.namespace);
        if (service) keys.push(service.metadata.uid);
      }
    }
    const deleted = full ? [...this.items.keys()].filter((k) => !view.objects.has(k)) : diff.deleted;
    for (const key of deleted) {
      this.items.get(key)?.remove();
      this.items.delete(key);
    }
    for (const key of keys) {
      const obj = view.get(key);
      if (!obj || !this.groups.has(obj.kind)) continue;
      let li = this.items.get(key);
      if (!li) {
        li = h("li", {}, h("button", { type: "button", class: "link", onclick: () => this.onSelect({ type: "object", key }) }, ""));
        this.items.set(key, li);
        this.groups.get(obj.kind).ul.append(li);
      }
      const text = describe(obj, view);
      const button = li.firstChild;
      if (button.textContent !== text) button.textContent = text;
    }
    for (const [kind, { li, ul }] of this.groups) li.hidden = kind !== "component" && !ul.childElementCount;
  }
}

function groupTitle(kind) {
  switch (kind) {
    case "component": return gettext("Control plane");
    case "Node": return gettext("Nodes");
    case "Pod": return gettext("Pods");
    case "Service": return gettext("Services");
    case "Deployment": return gettext("Deployments");
    case "ReplicaSet": return gettext("ReplicaSets");
    case "StatefulSet": return gettext("StatefulSets");
    case "DaemonSet": return gettext("DaemonSets");
    case "Job": return gettext("Jobs");
    default: return kind;
  }
}

/** Announces important changes in an aria-live region, at most one message per interval. */
export class Announcer {
  constructor(region, { interval = 1500 } = {}) {
    this.region = region;
    this.interval = interval;
    this.pending = [];
    this.timer = null;
    this.nodeStates = new Map();
    this.podStates = new Map();
  }

  say(text) {
    this.pending.push(text);
    if (!this.timer) this.timer = setTimeout(() => this.flush(), 200);
  }

  flush() {
    const messages = this.pending.splice(0);
    this.timer = null;
    if (!messages.length) return;
    const text = messages.length > 4
      ? `${messages.slice(0, 3).join(". ")}. ${fmt(ngettext("and %(count)s more change", "and %(count)s more changes", messages.length - 3), { count: messages.length - 3 })}`
      : messages.join(". ");
    this.region.textContent = text;
    this.timer = setTimeout(() => { this.timer = null; if (this.pending.length) this.flush(); }, this.interval);
  }

  /** Watch a diff for node readiness flips, pods appearing, failing or going away. */
  observe(view, diff) {
    if (!diff || diff.reset) {
      for (const obj of view.objects.values()) this.remember(obj);
      return;
    }
    for (const key of diff.added) {
      const obj = view.get(key);
      if (obj?.kind === "Pod") this.say(fmt(gettext("Pod %(name)s created"), { name: obj.metadata.name }));
      this.remember(obj);
    }
    for (const key of diff.modified) {
      const obj = view.get(key);
      if (!obj) continue;
      if (obj.kind === "Node") {
        const state = nodeStatus(obj).text;
        if (this.nodeStates.get(key) !== state) this.say(fmt(gettext("Node %(name)s is now %(status)s"), { name: obj.metadata.name, status: state }));
      } else if (obj.kind === "Pod") {
        const s = podStatus(obj);
        if (this.podStates.get(key) !== s.state && (s.state === "failed" || s.state === "running")) {
          this.say(fmt(gettext("Pod %(name)s: %(status)s"), { name: obj.metadata.name, status: s.reason }));
        }
      }
      this.remember(obj);
    }
    for (const key of diff.deleted) {
      const obj = diff.deletedObjects.get(key);
      if (obj?.kind === "Pod") this.say(fmt(gettext("Pod %(name)s deleted"), { name: obj.metadata.name }));
      this.nodeStates.delete(key);
      this.podStates.delete(key);
    }
  }

  remember(obj) {
    if (!obj) return;
    if (obj.kind === "Node") this.nodeStates.set(obj.metadata.uid, nodeStatus(obj).text);
    if (obj.kind === "Pod") this.podStates.set(obj.metadata.uid, podStatus(obj).state);
  }
}

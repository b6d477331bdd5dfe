// Services, drawn in front of the pods that are their endpoints, with a line to each endpoint.
import { fmt, gettext, ngettext } from "../i18n.js";
import { ellipsize, serviceLayout } from "../layout.js";
import { podStatus, readyEndpointCount, selectorMatches } from "../status.js";
import { el, selectable, setAttr, setClass, setText, translate } from "./svg.js";

/** The pods a Service sends traffic to: from its Endpoints object when there is one, else by its selector. */
export function endpointPods(service, view, podsByNamespace) {
  const namespace = service.metadata.namespace || "default";
  const endpoints = view.ofKindIndex?.get(`Endpoints/${namespace}/${service.metadata.name}`);
  if (endpoints) {
    const uids = new Set();
    for (const subset of endpoints.subsets || []) {
      for (const address of [...(subset.addresses || []), ...(subset.notReadyAddresses || [])]) {
        if (address.targetRef?.uid) uids.add(address.targetRef.uid);
      }
    }
    return [...uids].map((uid) => view.get(uid)).filter(Boolean);
  }
  if (!service.spec?.selector) return [];
  return (podsByNamespace.get(namespace) || []).filter((pod) => selectorMatches(service.spec.selector, pod.metadata.labels));
}

class ServiceBox {
  constructor(parent, service) {
    this.g = el("g", { class: "service" }, parent);
    el("rect", { width: 180, height: 40, rx: 20 }, this.g);
    this.name = el("text", { class: "service-name", x: 16, y: 17 }, this.g);
    this.detail = el("text", { class: "service-detail", x: 16, y: 31 }, this.g);
    selectable(this.g, "object", service.metadata.uid, service.metadata.name);
  }

  update(service, endpointCount) {
    setText(this.name, ellipsize(service.metadata.name, 22));
    const ports = (service.spec?.ports || []).map((p) => p.port).join(",");
    setText(this.detail, ellipsize(`${service.spec?.type || "ClusterIP"} ${ports} · ${fmt(ngettext("%(count)s endpoint", "%(count)s endpoints", endpointCount), { count: endpointCount })}`, 30));
    setClass(this.g, `service${endpointCount ? "" : " service--no-endpoints"}`);
    setAttr(this.g, "aria-label", `${gettext("Service")} ${service.metadata.name}: ${fmt(ngettext("%(count)s endpoint", "%(count)s endpoints", endpointCount), { count: endpointCount })}`);
  }
}

/** The band of Services and, in a layer above the nodes, their endpoint lines. */
export class ServiceLayer {
  constructor(parent, linesParent) {
    this.g = el("g", { class: "services" }, parent);
    this.title = el("text", { class: "band-title", x: 20, y: 0 }, this.g);
    this.title.textContent = gettext("Services and their endpoints");
    this.lines = el("g", { class: "endpoint-lines" }, linesParent);
    this.boxes = new Map();
    this.layout = new Map();
    this.lineEls = new Map();
    this.endpoints = new Map();
    this.selected = null;
  }

  /** Place and update the Service boxes from `top`; returns the band's bottom. */
  sync(view, top) {
    const services = [...view.ofKind("Service")].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    if (!services.length) {
      setClass(this.title, "band-title hidden");
      for (const box of this.boxes.values()) box.g.remove();
      this.boxes.clear();
      this.layout = new Map();
      this.endpoints = new Map();
      return top;
    }
    setClass(this.title, "band-title");
    translate(this.title, 0, top + 12);
    const podsByNamespace = new Map();
    for (const pod of view.ofKind("Pod")) {
      const ns = pod.metadata.namespace || "default";
      if (!podsByNamespace.has(ns)) podsByNamespace.set(ns, []);
      podsByNamespace.get(ns).push(pod);
    }
    const index = new Map();
    for (const ep of view.ofKind("Endpoints")) index.set(`Endpoints/${ep.metadata.namespace || "default"}/${ep.metadata.name}`, ep);
    const lookup = { ofKindIndex: index, get: (uid) => view.get(uid) };
    const { boxes, bottom } = serviceLayout(services.map((s) => s.metadata.uid), top + 20);
    this.layout = boxes;
    this.endpoints = new Map();
    this.byName = new Map(services.map((s) => [`${s.metadata.namespace || "default"}/${s.metadata.name}`, s.metadata.uid]));
    const seen = new Set();
    for (const service of services) {
      const uid = service.metadata.uid;
      seen.add(uid);
      let box = this.boxes.get(uid);
      if (!box) {
        box = new ServiceBox(this.g, service);
        this.boxes.set(uid, box);
      }
      const pods = endpointPods(service, lookup, podsByNamespace);
      this.endpoints.set(uid, pods);
      // The count is kubectl's: the ready addresses of the Service's Endpoints, pods or not (the `kubernetes`
      // Service's endpoint is the API server's own address); lines go to the pods among them.
      const endpoints = index.get(`Endpoints/${service.metadata.namespace || "default"}/${service.metadata.name}`);
      box.update(service, readyEndpointCount(endpoints));
      const b = boxes.get(uid);
      translate(box.g, b.x, b.y);
    }
    for (const [uid, box] of this.boxes) {
      if (!seen.has(uid)) {
        box.g.remove();
        this.boxes.delete(uid);
      }
    }
    return bottom;
  }

  /** Draw one line per (Service, endpoint pod) to the pod's position; `podCenter(uid)` gives it or null. */
  drawLines(podCenter) {
    const seen = new Set();
    for (const [uid, pods] of this.endpoints) {
      const box = this.layout.get(uid);
      if (!box) continue;
      const x1 = Math.round(box.x + box.w / 2);
      const y1 = Math.round(box.y + box.h);
      for (const pod of pods) {
        const centre = podCenter(pod.metadata.uid);
        if (!centre) continue;
        const key = `${uid}|${pod.metadata.uid}`;
        seen.add(key);
        let line = this.lineEls.get(key);
        if (!line) {
          line = el("path", {}, this.lines);
          this.lineEls.set(key, line);
        }
        setAttr(line, "d", `M${x1},${y1} L${Math.round(centre.x)},${Math.round(centre.y)}`);
        const ready = podStatus(pod).state === "running";
        const active = this.selected === uid ? " endpoint-line--active" : "";
        setClass(line, `endpoint-line${ready ? "" : " endpoint-line--not-ready"}${active}`);
      }
    }
    for (const [key, line] of this.lineEls) {
      if (!seen.has(key)) {
        line.remove();
        this.lineEls.delete(key);
      }
    }
  }

  /** The top centre of the box of Service `namespace/name` (where an Ingress line ends), or null. */
  serviceTop(key) {
    const box = this.layout.get(this.byName?.get(key));
    return box ? { x: box.x + box.w / 2, y: box.y } : null;
  }

  /** Emphasise the lines of the selected Service (or none). */
  select(uid) {
    this.selected = uid;
    for (const [key, line] of this.lineEls) line.classList.toggle("endpoint-line--active", key.startsWith(`${uid}|`));
  }
}

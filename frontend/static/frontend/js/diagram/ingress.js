// Ingresses, drawn in a band in front of the Services they route to, with a line to each backend Service.
// No ingress controller runs in a sandbox (as on a bare kubeadm cluster): an Ingress without an address is shown
// as such, and a rule naming a Service that does not exist has a dangling mark.
import { fmt, gettext, ngettext } from "../i18n.js";
import { ellipsize, serviceLayout } from "../layout.js";
import { el, selectable, setAttr, setClass, setText, translate } from "./svg.js";

/** The Service names an Ingress routes to (its default backend first, then its rules' paths), each once. */
export function ingressBackends(ingress) {
  const names = [];
  const add = (backend) => {
    const name = backend?.service?.name;
    if (name && !names.includes(name)) names.push(name);
  };
  add(ingress.spec?.defaultBackend);
  for (const rule of ingress.spec?.rules || []) for (const path of rule.http?.paths || []) add(path.backend);
  return names;
}

/** The hosts of an Ingress as `kubectl get ingress` shows them (`*` when no rule names one). */
export function ingressHosts(ingress) {
  const hosts = (ingress.spec?.rules || []).map((rule) => rule.host).filter(Boolean);
  return hosts.length ? hosts.join(",") : "*";
}

/** The addresses an ingress controller published (none in a sandbox). */
export function ingressAddress(ingress) {
  return (ingress.status?.loadBalancer?.ingress || []).map((entry) => entry.ip || entry.hostname).filter(Boolean).join(",");
}

class IngressBox {
  constructor(parent, ingress) {
    this.g = el("g", { class: "ingress" }, parent);
    el("rect", { width: 180, height: 40, rx: 4 }, this.g);
    this.name = el("text", { class: "ingress-name", x: 12, y: 17 }, this.g);
    this.detail = el("text", { class: "ingress-detail", x: 12, y: 31 }, this.g);
    selectable(this.g, "object", ingress.metadata.uid, ingress.metadata.name);
  }

  update(ingress, missing) {
    const address = ingressAddress(ingress);
    setText(this.name, ellipsize(`${gettext("Ingress")} ${ingress.metadata.name}`, 24));
    setText(this.detail, ellipsize(`${ingressHosts(ingress)} · ${address || gettext("no address")}`, 30));
    const states = ["ingress"];
    if (!address) states.push("ingress--no-address");
    if (missing) states.push("ingress--missing-backend");
    setClass(this.g, states.join(" "));
    const label = address ? fmt(gettext("Ingress %(name)s at %(address)s"), { name: ingress.metadata.name, address })
      : fmt(gettext("Ingress %(name)s, no address (no ingress controller)"), { name: ingress.metadata.name });
    const backends = missing ? ` ${fmt(ngettext("%(count)s backend Service is missing", "%(count)s backend Services are missing", missing), { count: missing })}` : "";
    setAttr(this.g, "aria-label", label + backends);
  }
}

/** The band of Ingresses, above the Services band; lines from each Ingress to its backend Services. */
export class IngressLayer {
  constructor(parent, linesParent) {
    this.g = el("g", { class: "ingresses" }, parent);
    this.title = el("text", { class: "band-title hidden", x: 20, y: 0 }, this.g);
    this.title.textContent = gettext("Ingresses: HTTP routes into the Services");
    this.lines = el("g", { class: "ingress-lines" }, linesParent);
    this.boxes = new Map();
    this.layout = new Map();
    this.routes = new Map(); // ingress uid -> [namespace/service name]
    this.lineEls = new Map();
  }

  /** Place and update the Ingress boxes from `top`; returns the band's bottom (`top` when there is none). */
  sync(view, top) {
    const ingresses = [...view.ofKind("Ingress")].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    if (!ingresses.length) {
      setClass(this.title, "band-title hidden");
      for (const box of this.boxes.values()) box.g.remove();
      this.boxes.clear();
      this.layout = new Map();
      this.routes = new Map();
      return top;
    }
    setClass(this.title, "band-title");
    translate(this.title, 0, top + 12);
    const services = new Set([...view.ofKind("Service")].map((s) => `${s.metadata.namespace || "default"}/${s.metadata.name}`));
    const { boxes, bottom } = serviceLayout(ingresses.map((i) => i.metadata.uid), top + 20);
    this.layout = boxes;
    this.routes = new Map();
    const seen = new Set();
    for (const ingress of ingresses) {
      const uid = ingress.metadata.uid;
      seen.add(uid);
      let box = this.boxes.get(uid);
      if (!box) {
        box = new IngressBox(this.g, ingress);
        this.boxes.set(uid, box);
      }
      const namespace = ingress.metadata.namespace || "default";
      const targets = ingressBackends(ingress).map((name) => `${namespace}/${name}`);
      this.routes.set(uid, targets);
      box.update(ingress, targets.filter((key) => !services.has(key)).length);
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

  /** Draw one line per (Ingress, backend Service); `serviceTop(key)` gives the Service box's top centre or null. */
  drawLines(serviceTop) {
    const seen = new Set();
    for (const [uid, targets] of this.routes) {
      const box = this.layout.get(uid);
      if (!box) continue;
      for (const target of targets) {
        const end = serviceTop(target);
        if (!end) continue;
        const key = `${uid}|${target}`;
        seen.add(key);
        let line = this.lineEls.get(key);
        if (!line) {
          line = el("path", { class: "ingress-line" }, this.lines);
          this.lineEls.set(key, line);
        }
        setAttr(line, "d", `M${Math.round(box.x + box.w / 2)},${Math.round(box.y + box.h)} L${Math.round(end.x)},${Math.round(end.y)}`);
      }
    }
    for (const [key, line] of this.lineEls) {
      if (!seen.has(key)) {
        line.remove();
        this.lineEls.delete(key);
      }
    }
  }
}

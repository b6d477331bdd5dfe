// A worker node: its kubelet, kube-proxy and container runtime, its Ready state and the pods it runs.
import { gettext } from "../i18n.js";
import { CELL_WIDTH, SlotAllocator, ellipsize, nodeHeight } from "../layout.js";
import { nodeStatus } from "../status.js";
import { el, selectable, setAttr, setClass, setText, translate } from "./svg.js";

const CHIP_WIDTH = (CELL_WIDTH - 20 - 12) / 3;

export class NodeView {
  constructor(parent, node) {
    this.uid = node.metadata.uid;
    this.name = node.metadata.name;
    this.slots = new SlotAllocator();
    this.g = el("g", { class: "node" }, parent);
    this.g.dataset.uid = this.uid;
    this.frame = el("rect", { class: "node-frame", width: CELL_WIDTH, height: nodeHeight(0), rx: 10 }, this.g);
    this.header = el("g", { class: "node-header" }, this.g);
    this.title = el("text", { class: "node-name", x: 10, y: 18 }, this.header);
    this.statusText = el("text", { class: "node-status", x: CELL_WIDTH - 10, y: 18 }, this.header);
    selectable(this.header, "node", this.uid, this.name);
    this.chips = new Map();
    [["kubelet", `kubelet/${this.name}`], ["kube-proxy", `kube-proxy/${this.name}`],
      ["runtime", `runtime/${this.name}`]].forEach(([label, component], i) => {
      const chip = el("g", { class: "chip", transform: `translate(${10 + i * (CHIP_WIDTH + 6)},28)` }, this.g);
      el("rect", { width: CHIP_WIDTH, height: 22, rx: 5 }, chip);
      el("text", { x: 7, y: 15 }, chip).textContent = label === "runtime" ? "containerd" : label;
      selectable(chip, "component", component, `${label} (${this.name})`);
      this.chips.set(component, { chip, x: 10 + i * (CHIP_WIDTH + 6), label });
    });
    this.pods = el("g", { class: "node-pods" }, this.g);
    this.box = { x: 0, y: 0, w: CELL_WIDTH, h: nodeHeight(0) };
    this.state = "";
  }

  /** Reflect the Node object and the state of its components. */
  update(node, components) {
    this.name = node.metadata.name;
    const status = nodeStatus(node);
    const cutOff = components?.[`kubelet/${this.name}`] === false;
    this.state = status.state;
    setClass(this.g, `node node--${status.state}${status.cordoned ? " node--cordoned" : ""}${cutOff ? " node--cut-off" : ""}`);
    setText(this.title, ellipsize(this.name, 22));
    const icon = status.state === "ready" ? "✓" : "⚠";
    setText(this.statusText, `${icon} ${status.text}`);
    setAttr(this.header, "aria-label", `${this.name}: ${status.text}`);
    for (const [component, { chip, label }] of this.chips) {
      const running = components?.[component] !== false;
      setClass(chip, `chip ${running ? "component--running" : "component--stopped"}`);
      setAttr(chip, "aria-label", `${label} (${this.name}): ${running ? gettext("running") : gettext("stopped")}`);
    }
  }

  /** Position the node in the grid; its height follows the number of pod slots in use. */
  place(box) {
    this.box = box;
    translate(this.g, box.x, box.y);
    setAttr(this.frame, "height", box.h);
  }

  /** Height the node needs for its pods. */
  neededHeight() {
    return nodeHeight(this.slots.extent);
  }

  /** Box of a component chip in diagram coordinates (for flows). */
  chipBox(component) {
    const chip = this.chips.get(component);
    if (!chip) return null;
    return { x: this.box.x + chip.x, y: this.box.y + 28, w: CHIP_WIDTH, h: 22 };
  }

  remove() {
    this.g.remove();
  }
}

// Geometry of the architecture diagram (SVG user units): bands for the control plane, workloads, services and
// a grid of nodes; stable pod slots inside nodes. Pure, so it is unit-tested and cheap to recompute.

export const WIDTH = 1200;
export const MARGIN = 16;
export const GAP = 14;

/**
 * Control-plane band: the client (kubectl), the four components and the scheduling queue, with the lanes the
 * flows travel in above the boxes (one per kind of flow, so no two arrows share a line or cross a box).
 */
export const CONTROL_PLANE = {
  y: 12,
  height: 160,
  boxes: {
    kubectl: { x: 24, y: 110, w: 112, h: 52 },
    "kube-apiserver": { x: 176, y: 110, w: 196, h: 52 },
    etcd: { x: 412, y: 110, w: 112, h: 52 },
    "kube-scheduler": { x: 560, y: 110, w: 170, h: 52 },
    "kube-controller-manager": { x: 760, y: 110, w: 220, h: 52 },
    queue: { x: 1010, y: 110, w: 174, h: 52 },
  },
};

/**
 * The flows' lanes: `y` of the horizontal run above the boxes and `entry`, where the arrow meets the API server's
 * top edge. Requests go to the API server (solid), watch events come from it (dashed).
 */
export const LANES = {
  "request:user": { y: 42, entry: 190 },
  "request:kubelet": { y: 51, entry: 206 },
  "request:proxy": { y: 60, entry: 222 },
  "request:controller": { y: 69, entry: 356 },
  "request:scheduler": { y: 78, entry: 340 },
  "watch:controller": { y: 87, entry: 322 },
  "watch:scheduler": { y: 96, entry: 306 },
  "watch:kubelet": { y: 105, entry: 238 },
};
/** The vertical run left of every card that flows to and from the nodes take (x), and its offset for watches. */
export const BUS_X = 6;

/**
 * The path of one flow as points: between the API server and `box` (a control-plane box, or a node's chip with
 * `node`, the node's box), in lane `lane` (a key of LANES), towards the API server for a request or away from it
 * for a watch event. Every run is horizontal or vertical; a node's flow leaves its node upwards inside the node's
 * left padding, crosses the gap above its row to the bus left of every card, and climbs it to its lane. Pure.
 */
export function routeFlow(lane, box, { node = null, api = CONTROL_PLANE.boxes["kube-apiserver"] } = {}) {
  const { y, entry } = LANES[lane];
  const towardApi = lane.startsWith("request:");
  let points;
  if (node) {
    const inside = node.x + 5;
    const gapY = node.y - 6;
    const busX = BUS_X + (towardApi ? 0 : 3);
    points = [{ x: box.x, y: box.y + box.h / 2 }, { x: inside, y: box.y + box.h / 2 }, { x: inside, y: gapY },
      { x: busX, y: gapY }, { x: busX, y }, { x: entry, y }, { x: entry, y: api.y }];
  } else {
    // Into the box's top at an x of its own: requests left of its centre, watch events right of it.
    const x = box.x + box.w / 2 + (towardApi ? -10 : 10);
    points = [{ x, y: box.y }, { x, y }, { x: entry, y }, { x: entry, y: api.y }];
  }
  return towardApi ? points : points.reverse();
}

/** An SVG path for points. Pure. */
export function pathOf(points) {
  return points.map((p, i) => `${i ? "L" : "M"}${Math.round(p.x)},${Math.round(p.y)}`).join(" ");
}

/** Where a flow's label goes: above the middle of its longest horizontal run. Pure. */
export function labelPoint(points) {
  let best = null;
  for (let i = 1; i < points.length; i += 1) {
    const [a, b] = [points[i - 1], points[i]];
    if (a.y !== b.y) continue;
    const length = Math.abs(b.x - a.x);
    if (!best || length > best.length) best = { length, x: (a.x + b.x) / 2, y: a.y - 2.5 };
  }
  return best ? { x: best.x, y: best.y } : { x: points[0].x, y: points[0].y };
}

export const GRID_COLUMNS = 4;
export const CELL_WIDTH = (WIDTH - 2 * MARGIN - (GRID_COLUMNS - 1) * GAP) / GRID_COLUMNS;

export const NODE = {
  header: 62, // name, status and the kubelet / kube-proxy / runtime row
  pad: 10,
  podWidth: (CELL_WIDTH - 2 * 10 - 6) / 2,
  podHeight: 32,
  podGap: 6,
  perRow: 2,
  minPodRows: 1,
};

/** Where pod slot `slot` sits inside its node group. */
export function podOffset(slot) {
  const column = slot % NODE.perRow;
  const row = Math.floor(slot / NODE.perRow);
  return {
    x: NODE.pad + column * (NODE.podWidth + NODE.podGap),
    y: NODE.header + row * (NODE.podHeight + NODE.podGap),
  };
}

/** Height of a node box holding `slots` pod slots. */
export function nodeHeight(slots) {
  const rows = Math.max(NODE.minPodRows, Math.ceil(slots / NODE.perRow));
  return NODE.header + rows * (NODE.podHeight + NODE.podGap) + NODE.pad - NODE.podGap;
}

/**
 * Lay `items` ([{key, height}]) out in a grid of GRID_COLUMNS cells starting at `top`; each row is as tall as
 * its tallest item. Returns {boxes: Map key -> {x, y, w, h}, bottom}.
 */
export function gridLayout(items, top, { columns = GRID_COLUMNS, width = CELL_WIDTH } = {}) {
  const boxes = new Map();
  let y = top;
  for (let start = 0; start < items.length; start += columns) {
    const row = items.slice(start, start + columns);
    const rowHeight = Math.max(...row.map((item) => item.height));
    row.forEach((item, i) => {
      boxes.set(item.key, { x: MARGIN + i * (width + GAP), y, w: width, h: item.height });
    });
    y += rowHeight + GAP;
  }
  return { boxes, bottom: items.length ? y - GAP : top };
}

export const HEIGHT_STEP = 120;

/**
 * The diagram's height for content reaching `bottom`, rounded up to a step: a pod more or less rarely changes
 * the height, and a changed height makes the browser lay the whole page out again.
 */
export function diagramHeight(bottom) {
  return Math.max(HEIGHT_STEP, Math.ceil(bottom / HEIGHT_STEP) * HEIGHT_STEP);
}

/** Stable slots: each key keeps its slot until released, new keys take the lowest free one. */
export class SlotAllocator {
  constructor() {
    this.slots = new Map();
    this.free = [];
    this.next = 0;
  }

  assign(key) {
    let slot = this.slots.get(key);
    if (slot !== undefined) return slot;
    if (this.free.length) {
      this.free.sort((a, b) => a - b);
      slot = this.free.shift();
    } else {
      slot = this.next;
      this.next += 1;
    }
    this.slots.set(key, slot);
    return slot;
  }

  release(key) {
    const slot = this.slots.get(key);
    if (slot === undefined) return;
    this.slots.delete(key);
    this.free.push(slot);
    // Shrink when the highest slots are free, so an emptied node gets smaller again.
    while (this.next > 0 && this.free.includes(this.next - 1)) {
      this.free.splice(this.free.indexOf(this.next - 1), 1);
      this.next -= 1;
    }
  }

  /** Number of slots the node must show room for. */
  get extent() {
    return this.next;
  }
}

/** Workload cards: a controller and, inside, one row of pod marks per owned ReplicaSet (or one row). */
export const WORKLOAD = { header: 24, rowHeader: 16, dot: 9, dotsPerRow: 26, pad: 8 };

export function workloadRowHeight(podCount) {
  return WORKLOAD.rowHeader + Math.max(1, Math.ceil(podCount / WORKLOAD.dotsPerRow)) * WORKLOAD.dot + 4;
}

/** Height of a workload card with rows of the given pod counts. */
export function workloadHeight(rowPodCounts) {
  const rows = rowPodCounts.length ? rowPodCounts : [0];
  return WORKLOAD.header + rows.reduce((sum, n) => sum + workloadRowHeight(n), 0) + WORKLOAD.pad;
}

/** Offset of pod mark `index` inside a workload row. */
export function dotOffset(index) {
  return {
    x: WORKLOAD.pad + (index % WORKLOAD.dotsPerRow) * WORKLOAD.dot,
    y: WORKLOAD.rowHeader + Math.floor(index / WORKLOAD.dotsPerRow) * WORKLOAD.dot,
  };
}

/** Pods waiting for a node: named chips in rows under the control plane, at most `max` drawn. */
export const WAITING = { width: 220, height: 38, columns: 5, max: 15 };

/** Waiting-pod chips in rows of WAITING.columns from `top`: {boxes: Map key -> box, bottom}. Pure. */
export function waitingLayout(keys, top) {
  const gap = (WIDTH - 2 * MARGIN - WAITING.columns * WAITING.width) / (WAITING.columns - 1);
  const boxes = new Map();
  keys.forEach((key, i) => {
    const column = i % WAITING.columns;
    const row = Math.floor(i / WAITING.columns);
    boxes.set(key, { x: MARGIN + column * (WAITING.width + gap), y: top + row * (WAITING.height + 8),
      w: WAITING.width, h: WAITING.height });
  });
  const rows = Math.ceil(keys.length / WAITING.columns);
  return { boxes, bottom: rows ? top + rows * (WAITING.height + 8) - 8 : top };
}

export const SERVICE = { width: 180, height: 40, columns: 6 };

/** Service boxes in rows of SERVICE.columns from `top`. */
export function serviceLayout(keys, top) {
  const gap = (WIDTH - 2 * MARGIN - SERVICE.columns * SERVICE.width) / (SERVICE.columns - 1);
  const boxes = new Map();
  keys.forEach((key, i) => {
    const column = i % SERVICE.columns;
    const row = Math.floor(i / SERVICE.columns);
    boxes.set(key, { x: MARGIN + column * (SERVICE.width + gap), y: top + row * (SERVICE.height + GAP),
      w: SERVICE.width, h: SERVICE.height });
  });
  const rows = Math.ceil(keys.length / SERVICE.columns);
  return { boxes, bottom: rows ? top + rows * (SERVICE.height + GAP) - GAP : top };
}

/** Centre of a box, or the middle of one of its edges. */
export function anchor(box, side = "center") {
  switch (side) {
    case "top": return { x: box.x + box.w / 2, y: box.y };
    case "bottom": return { x: box.x + box.w / 2, y: box.y + box.h };
    case "left": return { x: box.x, y: box.y + box.h / 2 };
    case "right": return { x: box.x + box.w, y: box.y + box.h / 2 };
    default: return { x: box.x + box.w / 2, y: box.y + box.h / 2 };
  }
}

/** Shorten text to `max` characters with an ellipsis (SVG text does not wrap). */
export function ellipsize(text, max) {
  const value = String(text ?? "");
  return value.length <= max ? value : `${value.slice(0, Math.max(1, max - 1))}…`;
}

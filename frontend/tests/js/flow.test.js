import assert from "node:assert/strict";
import { test } from "node:test";

import { planFlows, watcherOf } from "../../static/frontend/js/diagram/flow.js";
import { CONTROL_PLANE, LANES, labelPoint, routeFlow } from "../../static/frontend/js/layout.js";

const api = CONTROL_PLANE.boxes["kube-apiserver"];
const boxes = Object.entries(CONTROL_PLANE.boxes);

/** Does the segment a-b (horizontal or vertical) pass through the inside of `box`? */
function crosses([a, b], box) {
  const [x1, x2] = [Math.min(a.x, b.x), Math.max(a.x, b.x)];
  const [y1, y2] = [Math.min(a.y, b.y), Math.max(a.y, b.y)];
  return x2 > box.x + 1 && x1 < box.x + box.w - 1 && y2 > box.y + 1 && y1 < box.y + box.h - 1;
}

const segments = (points) => points.slice(1).map((p, i) => [points[i], p]);

test("every control-plane flow runs in its own lane, at right angles, and crosses no box", () => {
  const lanes = [["request:user", "kubectl"], ["request:scheduler", "kube-scheduler"],
    ["request:controller", "kube-controller-manager"], ["watch:scheduler", "kube-scheduler"],
    ["watch:controller", "kube-controller-manager"]];
  for (const [lane, name] of lanes) {
    const points = routeFlow(lane, CONTROL_PLANE.boxes[name]);
    for (const [a, b] of segments(points)) assert.ok(a.x === b.x || a.y === b.y, `${lane} has a slanted run`);
    for (const [boxName, box] of boxes) {
      for (const segment of segments(points)) assert.ok(!crosses(segment, box), `${lane} crosses ${boxName}`);
    }
    assert.equal(points.at(lane.startsWith("request") ? -1 : 0).y, api.y, `${lane} meets the API server's top`);
  }
  const ys = Object.values(LANES).map((l) => l.y);
  const entries = Object.values(LANES).map((l) => l.entry);
  assert.equal(new Set(ys).size, ys.length, "two lanes share a height");
  assert.equal(new Set(entries).size, entries.length, "two lanes meet the API server at one point");
  for (const y of ys) assert.ok(y > CONTROL_PLANE.y + 14 && y < Math.min(...boxes.map(([, b]) => b.y)), "lanes run above the boxes");
});

test("a kubelet's flow leaves its node upwards, takes the bus left of every card and climbs to its lane", () => {
  const node = { x: 600, y: 700, w: 280, h: 150 };
  const chip = { x: 610, y: 728, w: 80, h: 22 };
  const points = routeFlow("request:kubelet", chip, { node });
  for (const [a, b] of segments(points)) assert.ok(a.x === b.x || a.y === b.y);
  const left = Math.min(...points.map((p) => p.x));
  assert.ok(left < 16, "the bus runs left of the cards, which start at x=16");
  // Nothing between the node and the control plane is crossed: a card there, left of the node, stays clear.
  const card = { x: 16, y: 300, w: 280, h: 120 };
  for (const segment of segments(points)) assert.ok(!crosses(segment, card));
  const reverse = routeFlow("watch:kubelet", chip, { node });
  assert.equal(reverse.at(-1).x, chip.x);
  assert.notEqual(Math.min(...reverse.map((p) => p.x)), left, "the watch event has a bus line of its own");
});

test("labels sit above the longest horizontal run", () => {
  assert.deepEqual(labelPoint([{ x: 0, y: 50 }, { x: 0, y: 10 }, { x: 100, y: 10 }, { x: 100, y: 40 }]), { x: 50, y: 7.5 });
});

test("a batch becomes labelled requests with the watch event each sets off; records are not drawn", () => {
  const changes = [
    { actor: "user:ada", verb: "create", kind: "Deployment", namespace: "default", name: "web" },
    { actor: "deployment-controller", verb: "create", kind: "ReplicaSet", namespace: "default", name: "web-1" },
    { actor: "replicaset-controller", verb: "create", kind: "Pod", namespace: "default", name: "web-1-a" },
    { actor: "replicaset-controller", verb: "create", kind: "Pod", namespace: "default", name: "web-1-b" },
    { actor: "kube-scheduler", verb: "bind", kind: "Pod", namespace: "default", name: "web-1-a" },
    { actor: "kube-scheduler", verb: "create", kind: "Event", namespace: "default", name: "web-1-a.1" },
    { actor: "kubelet/worker-1", verb: "status", kind: "Pod", namespace: "default", name: "web-1-a" },
  ];
  const plan = planFlows(changes);
  assert.deepEqual(plan.map((f) => [f.lane, f.label, f.watch?.lane ?? null]), [
    ["request:user", "create Deployment web", "watch:controller"],
    ["request:controller", "create ReplicaSet web-1", "watch:controller"],
    ["request:controller", "create Pod ×2", "watch:scheduler"],
    ["request:scheduler", "binding Pod web-1-a", "watch:kubelet"],
    ["request:kubelet", "status update Pod web-1-a", "watch:controller"],
  ]);
  assert.equal(watcherOf({ verb: "update", kind: "ConfigMap" }), null);
});

import assert from "node:assert/strict";
import { test } from "node:test";

import { mergeDiffs } from "../../static/frontend/js/diagram/diagram.js";
import { diagramHeight, HEIGHT_STEP } from "../../static/frontend/js/layout.js";

const diff = ({ added = [], modified = [], deleted = [], kinds = {}, changes = [], sandbox = false } = {}) => ({
  reset: false, added, modified, deleted, changes, sandbox,
  deletedObjects: new Map(deleted.map((key) => [key, { kind: kinds[key] || "Pod" }])),
});

test("the diffs of one frame merge into one set of touched and deleted keys", () => {
  let pending = mergeDiffs(null, diff({ added: ["a", "b"], changes: [{ verb: "create" }] }));
  pending = mergeDiffs(pending, diff({ modified: ["a"], deleted: ["b"], changes: [{ verb: "delete" }] }));
  assert.equal(pending.full, false);
  assert.deepEqual([...pending.touched], ["a"]);
  assert.deepEqual([...pending.deleted], [["b", "Pod"]]);
  assert.deepEqual(pending.changes.map((c) => c.verb), ["create", "delete"]);
});

test("an object deleted then seen again in the same frame is drawn, not removed", () => {
  let pending = mergeDiffs(null, diff({ deleted: ["a"] }));
  pending = mergeDiffs(pending, diff({ added: ["a"] }));
  assert.deepEqual([...pending.touched], ["a"]);
  assert.equal(pending.deleted.size, 0);
});

test("a reset or a missing diff makes the whole frame a full comparison, keeping the flows", () => {
  let pending = mergeDiffs(null, diff({ added: ["a"], changes: [{ verb: "create" }] }));
  pending = mergeDiffs(pending, null);
  assert.equal(pending.full, true);
  pending = mergeDiffs(pending, diff({ modified: ["a"], changes: [{ verb: "status" }] }));
  assert.equal(pending.full, true);
  assert.equal(pending.changes.length, 2);
});

test("a sandbox change in any of the merged diffs is kept", () => {
  const pending = mergeDiffs(mergeDiffs(null, diff({ sandbox: true })), diff({ added: ["x"] }));
  assert.equal(pending.sandbox, true);
});

test("the diagram's height grows in steps, so one pod more rarely resizes the page", () => {
  assert.equal(diagramHeight(10), HEIGHT_STEP);
  assert.equal(diagramHeight(HEIGHT_STEP), HEIGHT_STEP);
  assert.equal(diagramHeight(HEIGHT_STEP + 1), 2 * HEIGHT_STEP);
  assert.equal(diagramHeight(5 * HEIGHT_STEP - 3), 5 * HEIGHT_STEP);
});

test("the scheduler's decision record becomes one row per node", async () => {
  const { normaliseExplanation } = await import("../../static/frontend/js/diagram/explain.js");
  const rows = normaliseExplanation({
    filter: { nodes: [{ node: "cp", passed: false, plugin: "TaintToleration", reasons: ["untolerated taint"] },
      { node: "w1", passed: true }, { node: "w2", passed: true }] },
    score: { plugins: ["NodeResourcesFit", "ImageLocality"], nodes: [{ node: "w1", total: 90, weighted: [89, 1] },
      { node: "w2", total: 80, weighted: [80, 0] }] },
    result: { node: "w1" },
  });
  assert.equal(rows.chosen, "w1");
  assert.deepEqual(rows.nodes.map((n) => [n.name, n.feasible, n.score]), [["cp", false, null], ["w1", true, 90], ["w2", true, 80]]);
  assert.equal(rows.nodes[0].reason, "untolerated taint");
  assert.deepEqual(rows.nodes[1].scores, [{ plugin: "NodeResourcesFit", weighted: 89 }, { plugin: "ImageLocality", weighted: 1 }]);
});

import assert from "node:assert/strict";
import { register } from "node:module";
import { test } from "node:test";

register("./static-urls.mjs", import.meta.url);
const { cellView, duration, failingChecks, rowVisible, sortRows, stuckSentence } = await import(
  "../../../teaching/static/teaching/js/grid.js");

const row = (name, score, cells = {}, stuck = false) => ({ name, score, cells, stuck });

test("durations read as the server writes them", () => {
  assert.equal(duration(40), "40 s");
  assert.equal(duration(12 * 60 + 5), "12 min");
  assert.equal(duration(3600 + 5 * 60), "1 h 05 min");
  assert.equal(duration(null), "");
});

test("a cell shows its status by class, symbol and word", () => {
  const view = cellView({ status: "passed", score: 5, max_score: 6, attempts: 2, late: true, overdue: false });
  assert.equal(view.className, "cell cell--passed cell--late");
  assert.deepEqual([view.mark, view.label, view.score, view.attempts, view.flag], ["✓", "passed", "5/6", "×2", "late"]);
  assert.equal(cellView({ status: "not-started", score: 0, max_score: 3, attempts: 0, overdue: true }).flag, "overdue");
});

test("rows sort by name, by total score, or by one exercise's status then score", () => {
  const rows = [row("cy", 5, { e: { status: "working", score: 5 } }), row("ada", 6, { e: { status: "passed", score: 6 } }),
    row("bob", 6, { e: { status: "passed", score: 6 } }), row("dan", 0)];
  assert.deepEqual(sortRows(rows, "name").map((r) => r.name), ["ada", "bob", "cy", "dan"]);
  assert.deepEqual(sortRows(rows, "score", true).map((r) => r.name), ["ada", "bob", "cy", "dan"]);
  assert.deepEqual(sortRows(rows, "e").map((r) => r.name), ["dan", "cy", "ada", "bob"]);
  assert.deepEqual(sortRows(rows, "e", true).map((r) => r.name), ["ada", "bob", "cy", "dan"]);
});

test("filters by name, by being stuck, by overdue work", () => {
  const late = row("Cy", 1, { e: { status: "working", overdue: true } }, true);
  assert.equal(rowVisible(late, { name: "c" }), true);
  assert.equal(rowVisible(late, { name: "ada" }), false);
  assert.equal(rowVisible(row("ada", 0), { status: "stuck" }), false);
  assert.equal(rowVisible(late, { status: "stuck" }), true);
  assert.equal(rowVisible(late, { status: "behind" }), true);
});

test("stuck reasons and the most failed checks", () => {
  const titles = { "l/e": "Write it down" };
  assert.equal(stuckSentence({ kind: "idle", minutes: 25, key: "l/e" }, titles),
    "no new check passed for 25 min on “Write it down”");
  assert.equal(stuckSentence({ kind: "repeated", check_title: "Image", failures: 3, key: "l/e" }, titles),
    "“Image” failed 3 times in a row on “Write it down”");
  const exercises = [{ title: "A", checks: [{ title: "x", failures: 1 }, { title: "y", failures: 0 }] },
    { title: "B", checks: [{ title: "z", failures: 4 }] }];
  assert.deepEqual(failingChecks(exercises), [{ label: "B: z", failures: 4 }, { label: "A: x", failures: 1 }]);
});

import assert from "node:assert/strict";
import { test } from "node:test";

import { Store, keyOf, simulatedNow } from "../../static/frontend/js/store.js";

const pod = (uid, name, phase = "Pending", rv = "1") => ({
  kind: "Pod", metadata: { uid, name, namespace: "default", resourceVersion: rv }, status: { phase },
});

test("snapshot replaces the objects and keys them by uid", () => {
  const store = new Store();
  store.applySnapshot({ resourceVersion: "5", time: "2026-01-01T00:00:00Z", objects: [pod("a", "web-1")], sandbox: { id: "s" } });
  assert.equal(store.objects.size, 1);
  assert.equal(store.get("a").metadata.name, "web-1");
  assert.equal(store.resourceVersion, "5");
  assert.equal(store.sandbox.id, "s");
});

test("batch events apply in order and report added, modified and deleted keys", () => {
  const store = new Store();
  store.applySnapshot({ resourceVersion: "5", objects: [pod("a", "web-1")] });
  const diff = store.applyBatch({ resourceVersion: "8", events: [
    { type: "ADDED", object: pod("b", "web-2") },
    { type: "MODIFIED", object: pod("a", "web-1", "Running") },
    { type: "DELETED", object: pod("b", "web-2") },
  ] });
  assert.deepEqual(diff.added, ["b"]);
  assert.deepEqual(diff.modified, ["a"]);
  assert.deepEqual(diff.deleted, ["b"]);
  assert.equal(store.get("a").status.phase, "Running");
  assert.equal(store.get("b"), undefined);
  assert.equal(diff.deletedObjects.get("b").metadata.name, "web-2");
});

test("a batch at or below the current resourceVersion is ignored (duplicate after resync)", () => {
  const store = new Store();
  store.applySnapshot({ resourceVersion: "10", objects: [] });
  assert.equal(store.applyBatch({ resourceVersion: "9", events: [{ type: "ADDED", object: pod("x", "x") }] }), null);
  assert.equal(store.applyBatch({ resourceVersion: "10", events: [{ type: "ADDED", object: pod("x", "x") }] }), null);
  assert.equal(store.objects.size, 0);
});

test("resourceVersions compare as numbers, not text", () => {
  const store = new Store();
  store.applySnapshot({ resourceVersion: "9", objects: [] });
  assert.ok(store.applyBatch({ resourceVersion: "10", events: [{ type: "ADDED", object: pod("x", "x") }] }));
});

test("the timeline rebuilds the cluster as it was at every position", () => {
  const store = new Store();
  store.applySnapshot({ resourceVersion: "1", objects: [pod("a", "web-1")] });
  store.applyBatch({ resourceVersion: "2", time: "t2", events: [{ type: "ADDED", object: pod("b", "web-2") }] });
  store.applyBatch({ resourceVersion: "3", time: "t3", events: [{ type: "DELETED", object: pod("a", "web-1") }] });
  assert.equal(store.timelineLength, 2);
  assert.deepEqual([...store.viewAt(0).objects.keys()], ["a"]);
  assert.deepEqual([...store.viewAt(1).objects.keys()].sort(), ["a", "b"]);
  assert.deepEqual([...store.viewAt(2).objects.keys()], ["b"]);
  assert.equal(store.viewAt(1).resourceVersion, "2");
  // The live objects are untouched by rebuilding the past.
  assert.deepEqual([...store.objects.keys()], ["b"]);
});

test("a snapshot after a reconnect is a timeline position of its own", () => {
  const store = new Store();
  store.applySnapshot({ resourceVersion: "1", objects: [pod("a", "a")] });
  store.applyBatch({ resourceVersion: "2", events: [{ type: "ADDED", object: pod("b", "b") }] });
  store.applySnapshot({ resourceVersion: "50", objects: [pod("z", "z")] });
  store.applyBatch({ resourceVersion: "51", events: [{ type: "ADDED", object: pod("y", "y") }] });
  assert.deepEqual([...store.viewAt(1).objects.keys()].sort(), ["a", "b"]);
  assert.deepEqual([...store.viewAt(2).objects.keys()], ["z"]);
  assert.deepEqual([...store.viewAt(3).objects.keys()].sort(), ["y", "z"]);
});

test("old history folds into the base beyond the limit, keeping later states exact", () => {
  const store = new Store({ historyLimit: 3 });
  store.applySnapshot({ resourceVersion: "0", objects: [] });
  for (let i = 1; i <= 6; i += 1) {
    store.applyBatch({ resourceVersion: String(i), events: [{ type: "ADDED", object: pod(`p${i}`, `p${i}`) }] });
  }
  assert.equal(store.timelineLength, 3);
  assert.equal(store.viewAt(0).objects.size, 3);
  assert.equal(store.viewAt(3).objects.size, 6);
});

test("listeners receive each diff", () => {
  const store = new Store();
  const seen = [];
  store.subscribe((diff) => seen.push(diff.reset));
  store.applySnapshot({ resourceVersion: "1", objects: [] });
  store.applyBatch({ resourceVersion: "2", events: [] });
  assert.deepEqual(seen, [true, false]);
});

test("objects without uid are keyed by kind, namespace and name", () => {
  assert.equal(keyOf({ kind: "Pod", metadata: { name: "x", namespace: "ns" } }), "Pod/ns/x");
});

test("a batch that starts after an unseen version is reported as a gap", () => {
  const store = new Store();
  store.applySnapshot({ resourceVersion: "5", objects: [] });
  assert.equal(store.missedBefore({ previousResourceVersion: "5", resourceVersion: "7" }), false);
  assert.equal(store.missedBefore({ previousResourceVersion: "9", resourceVersion: "12" }), true);
  store.applyBatch({ previousResourceVersion: "5", resourceVersion: "12", events: [] });
  assert.equal(store.missedBefore({ previousResourceVersion: "9", resourceVersion: "12" }), false);
});

test("the live clock runs on from the server's last time at the sandbox's speed, and holds while paused", () => {
  let wall = 1_000_000;
  const store = new Store({ wallNow: () => wall });
  store.applySnapshot({ resourceVersion: "1", time: "2026-01-01T00:00:00Z", objects: [], sandbox: { speed: 10, paused: false } });
  const start = Date.parse("2026-01-01T00:00:00Z") / 1000;
  wall += 2000;
  assert.equal(store.now, start + 20);
  store.applySandbox({ speed: 10, paused: true, time: "2026-01-01T00:00:21Z" });
  wall += 5000;
  assert.equal(store.now, start + 21);
  assert.equal(simulatedNow({ sim: 5, wall: 0, speed: 2, paused: false }, 1500), 8);
});

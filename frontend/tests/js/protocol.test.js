import assert from "node:assert/strict";
import { test } from "node:test";

import {
  applyMessage, backoffDelay, compareResourceVersions, controlMessage, isFatalClose, parseServerMessage, socketUrl,
} from "../../static/frontend/js/protocol.js";

test("socket URL follows the page's scheme and carries since when resuming", () => {
  assert.equal(socketUrl({ protocol: "http:", host: "h:8000" }, "/ws/sandboxes/1/", ""), "ws://h:8000/ws/sandboxes/1/");
  assert.equal(socketUrl({ protocol: "https:", host: "h" }, "/ws/sandboxes/1/", "42"), "wss://h/ws/sandboxes/1/?since=42");
  assert.equal(socketUrl({ protocol: "https:", host: "h" }, "/ws/sandboxes/1/", "42", "ru"),
    "wss://h/ws/sandboxes/1/?since=42&lang=ru");
  assert.equal(socketUrl({ protocol: "http:", host: "h" }, "/ws/sandboxes/1/", "", "ru"), "ws://h/ws/sandboxes/1/?lang=ru");
});

test("back-off grows exponentially with jitter and is capped", () => {
  const low = { random: () => 0 };
  const high = { random: () => 1 };
  assert.equal(backoffDelay(0, low), 250);
  assert.equal(backoffDelay(0, high), 500);
  assert.equal(backoffDelay(3, high), 4000);
  assert.equal(backoffDelay(30, high), 15000);
  assert.ok(backoffDelay(30, low) >= 7500);
});

test("authentication and permission closes are fatal, others are retried", () => {
  assert.ok(isFatalClose(4401));
  assert.ok(isFatalClose(4403));
  assert.ok(!isFatalClose(1006));
  assert.ok(!isFatalClose(1011));
});

test("client messages have the documented shape", () => {
  assert.deepEqual(applyMessage(3, "a: 1", 1), { type: "apply", id: 3, yaml: "a: 1", dryRun: true });
  assert.deepEqual(controlMessage(4, "delete-pod", { namespace: "default", name: "web" }),
    { type: "control", id: 4, action: "delete-pod", namespace: "default", name: "web" });
});

test("server messages of unknown type or invalid JSON are rejected", () => {
  assert.equal(parseServerMessage("{"), null);
  assert.equal(parseServerMessage('{"type": "nope"}'), null);
  assert.equal(parseServerMessage('{"type": "batch", "events": []}').type, "batch");
});

test("resourceVersions compare numerically", () => {
  assert.ok(compareResourceVersions("10", "9") > 0);
  assert.equal(compareResourceVersions("7", "7"), 0);
});

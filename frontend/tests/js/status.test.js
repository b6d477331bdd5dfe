import assert from "node:assert/strict";
import { test } from "node:test";

import {
  formatEndpoints, humanDuration, nodeStatus, podStatus, restartsText, schedulingSummary,
} from "../../static/frontend/js/status.js";

const running = (ready = true) => ({ ready, restartCount: 0, state: { running: { startedAt: "x" } } });

test("a running, ready pod prints Running 1/1", () => {
  const s = podStatus({ metadata: {}, spec: { containers: [{}] }, status: { phase: "Running", containerStatuses: [running()] } });
  assert.deepEqual([s.ready, s.reason, s.restarts, s.state], ["1/1", "Running", 0, "running"]);
});

test("a running pod with an unready container is shown as not ready", () => {
  const s = podStatus({ metadata: {}, spec: { containers: [{}, {}] }, status: { phase: "Running", containerStatuses: [running(), running(false)] } });
  assert.equal(s.ready, "1/2");
  assert.equal(s.state, "not-ready");
});

test("waiting reasons replace the phase, as kubectl prints them", () => {
  const s = podStatus({ metadata: {}, spec: { containers: [{}] }, status: { phase: "Running", containerStatuses: [
    { ready: false, restartCount: 4, state: { waiting: { reason: "CrashLoopBackOff" } } }] } });
  assert.deepEqual([s.reason, s.restarts, s.state], ["CrashLoopBackOff", 4, "failed"]);
  const pending = podStatus({ metadata: {}, spec: { containers: [{}] }, status: { phase: "Pending", containerStatuses: [
    { ready: false, restartCount: 0, state: { waiting: { reason: "ContainerCreating" } } }] } });
  assert.equal(pending.state, "pending");
});

test("a pod with deletionTimestamp is Terminating", () => {
  const s = podStatus({ metadata: { deletionTimestamp: "t" }, spec: { containers: [{}] }, status: { phase: "Running" } });
  assert.equal(s.reason, "Terminating");
  assert.equal(s.state, "terminating");
});

test("completed pods are succeeded; a pod without a phase has no STATUS and is drawn pending", () => {
  const done = podStatus({ metadata: {}, spec: { containers: [{}] }, status: { phase: "Succeeded", containerStatuses: [
    { ready: false, restartCount: 0, state: { terminated: { reason: "Completed", exitCode: 0 } } }] } });
  assert.equal(done.reason, "Completed");
  assert.equal(done.state, "succeeded");
  // printPod starts from the phase: without one (never so from the API server) STATUS is empty, drawn pending.
  assert.equal(podStatus({ metadata: {}, spec: { containers: [{}] } }).reason, "");
  assert.equal(podStatus({ metadata: {}, spec: { containers: [{}] } }).state, "pending");
});

test("init containers show Init:n/m", () => {
  const s = podStatus({ metadata: {}, spec: { initContainers: [{}, {}], containers: [{}] }, status: { phase: "Pending",
    initContainerStatuses: [{ restartCount: 0, state: { terminated: { exitCode: 0 } } }, { restartCount: 0, state: { running: {} } }] } });
  assert.equal(s.reason, "Init:1/2");
});

test("node status reads the Ready condition and cordoning", () => {
  assert.equal(nodeStatus({ status: { conditions: [{ type: "Ready", status: "True" }] } }).text, "Ready");
  const notReady = nodeStatus({ spec: { unschedulable: true }, status: { conditions: [{ type: "Ready", status: "False" }] } });
  assert.equal(notReady.text, "NotReady,SchedulingDisabled");
  assert.equal(notReady.state, "not-ready");
  assert.equal(nodeStatus({ status: { conditions: [{ type: "Ready", status: "Unknown" }] } }).state, "not-ready");
});

test("ages print like kubectl's HumanDuration", () => {
  assert.equal(humanDuration(5), "5s");
  assert.equal(humanDuration(119), "119s");
  assert.equal(humanDuration(150), "2m30s");
  assert.equal(humanDuration(600), "10m");
  assert.equal(humanDuration(3 * 3600 + 60), "3h1m");
  assert.equal(humanDuration(30 * 3600), "30h");
  assert.equal(humanDuration(3 * 86400), "3d");
  assert.equal(humanDuration(-5), "<invalid>");
});


test("a node whose kubelet stopped reporting (Ready Unknown) is NotReady, as kubectl prints it", () => {
  const node = { status: { conditions: [{ type: "Ready", status: "Unknown" }] } };
  assert.equal(nodeStatus(node).text, "NotReady");
  assert.equal(nodeStatus(node).reportsStopped, true);
  assert.equal(nodeStatus({ status: {} }).text, "Unknown");
});

test("the scheduler's FitError is summarised, commonest reason first, taints kept whole", () => {
  const summary = schedulingSummary("0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient cpu. preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.");
  assert.equal(summary.total, 4);
  assert.deepEqual(summary.reasons, [{ count: 3, text: "Insufficient cpu" },
    { count: 1, text: "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }" }]);
  assert.equal(schedulingSummary(""), null);
  assert.deepEqual(schedulingSummary("no nodes available to schedule pods").reasons, []);
});

test("ENDPOINTS and RESTARTS are kubectl's cells", () => {
  assert.equal(formatEndpoints({ subsets: [{ addresses: [{ ip: "172.18.0.2" }], ports: [{ port: 6443 }] }] }), "172.18.0.2:6443");
  assert.equal(formatEndpoints({}), "<none>");
  const many = { subsets: [{ addresses: [1, 2, 3, 4].map((i) => ({ ip: `10.0.0.${i}` })), ports: [{ port: 80 }] }] };
  assert.equal(formatEndpoints(many), "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...");
  const crashing = { metadata: {}, spec: { containers: [{ name: "a" }] }, status: { phase: "Running", containerStatuses: [
    { name: "a", restartCount: 3, lastState: { terminated: { finishedAt: "2026-01-01T00:00:10Z" } },
      state: { waiting: { reason: "CrashLoopBackOff" } } }] } };
  assert.equal(restartsText(crashing, Date.parse("2026-01-01T00:00:55Z") / 1000), "3 (45s ago)");
  assert.equal(podStatus(crashing).reason, "CrashLoopBackOff");
});

test("AGE truncates toward zero as Go does", () => {
  assert.equal(humanDuration(-1.5), "0s");
  assert.equal(humanDuration(-2), "<invalid>");
  assert.equal(humanDuration(91.9), "91s");
  assert.equal(humanDuration(600), "10m");
});

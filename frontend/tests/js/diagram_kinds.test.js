import assert from "node:assert/strict";
import { test } from "node:test";

import {
  autoscalerFor, autoscalerStates, autoscalerTarget, badgesFor, budgetStates, budgetsFor, labelSelectorMatches,
} from "../../static/frontend/js/diagram/autoscaler.js";
import { ingressAddress, ingressBackends, ingressHosts } from "../../static/frontend/js/diagram/ingress.js";

const deployment = { kind: "Deployment", metadata: { uid: "d1", name: "web", namespace: "default" },
  spec: { template: { metadata: { labels: { app: "web", tier: "front" } } } } };

const hpa = (status = {}) => ({ kind: "HorizontalPodAutoscaler", metadata: { uid: "h1", name: "web", namespace: "default" },
  spec: { scaleTargetRef: { kind: "Deployment", name: "web" }, minReplicas: 1, maxReplicas: 5,
    metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } }] },
  status });

const pdb = (selector, allowed) => ({ kind: "PodDisruptionBudget", metadata: { uid: `p-${allowed}`, name: "web", namespace: "default" },
  spec: { selector }, status: { disruptionsAllowed: allowed } });

test("an Ingress routes to its default backend and its rules' Services, each once", () => {
  const ingress = { spec: { defaultBackend: { service: { name: "fallback" } }, rules: [
    { host: "a.example.com", http: { paths: [{ backend: { service: { name: "web" } } }, { backend: { service: { name: "api" } } }] } },
    { http: { paths: [{ backend: { service: { name: "web" } } }, { backend: { resource: { kind: "Bucket", name: "b" } } }] } },
  ] } };
  assert.deepEqual(ingressBackends(ingress), ["fallback", "web", "api"]);
  assert.equal(ingressHosts(ingress), "a.example.com");
  assert.equal(ingressHosts({ spec: { rules: [{ http: {} }] } }), "*");
  assert.equal(ingressAddress(ingress), "");
  assert.equal(ingressAddress({ status: { loadBalancer: { ingress: [{ ip: "10.0.0.5" }, { hostname: "lb.example" }] } } }),
    "10.0.0.5,lb.example");
});

test("an autoscaler is matched to its target by namespace, kind and name", () => {
  assert.equal(autoscalerFor(deployment, [hpa()]).metadata.uid, "h1");
  const other = { ...hpa(), spec: { ...hpa().spec, scaleTargetRef: { kind: "StatefulSet", name: "web" } } };
  assert.equal(autoscalerFor(deployment, [other]), null);
});

test("an autoscaler's figure reads like kubectl's TARGETS column, its state like its conditions", () => {
  assert.equal(autoscalerTarget(hpa()), "cpu ?/50%");
  const reading = hpa({ currentMetrics: [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: 12 } } }],
    conditions: [{ type: "ScalingActive", status: "True" }, { type: "ScalingLimited", status: "True" }] });
  assert.equal(autoscalerTarget(reading), "cpu 12%/50%");
  assert.match(autoscalerStates(reading), /workload-badge--limited/);
  const failing = hpa({ conditions: [{ type: "ScalingActive", status: "False" }] });
  assert.match(autoscalerStates(failing), /workload-badge--inactive/);
});

test("a budget belongs to the workloads whose pod template its selector matches", () => {
  assert.equal(budgetsFor(deployment, [pdb({ matchLabels: { app: "web" } }, 1)]).length, 1);
  assert.equal(budgetsFor(deployment, [pdb({ matchLabels: { app: "api" } }, 1)]).length, 0);
  assert.equal(budgetsFor(deployment, [pdb({}, 1)]).length, 1, "an empty selector matches every pod");
  assert.ok(labelSelectorMatches({ matchExpressions: [{ key: "tier", operator: "In", values: ["front"] }] }, { tier: "front" }));
  assert.ok(!labelSelectorMatches({ matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] }, { tier: "front" }));
  assert.match(budgetStates(pdb({}, 0)), /workload-badge--blocked/);
  assert.doesNotMatch(budgetStates(pdb({}, 2)), /blocked/);
});

test("a workload card carries its autoscaler's badge, then its budgets'", () => {
  const badges = badgesFor(deployment, [hpa()], [pdb({ matchLabels: { app: "web" } }, 1)]);
  assert.deepEqual(badges.map((b) => b.key), ["h1", "p-1"]);
  assert.equal(badges[0].text, "autoscaler 1–5 · cpu ?/50%");
  assert.equal(badges[1].text, "budget: 1 disruption allowed");
  assert.deepEqual(badgesFor(null, [hpa()], []), []);
});

import assert from "node:assert/strict";
import { test } from "node:test";

import { commonPrefix, complete } from "../../static/frontend/js/completion.js";
import { LineEditor } from "../../static/frontend/js/line-editor.js";
import { ClusterView } from "../../static/frontend/js/store.js";
import { columnStarts, formatRow, parseWatch, rowValues, watchMatches } from "../../static/frontend/js/watch.js";

const obj = (kind, name, namespace = "default", extra = {}) => ({ kind, metadata: { uid: `${kind}-${name}`, name, namespace, ...extra } });
const view = new ClusterView(new Map([
  obj("Pod", "web-1"), obj("Pod", "web-2"), obj("Pod", "db-0", "data"), obj("Node", "node-1", undefined),
  obj("Namespace", "data", undefined), obj("Deployment", "web"),
].map((o) => [o.metadata.uid, o])));

test("history walks back and forth and keeps the draft", () => {
  const editor = new LineEditor();
  for (const line of ["kubectl get pods", "kubectl get nodes"]) {
    editor.insert(line);
    editor.submit();
  }
  editor.insert("kubectl de");
  editor.up();
  assert.equal(editor.buffer, "kubectl get nodes");
  editor.up();
  editor.up();
  assert.equal(editor.buffer, "kubectl get pods");
  editor.down();
  editor.down();
  assert.equal(editor.buffer, "kubectl de");
});

test("editing keys move and delete around the cursor", () => {
  const editor = new LineEditor();
  editor.insert("kubectl get pods");
  editor.deleteWordBack();
  assert.equal(editor.buffer, "kubectl get ");
  editor.home();
  editor.insert("x");
  assert.equal(editor.buffer, "xkubectl get ");
  editor.killToEnd();
  assert.equal(editor.buffer, "x");
  editor.submit();
  editor.submit();
  assert.deepEqual(editor.history, ["x"]);
});

test("Tab completes commands, kinds and names from the store", () => {
  assert.deepEqual(complete("kubectl de", view).candidates, ["delete", "describe"]);
  assert.deepEqual(complete("kubectl auth ", view).candidates, ["can-i", "whoami"]);
  assert.ok(complete("kubectl auth can-i create dep", view).candidates.includes("deployments"));
  assert.deepEqual(complete("kubectl auth can-i cre", view).candidates, []);  // the verb is free text
  assert.deepEqual(complete("kubectl get po", view).candidates, ["pod", "pods", "po"].sort());
  assert.deepEqual(complete("kubectl get pods w", view).candidates, ["web-1", "web-2"]);
  assert.deepEqual(complete("kubectl get pods -n data ", view).candidates, ["db-0"]);
  assert.deepEqual(complete("kubectl logs ", view).candidates, ["web-1", "web-2"]);
  assert.deepEqual(complete("kubectl cordon ", view).candidates, ["node-1"]);
  assert.deepEqual(complete("kubectl describe deploy/", view).candidates, ["deploy/web"]);
  assert.deepEqual(complete("kubectl get pods -o y", view).candidates, ["yaml"]);
  assert.deepEqual(complete("kubectl get pods -n d", view).candidates, ["data"]);
  assert.equal(complete("kubectl get pods w", view).start, "kubectl get pods ".length);
  assert.equal(commonPrefix(["web-1", "web-2"]), "web-");
});

test("watch commands are recognised and their list is fetched without -w", () => {
  const spec = parseWatch("kubectl get pods -w -l app=web");
  assert.equal(spec.kind, "Pod");
  assert.equal(spec.listCommand, "kubectl get pods -l app=web");
  assert.ok(watchMatches(spec, { kind: "Pod", metadata: { name: "a", labels: { app: "web" } } }));
  assert.ok(!watchMatches(spec, { kind: "Pod", metadata: { name: "a", labels: { app: "db" } } }));
  assert.equal(parseWatch("kubectl get pods"), null);
  assert.equal(parseWatch("kubectl get nodes --watch").namespace, null);
});

test("watch rows line up under the list's header", () => {
  const header = "NAME    READY   STATUS    RESTARTS   AGE";
  const pod = { kind: "Pod", metadata: { name: "web", creationTimestamp: "2026-01-01T00:00:00Z" }, spec: { containers: [{}] },
    status: { phase: "Pending" } };
  const values = rowValues(pod, Date.parse("2026-01-01T00:00:05Z") / 1000);
  assert.deepEqual(values, ["web", "0/1", "Pending", "0", "5s"]);
  assert.equal(formatRow(values, columnStarts(header)), "web     0/1     Pending   0          5s");
});

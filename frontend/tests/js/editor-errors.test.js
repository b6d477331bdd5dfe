import assert from "node:assert/strict";
import { test } from "node:test";

import { describeRefusal, errorPosition, goTypeText, problemText } from "../../static/frontend/js/editor-errors.js";

const typeError = {
  ok: false, error: "The request could not be understood. Error from server (BadRequest): ...",
  status: { reason: "BadRequest", code: 400, message: "Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32" },
  details: { line: 11, column: 7, fields: [{ field: "spec.containers[0].ports[1].containerPort", problem: "type",
    expected: "int32", actual: "string", line: 11, column: 7, exact: true }] },
};

test("a type error is placed at its field's line, in plain words, with the server's message kept", () => {
  const { problems, server } = describeRefusal(typeError);
  assert.equal(problems.length, 1);
  assert.equal(problems[0].line, 11);
  assert.equal(problems[0].column, 7);
  assert.match(problems[0].text, /^spec\.containers\[0\]\.ports\[1\]\.containerPort must be a whole number, but here it is text\./);
  assert.match(problems[0].text, /without quotes/);
  assert.equal(server, typeError.status.message);
});

test("several fields give several problems, each at its own line", () => {
  const reply = { ok: false, status: { reason: "BadRequest", message: "strict decoding error: ..." }, details: { line: 9, fields: [
    { field: "spec.containers[0].imagePullPolicee", problem: "unknown", line: 9, column: 5 },
    { field: "spec.restartPolicey", problem: "unknown", line: 10, column: 3 }] } };
  const { problems } = describeRefusal(reply);
  assert.deepEqual(problems.map((p) => p.line), [9, 10]);
  assert.match(problems[0].text, /^“imagePullPolicee” is not a field here/);
});

test("causes of an Invalid status keep the server's detail and their kind of problem", () => {
  const reply = { ok: false, status: { reason: "Invalid", message: "Pod \"a\" is invalid: spec.containers[0].image: Required value" },
    details: { line: 7, fields: [{ field: "spec.containers[0].image", problem: "required", message: "Required value", line: 7, column: 5, exact: false }] } };
  const [problem] = describeRefusal(reply).problems;
  assert.equal(problem.text, "spec.containers[0].image is required: add it here.");
  assert.equal(problem.detail, "Required value");
  assert.equal(problemText({ field: "metadata.name", problem: "invalid" }), "metadata.name has a value that is not allowed.");
});

test("a YAML syntax error without fields falls back to its line and a hint", () => {
  const reply = { ok: false, error: "x", status: { reason: "BadRequest", message: "error converting YAML to JSON: yaml: line 5: did not find expected node content" },
    details: { line: 5, column: 7 } };
  const [problem] = describeRefusal(reply).problems;
  assert.deepEqual([problem.line, problem.column], [5, 7]);
  assert.match(problem.text, /not well formed/);
});

test("the line comes from details, else from a 'line N' in the message, else there is none", () => {
  assert.deepEqual(errorPosition({ details: { line: 3 } }), { line: 3, column: null });
  assert.deepEqual(errorPosition({ status: { message: "yaml: line 4, column 2: mapping values" } }), { line: 4, column: 2 });
  assert.equal(errorPosition({ error: "forbidden" }), null);
  const [problem] = describeRefusal({ ok: false, error: "Forbidden: quota", status: { reason: "Forbidden", message: "quota" } }).problems;
  assert.equal(problem.line, null);
  assert.equal(problem.text, "Forbidden: quota");
});

test("Go types are named as a learner would", () => {
  assert.equal(goTypeText("int32"), "a whole number");
  assert.equal(goTypeText("[]v1.Container"), "a list (lines that start with “- ”)");
  assert.equal(goTypeText("map[string]string"), "a mapping (indented “key: value” lines)");
  assert.equal(goTypeText("v1.PodSpec"), "a mapping (indented “key: value” lines)");
  assert.equal(goTypeText("bool"), "true or false");
});

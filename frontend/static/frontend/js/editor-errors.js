// What the YAML editor says about a refused manifest: each field the server names, at the line it is written on
// (the server finds it: `reply.details.fields`, docs/realtime.md), in words a learner understands, with the
// server's own message kept beside them. Pure (no CodeMirror), so it is unit-tested.
import { fmt, gettext } from "./i18n.js";

/** The words for a Go type in a decoding error ("int32", "[]v1.Container", "map[string]string"). */
export function goTypeText(goType) {
  const type = String(goType || "");
  if (type.startsWith("[]")) return gettext("a list (lines that start with “- ”)");
  if (type.startsWith("map[") || /^[a-z0-9]+\.[A-Z]/.test(type)) return gettext("a mapping (indented “key: value” lines)");
  if (/^u?int(8|16|32|64)?$/.test(type)) return gettext("a whole number");
  if (/^float(32|64)$/.test(type)) return gettext("a number");
  if (type === "bool") return gettext("true or false");
  if (type === "string") return gettext("text");
  return type;
}

/** The words for the JSON type of the value written ("string", "number", "bool", "array", "object"). */
export function jsonTypeText(jsonType) {
  switch (jsonType) {
    case "string": return gettext("text");
    case "number": return gettext("a number");
    case "bool": return gettext("true or false");
    case "array": return gettext("a list");
    case "object": return gettext("a mapping");
    default: return String(jsonType || "");
  }
}

/** The learner's sentence for one problem ({field, problem, expected, actual}) the server located. */
export function problemText(problem) {
  const field = problem.field || "";
  const name = field.split(/[.[]/).filter(Boolean).pop()?.replace(/]$/, "") || field;
  switch (problem.problem) {
    case "type": {
      let text = fmt(gettext("%(field)s must be %(expected)s, but here it is %(actual)s."), {
        field, expected: goTypeText(problem.expected), actual: jsonTypeText(problem.actual) });
      if (problem.actual === "string" && /^u?int|^float/.test(problem.expected || "")) {
        text += ` ${gettext("Write the number without quotes.")}`;
      }
      return text;
    }
    case "unknown": return fmt(gettext("“%(name)s” is not a field here (%(field)s): check its spelling and its indentation."), { name, field });
    case "required": return fmt(gettext("%(field)s is required: add it here."), { field });
    case "not-supported": return fmt(gettext("%(field)s must be one of the values the server lists."), { field });
    case "duplicate": return fmt(gettext("%(field)s repeats a value that must be unique."), { field });
    case "forbidden": return fmt(gettext("%(field)s may not be set or changed here."), { field });
    case "too-long": return fmt(gettext("%(field)s is too long."), { field });
    case "too-many": return fmt(gettext("%(field)s has too many items."), { field });
    case "not-found": return fmt(gettext("%(field)s refers to something that does not exist."), { field });
    default: return fmt(gettext("%(field)s has a value that is not allowed."), { field });
  }
}

/** The learner's sentence for an error the server located by line only (YAML syntax) or not at all. */
function generalText(reply) {
  const status = reply?.status || {};
  const message = status.message || "";
  if (/error converting YAML to JSON/.test(message)) {
    return gettext("The YAML is not well formed here: check the indentation, the colons and the dashes.");
  }
  if (status.reason === "NotFound" && status.details?.kind) {
    return fmt(gettext("This cluster has no kind %(kind)s in this apiVersion: check both lines."), { kind: status.details.kind });
  }
  if (/Object 'Kind' is missing|Object 'apiVersion' is missing/.test(message)) {
    return gettext("Every document needs an apiVersion and a kind.");
  }
  return reply?.error || message || gettext("The server refused the manifest.");
}

/** The 1-based line (and column) of a server error, from reply.details or a "line N" in the message. Pure. */
export function errorPosition(reply) {
  const details = reply?.details || {};
  let line = Number(details.line);
  let column = Number(details.column);
  if (!Number.isInteger(line) || line < 1) {
    const match = /line (\d+)(?:, column (\d+))?/i.exec(reply?.error || reply?.status?.message || "");
    line = match ? Number(match[1]) : NaN;
    column = match && match[2] ? Number(match[2]) : NaN;
  }
  return Number.isInteger(line) && line >= 1 ? { line, column: Number.isInteger(column) ? column : null } : null;
}

/**
 * A refused reply as what the editor shows: {problems: [{line, column, text, field}], server} where each problem
 * has the learner's sentence and its line (null when the server could not place it), and `server` is the API
 * server's exact words (kubectl's "Error from server ..." line when there is one). Pure.
 */
export function describeRefusal(reply) {
  const status = reply?.status || {};
  const server = status.message || reply?.error || "";
  const fields = Array.isArray(reply?.details?.fields) ? reply.details.fields : [];
  const problems = fields.map((problem) => ({
    field: problem.field, line: Number.isInteger(problem.line) ? problem.line : null,
    column: Number.isInteger(problem.column) ? problem.column : null, text: problemText(problem),
    detail: problem.message || "",
  }));
  if (!problems.length) {
    const position = errorPosition(reply);
    problems.push({ field: null, line: position?.line ?? null, column: position?.column ?? null,
      text: generalText(reply), detail: "" });
  }
  return { problems, server };
}

// Tab completion of kubectl command lines: commands, kinds, object names (from the store), namespaces, flags. Pure.
import { KINDS, kindWords, resolveKind } from "./kinds.js";

export const COMMANDS = [
  "annotate", "api-resources", "apply", "auth", "autoscale", "cluster-info", "config", "cordon", "create", "delete",
  "describe", "drain", "exec", "explain", "expose", "get", "label", "logs", "rollout", "run", "scale", "set",
  "taint", "top", "uncordon", "version",
];
const SUBCOMMANDS = {
  auth: ["can-i", "whoami"],
  create: ["configmap", "cronjob", "deployment", "job", "namespace", "quota", "secret", "service", "serviceaccount"],
  rollout: ["history", "pause", "restart", "resume", "status", "undo"],
  top: ["node", "pod"],
  config: ["view", "current-context", "get-contexts"],
  set: ["image", "resources", "env"],
};
const KIND_COMMANDS = new Set(["get", "describe", "delete", "label", "annotate", "explain", "scale", "expose",
  "autoscale", "edit", "taint"]);
const POD_COMMANDS = new Set(["logs", "exec", "port-forward", "attach"]);
const NODE_COMMANDS = new Set(["cordon", "uncordon", "drain"]);
const FLAGS = ["--namespace", "--all-namespaces", "--output", "--selector", "--watch", "--filename", "--replicas",
  "--image", "--force", "--grace-period", "--dry-run=client", "--dry-run=server", "--show-labels", "--help",
  "-n", "-A", "-o", "-l", "-w", "-f"];
const OUTPUTS = ["wide", "yaml", "json", "name"];
const VALUE_FLAGS = new Set(["-n", "--namespace", "-o", "--output", "-l", "--selector", "-f", "--filename",
  "--image", "--replicas", "--grace-period"]);

/** Split a command line into words; a trailing space starts a new, empty word. */
export function words(line) {
  const parts = line.trimStart().split(/\s+/);
  return parts.length === 1 && parts[0] === "" ? [""] : parts;
}

function namespaceOf(parts) {
  for (let i = 0; i < parts.length - 1; i += 1) {
    if (parts[i] === "-n" || parts[i] === "--namespace") return parts[i + 1];
    if (parts[i].startsWith("--namespace=")) return parts[i].slice("--namespace=".length);
  }
  return parts.includes("-A") || parts.includes("--all-namespaces") ? null : "default";
}

function namesOf(view, kindEntry, namespace) {
  if (!view || !kindEntry) return [];
  const names = view.ofKind(kindEntry.kind)
    .filter((obj) => !kindEntry.namespaced || namespace === null || (obj.metadata.namespace || "default") === namespace)
    .map((obj) => obj.metadata.name);
  return [...new Set(names)].sort();
}

/** Positional (non-flag) words after the command, skipping flag values. */
function positionals(parts) {
  const out = [];
  for (let i = 2; i < parts.length - 1; i += 1) {
    const word = parts[i];
    if (word.startsWith("-")) {
      if (VALUE_FLAGS.has(word)) i += 1;
      continue;
    }
    out.push(word);
  }
  return out;
}

/**
 * Candidates for the last word of `line`: {start, prefix, candidates} where `start` is the index in `line`
 * at which the word being completed begins. `view` provides object names (a ClusterView or null).
 */
export function complete(line, view) {
  const parts = words(line);
  const prefix = parts[parts.length - 1];
  const start = line.length - prefix.length;
  const result = (list) => ({ start, prefix, candidates: [...new Set(list)].filter((c) => c.startsWith(prefix)).sort() });

  if (parts.length === 1) return result(["kubectl"]);
  if (parts[0] !== "kubectl" && parts[0] !== "k") return result([]);
  if (parts.length === 2) return result(COMMANDS);

  const command = parts[1];
  const previous = parts[parts.length - 2];
  const namespace = namespaceOf(parts);
  if (previous === "-n" || previous === "--namespace") return result(namesOf(view, resolveKind("namespace"), null));
  if (previous === "-o" || previous === "--output") return result(OUTPUTS);
  if (prefix.startsWith("-")) return result(FLAGS);

  const args = positionals(parts);
  if (SUBCOMMANDS[command] && args.length === 0) return result(SUBCOMMANDS[command]);
  if (command === "rollout") {
    if (args.length === 1) return result(["deployment", "deployments", "daemonset", "statefulset"]);
    return result(namesOf(view, resolveKind(args[1]), namespace));
  }
  if (command === "top") return result(namesOf(view, resolveKind(args[0]), namespace));
  if (command === "auth") return result(args[0] === "can-i" && args.length === 2 ? kindWords() : []);  // VERB TYPE
  if (POD_COMMANDS.has(command)) return result(namesOf(view, resolveKind("pod"), namespace));
  if (NODE_COMMANDS.has(command)) return result(namesOf(view, resolveKind("node"), null));
  if (KIND_COMMANDS.has(command)) {
    if (prefix.includes("/")) {
      const [kindName] = prefix.split("/");
      const entry = resolveKind(kindName);
      return result(namesOf(view, entry, namespace).map((name) => `${kindName}/${name}`));
    }
    if (args.length === 0) return result(command === "taint" ? ["nodes", "node"] : kindWords());
    const entry = resolveKind(args[0].split(",")[0]);
    return result(namesOf(view, entry, entry && !entry.namespaced ? null : namespace));
  }
  return result([]);
}

/** The longest common prefix of the candidates (what one Tab inserts). */
export function commonPrefix(candidates) {
  if (!candidates.length) return "";
  let prefix = candidates[0];
  for (const candidate of candidates.slice(1)) {
    while (!candidate.startsWith(prefix)) prefix = prefix.slice(0, -1);
  }
  return prefix;
}

export { KINDS };

// The sandbox WebSocket protocol of docs/realtime.md: URLs, client messages, close codes and back-off. Pure.

export const CLOSE_UNAUTHENTICATED = 4401;
export const CLOSE_FORBIDDEN = 4403;

/** Closes after which reconnecting cannot help (signed out, not the owner). */
export function isFatalClose(code) {
  return code === CLOSE_UNAUTHENTICATED || code === CLOSE_FORBIDDEN;
}

/**
 * The ws:// or wss:// URL of the sandbox socket, resuming after `since` when given; `language` asks the server
 * to answer (kubectl errors, refusals) in the page's language.
 */
export function socketUrl(location, wsPath, since, language = "") {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const params = [];
  if (since) params.push(`since=${encodeURIComponent(since)}`);
  if (language) params.push(`lang=${encodeURIComponent(language)}`);
  const query = params.length ? `?${params.join("&")}` : "";
  return `${scheme}//${location.host}${wsPath}${query}`;
}

/**
 * Delay in ms before reconnect attempt number `attempt` (0-based): exponential from `base`, capped,
 * with "equal jitter" so that many pages dropped together do not return together.
 */
export function backoffDelay(attempt, { base = 500, cap = 15000, random = Math.random } = {}) {
  const ceiling = Math.min(cap, base * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export function commandMessage(id, command) {
  return { type: "command", id, command };
}

export function applyMessage(id, yaml, dryRun) {
  return { type: "apply", id, yaml, dryRun: Boolean(dryRun) };
}

/** A `control` message; `fields` carries value, seconds, component, namespace, name or node. */
export function controlMessage(id, action, fields = {}) {
  return { type: "control", id, action, ...fields };
}

export function resyncMessage(since) {
  return { type: "resync", since };
}

/** Compare two resourceVersions: numerically when both are integers (the sandbox counter), else as text. */
export function compareResourceVersions(a, b) {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isInteger(na) && Number.isInteger(nb)) return na - nb;
  return String(a).localeCompare(String(b));
}

/** The server messages the client understands; anything else is reported, not acted on. */
// `terminal` reaches read-only watchers only (an instructor's page): the owner's line and its answer.
export const SERVER_TYPES = new Set(["snapshot", "batch", "sandbox", "reply", "checks", "terminal", "error"]);

/** Parse one server frame; returns the message or null when it is not a known JSON message. */
export function parseServerMessage(text, types = SERVER_TYPES) {
  let message;
  try {
    message = JSON.parse(text);
  } catch {
    return null;
  }
  if (!message || typeof message !== "object" || !types.has(message.type)) return null;
  return message;
}

// The sandbox WebSocket client: connects, reconnects with back-off, resumes with ?since=, matches replies to requests.
import { gettext } from "./i18n.js";
import {
  backoffDelay, isFatalClose, parseServerMessage, resyncMessage, SERVER_TYPES, socketUrl,
} from "./protocol.js";

const REQUEST_TIMEOUT_MS = 30000;

/**
 * Events: "state" (detail {state: connecting|open|reconnecting|failed, delay, attempt, code}), "message"
 * (detail: a snapshot, batch, sandbox or error message). `getSince()` gives the last applied resourceVersion.
 */
export class SandboxSocket extends EventTarget {
  constructor({ wsPath, getSince, language = "", WebSocketImpl = globalThis.WebSocket, location = globalThis.location,
    backoff = backoffDelay, serverTypes = SERVER_TYPES } = {}) {
    super();
    this.serverTypes = serverTypes; // the message types this socket's server sends (another socket, other types)
    this.wsPath = wsPath;
    this.language = language;
    this.getSince = getSince || (() => "");
    this.WebSocketImpl = WebSocketImpl;
    this.location = location;
    this.backoff = backoff;
    this.ws = null;
    this.state = "idle";
    this.attempt = 0;
    this.timer = null;
    this.nextId = 1;
    this.pending = new Map();
    this.queue = [];
  }

  setState(state, extra = {}) {
    this.state = state;
    this.dispatchEvent(new CustomEvent("state", { detail: { state, attempt: this.attempt, ...extra } }));
  }

  connect() {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.ws && this.ws.readyState <= 1) return;
    this.setState(this.attempt ? "reconnecting" : "connecting");
    const ws = new this.WebSocketImpl(socketUrl(this.location, this.wsPath, this.getSince(), this.language));
    this.ws = ws;
    ws.addEventListener("open", () => {
      if (ws !== this.ws) return;
      this.attempt = 0;
      this.setState("open");
      for (const message of this.queue.splice(0)) ws.send(JSON.stringify(message));
    });
    ws.addEventListener("message", (event) => {
      if (ws !== this.ws) return;
      this.receive(event.data);
    });
    ws.addEventListener("close", (event) => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.failPending(gettext("The connection was lost before the answer came."));
      if (isFatalClose(event.code)) {
        this.setState("failed", { code: event.code });
        return;
      }
      this.scheduleReconnect(event.code);
    });
  }

  scheduleReconnect(code) {
    const delay = this.backoff(this.attempt);
    this.attempt += 1;
    this.setState("waiting", { delay, code, retryAt: Date.now() + delay });
    this.timer = setTimeout(() => this.connect(), delay);
  }

  /** Reconnect at once (the "Reconnect now" button, the browser coming back online). */
  reconnectNow() {
    if (this.state === "open" || this.state === "failed") return;
    this.connect();
  }

  receive(text) {
    const message = parseServerMessage(text, this.serverTypes);
    if (!message) return;
    if (message.type === "reply") {
      const entry = this.pending.get(message.id);
      if (entry) {
        this.pending.delete(message.id);
        clearTimeout(entry.timer);
        entry.resolve(message);
      }
      return;
    }
    this.dispatchEvent(new CustomEvent("message", { detail: message }));
  }

  /** Send a message now, or once the socket is open again. */
  send(message) {
    if (this.ws && this.ws.readyState === 1) this.ws.send(JSON.stringify(message));
    else this.queue.push(message);
  }

  /** Send a request (command, apply, control) and resolve with its reply; failures resolve as {ok: false, error}. */
  request(message) {
    const id = this.nextId;
    this.nextId += 1;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ type: "reply", id, ok: false, output: "", error: gettext("The server did not answer in time."), status: null, details: null });
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, timer });
      this.send({ ...message, id });
    });
  }

  /** Ask for what was missed since `since` (after a gap is detected). */
  resync(since) {
    this.send(resyncMessage(since));
  }

  failPending(error) {
    for (const [id, entry] of this.pending) {
      clearTimeout(entry.timer);
      entry.resolve({ type: "reply", id, ok: false, output: "", error, status: null, details: null });
    }
    this.pending.clear();
    // Requests queued for a connection that never opened are dropped with the same answer.
    this.queue = this.queue.filter((message) => message.id === undefined);
  }
}

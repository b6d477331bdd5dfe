// Entry point of the lesson page: reads the config blob, connects the store, socket, terminal, editor, diagram,
// timeline and text alternatives, and shows the connection's state.
import { TextAlternative, Announcer } from "./a11y.js";
import { Diagram } from "./diagram/diagram.js";
import { renderLegend } from "./diagram/flow.js";
import { fmt, gettext } from "./i18n.js";
import { ExercisePanel, QuizForm } from "./exercises.js";
import { enhanceCodeBlocks } from "./lesson.js";
import { controlMessage } from "./protocol.js";
import { Panes } from "./panes.js";
import { SandboxSocket } from "./socket.js";
import { kubectlModel } from "./status.js";
import { historyEntries, Store } from "./store.js";
import { Timeline } from "./timeline.js";

const $ = (id) => document.getElementById(id);

function connectionBanner(socket) {
  const banner = $("connection");
  const text = banner.querySelector(".connection-text");
  const retry = banner.querySelector("button");
  let countdown = null;
  retry.addEventListener("click", () => socket.reconnectNow());
  window.addEventListener("online", () => socket.reconnectNow());
  socket.addEventListener("state", ({ detail }) => {
    clearInterval(countdown);
    banner.dataset.state = detail.state;
    retry.hidden = detail.state !== "waiting";
    if (detail.state === "open") text.textContent = gettext("Connected to your cluster");
    else if (detail.state === "connecting") text.textContent = gettext("Connecting to your cluster…");
    else if (detail.state === "reconnecting") text.textContent = gettext("Reconnecting…");
    else if (detail.state === "failed") {
      text.textContent = detail.code === 4401 ? gettext("You are signed out: log in again and reload the page.")
        : gettext("You may not open this cluster.");
    } else if (detail.state === "waiting") {
      const tick = () => {
        const seconds = Math.max(0, Math.ceil((detail.retryAt - Date.now()) / 1000));
        text.textContent = fmt(gettext("Connection lost. Reconnecting in %(seconds)s s…"), { seconds });
      };
      tick();
      countdown = setInterval(tick, 1000);
    }
  });
}

const TERMINAL_FONT = { family: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace', size: 13 };

/** The sandbox's recorded history up to what the page saw first, a page of the REST API at a time. */
async function loadHistory(config, store) {
  const until = store.base?.resourceVersion || store.resourceVersion;
  const entries = [];
  let after = "0";
  for (;;) {
    const response = await fetch(`${config.historyUrl}?after=${after}&until=${until}`, {
      credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`history: ${response.status}`);
    const page = await response.json();
    entries.push(...historyEntries(page.events, page.changes));
    if (!page.more) return entries;
    after = page.last;
  }
}

/** "Reset the cluster": confirm in a dialog, then ask the REST API; the new cluster arrives over the socket. */
function resetButton(config, store) {
  const dialog = $("reset-dialog");
  const status = $("control-status");
  $("sandbox-reset").addEventListener("click", () => {
    dialog.returnValue = ""; // Esc closes the dialog without a new value: it must not repeat an earlier "reset"
    dialog.showModal();
  });
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue !== "reset") return;
    status.textContent = gettext("Resetting the cluster…");
    status.dataset.ok = "true";
    let ok = false;
    try {
      const response = await fetch(config.resetUrl, { method: "POST", credentials: "same-origin",
        headers: { "X-CSRFToken": config.csrfToken, Accept: "application/json" } });
      ok = response.ok;
    } catch {
      ok = false;
    }
    status.textContent = ok ? gettext("The cluster was reset: it is as the lesson set it up.")
      : gettext("The cluster could not be reset. Try again in a moment.");
    status.dataset.ok = String(ok);
  });
  // An instructor's read-only view has no reset (the REST API refuses it anyway).
  store.subscribe(() => { $("sandbox-reset").hidden = Boolean(store.sandbox?.readOnly); });
}

async function main() {
  const config = JSON.parse($("podlab-config").textContent);
  const panes = new Panes(document.querySelector(".lesson-page"), { terminalFont: TERMINAL_FONT });
  const store = new Store();
  const socket = new SandboxSocket({
    wsPath: config.wsPath, getSince: () => store.resourceVersion, language: config.language,
  });
  connectionBanner(socket);
  const announcer = new Announcer($("announcer"));
  socket.addEventListener("state", ({ detail }) => {
    if (detail.state === "waiting" && detail.attempt === 1) announcer.say(gettext("Connection lost"));
    if (detail.state === "open" && store.resourceVersion) announcer.say(gettext("Connection restored"));
  });

  const control = async (action, fields = {}) => {
    const reply = await socket.request(controlMessage(0, action, fields));
    const status = $("control-status");
    status.textContent = reply.ok ? (reply.output || gettext("Done.")) : (reply.error || gettext("The server refused."));
    status.dataset.ok = String(Boolean(reply.ok));
  };

  const explain = async (pod) => (await socket.request({ type: "explain", namespace: pod.metadata.namespace,
    name: pod.metadata.name })).explanation;
  const diagram = new Diagram($("diagram"), $("diagram-details"), { control, explain });
  const textList = new TextAlternative($("diagram-text"), (selection) => {
    diagram.select(selection);
  });
  const timeline = new Timeline({
    pause: $("time-pause"), speed: $("time-speed"), step: $("time-step"), stepSeconds: $("time-step-seconds"),
    range: $("timeline-range"), position: $("timeline-position"), live: $("timeline-live"), log: $("event-log"),
    history: $("timeline-history"), showAll: $("event-log-all"),
  }, store, control, { loadHistory: () => loadHistory(config, store) });
  resetButton(config, store);
  diagram.renderPanel();
  renderLegend($("flow-legend"));

  store.subscribe((diff) => {
    timeline.update(diff);
    if (!timeline.live) return; // the learner is looking at the past; the live state is kept meanwhile
    diagram.render(store, diff);
    textList.render(store, diff);
    announcer.observe(store, diff);
  });
  timeline.addEventListener("scrub", ({ detail }) => {
    const view = detail.live ? store : store.viewAt(detail.index);
    diagram.render(view, null, { animate: false });
    textList.render(view, null);
  });

  let resyncPending = false;
  socket.addEventListener("message", ({ detail: message }) => {
    if (message.type === "snapshot") {
      resyncPending = false;
      store.applySnapshot(message);
    } else if (message.type === "batch" && message.reset) {
      // The sandbox was reset (services.sandbox_reset): a new cluster and a new history from here on.
      resyncPending = false;
      store.applySnapshot(message, { reset: true });
    } else if (message.type === "batch") {
      if (store.missedBefore(message)) {
        // Drop it and ask for everything after what we have; the answer covers this batch too.
        if (!resyncPending) socket.resync(store.resourceVersion);
        resyncPending = true;
        return;
      }
      resyncPending = false;
      store.applyBatch(message);
    }
    else if (message.type === "sandbox") store.applySandbox(message.sandbox);
    else if (message.type === "error") console.warn("podlab socket:", message.message);
  });
  socket.connect();
  // A handle for the browser console and the end-to-end tests (they close the socket through it).
  window.podlab = { store, socket, diagram, panes, model: () => kubectlModel(store, store.now) };
  if (config.lesson) {
    const panel = document.querySelector("[data-exercise-panel]");
    if (panel) window.podlab.exercises = new ExercisePanel(panel, { socket, lesson: config.lesson, announcer });
    const quiz = document.querySelector("[data-quiz]");
    if (quiz) window.podlab.quiz = new QuizForm(quiz, { lesson: config.lesson });
  }

  // The terminal and the editor load their libraries on their own, so a slow one never blocks the diagram.
  const [{ TerminalView }, { YamlEditor }] = await Promise.all([import("./terminal.js"), import("./editor.js")]);
  const terminal = new TerminalView($("terminal"), { socket, store, font: TERMINAL_FONT });
  $("terminal-screen-reader").addEventListener("change", (event) => terminal.setScreenReaderMode(event.target.checked));
  const editor = new YamlEditor({
    host: $("editor"), apply: $("editor-apply"), dryRun: $("editor-dry-run"), result: $("editor-result"),
    examples: $("editor-examples"), loadExample: $("editor-load-example"),
  }, { socket, examples: config.examples || [] });

  Object.assign(window.podlab, { terminal, editor });
  enhanceCodeBlocks($("lesson"), {
    runInTerminal: async (line) => {
      terminal.focus();
      await terminal.run(line);
    },
    openInEditor: (text) => editor.load(text),
  });
  document.body.classList.add("podlab-ready");
}

main();

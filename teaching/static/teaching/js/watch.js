// An instructor's read-only look at a learner's sandbox: the recorded change log is fed into the page's store
// first (so the timeline scrubs back through the whole session), then the live stream continues it. The
// learner's terminal lines and editor applies arrive as `terminal` messages. Nothing here sends a write.
import { TextAlternative } from "../../frontend/js/a11y.js";
import { Diagram } from "../../frontend/js/diagram/diagram.js";
import { h } from "../../frontend/js/dom.js";
import { fmt, gettext } from "../../frontend/js/i18n.js";
import { SandboxSocket } from "../../frontend/js/socket.js";
import { Store } from "../../frontend/js/store.js";
import { Timeline } from "../../frontend/js/timeline.js";

const $ = (id) => document.getElementById(id);

/** The timeline position just after resourceVersion `rv` (the first entry reaching it). */
function positionAfter(store, rv) {
  for (let index = 0; index < store.history.length; index += 1) {
    if (Number(store.history[index].resourceVersion) >= rv) return index + 1;
  }
  return store.timelineLength;
}

function terminalEntry({ source, text, ok, output, error, exitCode, at }, onClick) {
  const prompt = source === "editor" ? gettext("editor") : (source === "kube-api" ? gettext("Kubernetes API") : "$");
  const item = h("li", { class: `watch-line${ok === false ? " watch-line--failed" : ""}` },
    at ? h("time", {}, new Date(at).toLocaleTimeString()) : null, " ",
    h("span", { class: "watch-prompt" }, prompt), " ",
    onClick ? h("button", { type: "button", class: "link-like", onclick: onClick }, text) : h("code", {}, text));
  if (exitCode !== undefined && exitCode !== null && exitCode !== 0) {
    item.append(" ", h("span", { class: "entry-exit" }, fmt(gettext("exit code %(code)s"), { code: exitCode })));
  }
  const shown = output || error;
  if (shown) item.append(h("pre", { class: "watch-output" }, shown));
  return item;
}

async function main() {
  const config = JSON.parse($("watch-config").textContent);
  const store = new Store();
  const refused = async () => {
    $("control-status").textContent = gettext("This sandbox is read-only for you.");
  };
  const diagram = new Diagram($("diagram"), $("diagram-details"), { control: refused, explain: null });
  const textList = new TextAlternative($("diagram-text"), (selection) => diagram.select(selection));
  const timeline = new Timeline({
    pause: $("time-pause"), speed: $("time-speed"), step: $("time-step"), stepSeconds: $("time-step-seconds"),
    range: $("timeline-range"), position: $("timeline-position"), live: $("timeline-live"), log: $("event-log"),
  }, store, refused);
  diagram.renderPanel();
  let loading = true;
  store.subscribe((diff) => {
    timeline.update(diff);
    if (loading || !timeline.live) return;
    diagram.render(store, diff);
    textList.render(store, diff);
  });
  timeline.addEventListener("scrub", ({ detail }) => {
    const view = detail.live ? store : store.viewAt(detail.index);
    diagram.render(view, null, { animate: false });
    textList.render(view, null);
  });

  // The recorded session first: a base, then every logged step, as if they had arrived as batches.
  const response = await fetch(config.historyUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
  const history = await response.json();
  store.applySnapshot({ objects: history.base.objects, resourceVersion: history.base.resourceVersion,
    time: history.base.time, recent: [], sandbox: { id: config.sandboxId, readOnly: true } });
  for (const step of history.steps) store.applyBatch(step);
  loading = false;
  diagram.render(store, null, { animate: false });
  textList.render(store, null);
  if (!history.base.exact) {
    const note = $("history-note");
    note.hidden = false;
    note.textContent = fmt(gettext("The replay starts at version %(rv)s: objects changed before then are shown as they were at their first recorded change."),
      { rv: history.base.resourceVersion });
  }
  const terminal = $("watch-terminal");
  for (const command of history.commands) {
    const [first] = command.text.split("\n");
    const rv = command.resource_version;
    terminal.append(terminalEntry({ source: command.source, text: first, ok: command.exit_code === 0,
      exitCode: command.exit_code, at: command.at },
    rv ? () => timeline.scrubTo(positionAfter(store, Number(rv))) : null));
  }

  const socket = new SandboxSocket({ wsPath: config.wsPath, getSince: () => store.resourceVersion,
    language: config.language });
  const banner = $("connection");
  socket.addEventListener("state", ({ detail }) => {
    banner.dataset.state = detail.state;
    banner.querySelector(".connection-text").textContent = detail.state === "open"
      ? gettext("Watching live (read-only)") : (detail.state === "failed" ? gettext("You may not open this cluster.")
        : gettext("Reconnecting…"));
  });
  let resyncPending = false;
  socket.addEventListener("message", ({ detail: message }) => {
    if (message.type === "snapshot") {
      resyncPending = false;
      store.applySnapshot(message);
    } else if (message.type === "batch") {
      if (store.missedBefore(message)) {
        if (!resyncPending) socket.resync(store.resourceVersion);
        resyncPending = true;
        return;
      }
      resyncPending = false;
      store.applyBatch(message);
    } else if (message.type === "sandbox") store.applySandbox(message.sandbox);
    else if (message.type === "terminal") {
      const [first, ...rest] = message.command.split("\n");
      terminal.append(terminalEntry({ source: message.source, text: first, ok: message.ok,
        output: message.source === "editor" && rest.length ? `${rest.join("\n")}\n${message.output}` : message.output,
        error: message.error, at: new Date().toISOString() }));
      terminal.lastElementChild.scrollIntoView({ block: "nearest" });
    }
  });
  socket.connect();
  window.podlab = { store, socket, diagram, timeline };
  document.body.classList.add("podlab-ready");
}

main();

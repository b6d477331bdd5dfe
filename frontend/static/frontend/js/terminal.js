// The in-page terminal: xterm.js with a line editor, history, Tab completion, Ctrl-C / Ctrl-L, and
// `kubectl get -w` streamed from the page's own watch events. kubectl prints no colours, neither do we.
import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";

import { commonPrefix, complete } from "./completion.js";
import { gettext } from "./i18n.js";
import { LineEditor } from "./line-editor.js";
import { commandMessage } from "./protocol.js";
import { columnStarts, formatRow, parseWatch, rowValues, watchMatches } from "./watch.js";

const PROMPT = "$ ";
const HISTORY_KEY = "podlab.terminal.history";
const WATCH_HEADERS = {
  Pod: ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
  Node: ["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
  Deployment: ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
  ReplicaSet: ["NAME", "DESIRED", "CURRENT", "READY", "AGE"],
  Service: ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"],
};

function loadHistory() {
  try {
    return JSON.parse(sessionStorage.getItem(HISTORY_KEY) || "[]");
  } catch {
    return [];
  }
}

/** Text for xterm: lines end in CRLF. */
function crlf(text) {
  return text.replace(/\r?\n/g, "\r\n");
}

export class TerminalView {
  /** `container`: the element xterm opens in; `socket`: SandboxSocket; `store`: the live Store. */
  constructor(container, { socket, store, onClear, font = { family: "monospace", size: 14 } }) {
    this.container = container;
    this.socket = socket;
    this.store = store;
    this.onClear = onClear;
    this.editor = new LineEditor({ history: loadHistory() });
    this.busy = null; // {id} while a command awaits its reply
    this.watch = null; // {spec, starts, unsubscribe}
    this.lastTab = 0;
    this.cursorRow = 0;
    this.escape = false;
    Terminal.strings.promptLabel = gettext("Terminal input");
    Terminal.strings.tooMuchOutput = gettext("Too much output to announce, navigate to rows manually to read");
    this.term = new Terminal({
      convertEol: false, cursorBlink: true, scrollback: 5000, fontSize: font.size, fontFamily: font.family,
      theme: { background: "#0f1b2d", foreground: "#e8eef7", cursor: "#ffb300" },
    });
    this.fit = new FitAddon();
    this.term.loadAddon(this.fit);
    this.term.open(container);
    this.term.attachCustomKeyEventHandler((event) => this.keyFilter(event));
    this.term.onData((data) => this.onData(data));
    new ResizeObserver(() => this.resize()).observe(container);
    this.resize();
    this.term.writeln(gettext("Type kubectl commands here. Tab completes, Up and Down walk the history, Ctrl-C interrupts, Ctrl-L clears."));
    this.prompt();
  }

  resize() {
    try {
      this.fit.fit();
    } catch {
      // Hidden containers have no size; the next resize fits again.
    }
  }

  /** Let Escape then Tab leave the terminal (keyboard users must not be trapped). */
  keyFilter(event) {
    if (event.type !== "keydown") return true;
    if (event.key === "Escape") {
      this.escape = true;
      return false;
    }
    if (event.key === "Tab" && this.escape) {
      this.escape = false;
      return false;
    }
    this.escape = false;
    return true;
  }

  setScreenReaderMode(on) {
    this.term.options.screenReaderMode = on;
  }

  focus() {
    this.term.focus();
  }

  prompt() {
    this.cursorRow = 0;
    this.term.write(PROMPT);
  }

  /** Redraw the input line (it may wrap over several rows) and put the cursor where the editor has it. */
  renderLine() {
    const cols = this.term.cols;
    let out = this.cursorRow > 0 ? `\x1b[${this.cursorRow}A` : "";
    out += `\r\x1b[J${PROMPT}${this.editor.buffer}`;
    const endLength = PROMPT.length + this.editor.buffer.length;
    if (endLength > 0 && endLength % cols === 0) out += " \r";
    const endRow = Math.floor(endLength / cols);
    const target = PROMPT.length + this.editor.cursor;
    const row = Math.floor(target / cols);
    const col = target % cols;
    if (endRow > row) out += `\x1b[${endRow - row}A`;
    out += "\r";
    if (col > 0) out += `\x1b[${col}C`;
    this.cursorRow = row;
    this.term.write(out);
  }

  /** Move below the input line before printing output. */
  newline() {
    const endRow = Math.floor((PROMPT.length + this.editor.buffer.length) / this.term.cols);
    if (endRow > this.cursorRow) this.term.write(`\x1b[${endRow - this.cursorRow}B`);
    this.term.write("\r\n");
    this.cursorRow = 0;
  }

  onData(data) {
    if (data === "\x03") return this.interrupt();
    if (this.busy || this.watch) return undefined; // input waits until the command ends (Ctrl-C ends it)
    switch (data) {
      case "\r": return this.submit();
      case "\x7f": case "\b": this.editor.backspace(); break;
      case "\x1b[3~": this.editor.deleteForward(); break;
      case "\x1b[A": this.editor.up(); break;
      case "\x1b[B": this.editor.down(); break;
      case "\x1b[C": this.editor.right(); break;
      case "\x1b[D": this.editor.left(); break;
      case "\x1b[H": case "\x1bOH": case "\x01": this.editor.home(); break;
      case "\x1b[F": case "\x1bOF": case "\x05": this.editor.end(); break;
      case "\x15": this.editor.killToStart(); break;
      case "\x0b": this.editor.killToEnd(); break;
      case "\x17": this.editor.deleteWordBack(); break;
      case "\x0c": return this.clear();
      case "\t": return this.tab();
      default:
        if (data.startsWith("\x1b")) return undefined;
        if (/[\r\n]/.test(data)) return this.paste(data);
        this.editor.insert(data.replace(/[\x00-\x1f]/g, ""));
    }
    this.renderLine();
    return undefined;
  }

  /** Pasted lines run one after the other. */
  async paste(data) {
    const lines = data.split(/\r\n|\r|\n/);
    for (let i = 0; i < lines.length; i += 1) {
      this.editor.insert(lines[i]);
      this.renderLine();
      if (i < lines.length - 1) await this.submit();
    }
  }

  tab() {
    const line = this.editor.buffer.slice(0, this.editor.cursor);
    const { start, prefix, candidates } = complete(line, this.store);
    if (!candidates.length) {
      this.term.write("\x07");
      return;
    }
    const common = candidates.length === 1 ? `${candidates[0]} ` : commonPrefix(candidates);
    if (common.length > prefix.length) {
      this.editor.set(line.slice(0, start) + common + this.editor.buffer.slice(this.editor.cursor), start + common.length);
      this.renderLine();
      return;
    }
    const now = Date.now();
    if (now - this.lastTab < 800) {
      this.newline();
      this.term.write(crlf(`${candidates.join("  ")}\n`));
      this.prompt();
      this.renderLine();
    } else this.term.write("\x07");
    this.lastTab = now;
  }

  clear() {
    this.term.clear();
    this.term.write("\x1b[H\x1b[2J");
    this.cursorRow = 0;
    this.renderLine();
    if (this.onClear) this.onClear();
  }

  interrupt() {
    if (this.watch) {
      this.watch.unsubscribe();
      this.watch = null;
      this.term.write("^C\r\n");
      this.prompt();
      return;
    }
    this.term.write("^C");
    this.busy = null;
    this.newline();
    this.editor.reset();
    this.prompt();
  }

  /** Run a command line as if typed (the lesson's "run in terminal"). */
  async run(line) {
    // xterm stops drawing while it is off-screen (an IntersectionObserver pauses its renderer), and the output
    // of a command run from the lesson while it was out of view appeared only with the next one: bring it into
    // view first, and draw every row once the command is done.
    this.container.scrollIntoView({ block: "nearest" });
    if (this.watch) this.interrupt();
    this.editor.set(line);
    this.renderLine();
    await this.submit();
    this.term.refresh(0, this.term.rows - 1);
  }

  async submit() {
    this.newline();
    const line = this.editor.submit().trim();
    try {
      sessionStorage.setItem(HISTORY_KEY, JSON.stringify(this.editor.history.slice(-200)));
    } catch {
      // Storage may be full or denied; history then lasts for this page only.
    }
    if (!line) return this.prompt();
    if (line === "clear") return this.clear();
    if (line === "history") {
      this.term.write(crlf(this.editor.history.map((l, i) => `${String(i + 1).padStart(5)}  ${l}`).join("\n")) + "\r\n");
      return this.prompt();
    }
    const watch = parseWatch(line);
    const token = {};
    this.busy = token;
    const reply = await this.socket.request(commandMessage(0, watch ? watch.listCommand : line));
    if (this.busy !== token) return undefined; // interrupted meanwhile
    this.busy = null;
    this.printReply(reply, watch);
    if (watch && reply.ok) return this.startWatch(watch, reply.output || "");
    return this.prompt();
  }

  printReply(reply, watch) {
    let output = reply.output || "";
    if (watch?.watchOnly) output = "";
    if (output) this.term.write(crlf(output.endsWith("\n") ? output : `${output}\n`));
    if (!reply.ok && reply.error) this.term.write(crlf(`${reply.error}\n`));
  }

  startWatch(spec, listOutput) {
    const first = listOutput.split("\n")[0] || "";
    let starts = /^(NAMESPACE\s+)?NAME\s/.test(first) ? columnStarts(first) : null;
    const withNamespace = spec.namespaced && spec.namespace === null;
    const unsubscribe = this.store.subscribe((diff) => {
      for (const event of diff.events || []) {
        const obj = event.object;
        if (!obj || !watchMatches(spec, obj)) continue;
        const values = rowValues(obj, this.store.now, { withNamespace });
        if (!starts) {
          const header = [...(withNamespace ? ["NAMESPACE"] : []), ...(WATCH_HEADERS[spec.kind] || ["NAME", "AGE"])];
          const widths = header.map((word, i) => Math.max(word.length, (values[i] || "").length + 8));
          starts = widths.reduce((acc, w, i) => [...acc, i ? acc[i - 1] + widths[i - 1] + 3 : 0], []);
          this.term.write(`${formatRow(header, starts)}\r\n`);
        }
        this.term.write(`${formatRow(values, starts)}\r\n`);
      }
    });
    this.watch = { spec, unsubscribe };
  }
}

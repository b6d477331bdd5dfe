// The YAML editor: CodeMirror 6 with YAML highlighting and indentation, "apply" and "dry run" (server-side
// validation), the server's errors shown inline at their line, and the lesson's example manifests.
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { yaml } from "@codemirror/lang-yaml";
import {
  bracketMatching, defaultHighlightStyle, foldGutter, indentOnInput, indentUnit, syntaxHighlighting,
} from "@codemirror/language";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import {
  EditorView, drawSelection, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers,
} from "@codemirror/view";

import { fmt, gettext } from "./i18n.js";
import { applyMessage } from "./protocol.js";

const DRAFT_KEY = "podlab.editor.draft";

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

export class YamlEditor {
  /** `elements`: {host, apply, dryRun, result, examples, loadExample}; `examples`: [{title, yaml}]. */
  constructor(elements, { socket, examples = [] }) {
    this.el = elements;
    this.socket = socket;
    this.examples = examples;
    const initial = sessionStorage.getItem(DRAFT_KEY) ?? (examples[0]?.yaml || "");
    this.view = new EditorView({
      parent: elements.host,
      state: EditorState.create({
        doc: initial,
        extensions: [
          lineNumbers(), highlightActiveLineGutter(), foldGutter(), history(), drawSelection(), indentOnInput(),
          bracketMatching(), highlightActiveLine(), syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          indentUnit.of("  "), EditorState.tabSize.of(2), yaml(), lintGutter(),
          keymap.of([
            { key: "Mod-Enter", run: () => { this.submit(false); return true; } },
            { key: "Shift-Mod-Enter", run: () => { this.submit(true); return true; } },
            ...defaultKeymap, ...historyKeymap, indentWithTab,
          ]),
          EditorView.contentAttributes.of({ "aria-label": gettext("YAML manifest"), "aria-describedby": "editor-help" }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) sessionStorage.setItem(DRAFT_KEY, update.state.doc.toString());
          }),
        ],
      }),
    });
    elements.apply.addEventListener("click", () => this.submit(false));
    elements.dryRun.addEventListener("click", () => this.submit(true));
    for (const [i, example] of examples.entries()) {
      const option = document.createElement("option");
      option.value = String(i);
      option.textContent = example.title;
      elements.examples.append(option);
    }
    elements.examples.closest("[hidden]")?.removeAttribute("hidden");
    if (!examples.length) elements.examples.closest(".examples")?.setAttribute("hidden", "");
    elements.loadExample.addEventListener("click", () => {
      const example = examples[Number(elements.examples.value)];
      if (example) this.load(example.yaml);
    });
  }

  /** Replace the text (an example, a lesson's manifest) and focus the editor. */
  load(text) {
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: text } });
    this.view.dispatch(setDiagnostics(this.view.state, []));
    this.view.focus();
  }

  async submit(dryRun) {
    const { apply, dryRun: dryButton, result } = this.el;
    apply.disabled = true;
    dryButton.disabled = true;
    result.className = "editor-result busy";
    result.textContent = dryRun ? gettext("Checking on the server…") : gettext("Applying…");
    const reply = await this.socket.request(applyMessage(0, this.view.state.doc.toString(), dryRun));
    apply.disabled = false;
    dryButton.disabled = false;
    this.showReply(reply, dryRun);
  }

  showReply(reply, dryRun) {
    const { result } = this.el;
    const diagnostics = [];
    if (reply.ok) {
      result.className = "editor-result ok";
      result.textContent = reply.output || (dryRun ? gettext("The manifest is valid (dry run: nothing was changed).") : gettext("Applied."));
    } else {
      result.className = "editor-result error";
      const position = errorPosition(reply);
      const message = reply.error || reply.status?.message || gettext("The server refused the manifest.");
      result.textContent = position ? fmt(gettext("Line %(line)s: %(message)s"), { line: position.line, message }) : message;
      if (position) {
        const doc = this.view.state.doc;
        const line = doc.line(Math.min(position.line, doc.lines));
        const from = position.column ? Math.min(line.from + position.column - 1, line.to) : line.from;
        diagnostics.push({ from, to: Math.max(from, line.to), severity: "error", message });
      }
    }
    this.view.dispatch(setDiagnostics(this.view.state, diagnostics));
  }
}

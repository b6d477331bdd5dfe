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

import { h } from "./dom.js";
import { describeRefusal } from "./editor-errors.js";
import { fmt, gettext } from "./i18n.js";
import { applyMessage } from "./protocol.js";

const DRAFT_KEY = "podlab.editor.draft";

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
    result.replaceChildren(h("p", {}, dryRun ? gettext("Checking on the server…") : gettext("Applying…")));
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
      result.replaceChildren(h("p", {}, reply.output || (dryRun ? gettext("The manifest is valid (dry run: nothing was changed).") : gettext("Applied."))));
    } else {
      result.className = "editor-result error";
      const { problems, server } = describeRefusal(reply);
      const doc = this.view.state.doc;
      const items = problems.map((problem) => {
        if (!problem.line) return h("li", {}, problem.text);
        const line = doc.line(Math.min(problem.line, doc.lines));
        const from = problem.column ? Math.min(line.from + problem.column - 1, line.to) : line.from;
        diagnostics.push({ from, to: Math.max(from, line.to), severity: "error",
          message: problem.detail ? `${problem.text}\n${problem.detail}` : problem.text });
        return h("li", {}, h("button", { type: "button", class: "link line-link", onclick: () => this.goTo(from) },
          fmt(gettext("Line %(line)s"), { line: problem.line })), ": ", problem.text);
      });
      result.replaceChildren(
        h("p", {}, problems.length > 1 ? gettext("The server refused the manifest:") : gettext("The server refused the manifest.")),
        h("ul", {}, items),
        h("p", { class: "server-message" }, h("span", { class: "visually-hidden" }, gettext("The API server's own words:")), " ", server),
      );
    }
    this.view.dispatch(setDiagnostics(this.view.state, diagnostics));
  }

  /** Put the cursor at document offset `from` and focus the editor (a problem's "Line N" link). */
  goTo(from) {
    this.view.dispatch({ selection: { anchor: from }, scrollIntoView: true });
    this.view.focus();
  }
}

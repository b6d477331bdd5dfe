// The lesson column: a copy button on every code block, "run in terminal" for kubectl lines, "open in editor"
// for manifests, and the exercises' status.
import { h } from "./dom.js";
import { gettext } from "./i18n.js";

/** The kubectl command lines of a code block (a leading "$ " prompt is dropped). Pure. */
export function kubectlLines(text) {
  return text.split("\n").map((line) => line.trim().replace(/^\$\s+/, "")).filter((line) => /^kubectl\s/.test(line));
}

/** Is this code block a manifest (language-yaml, or it has apiVersion and kind)? Pure. */
export function isManifest(code) {
  return /language-ya?ml/.test(code.className) || (/^apiVersion:/m.test(code.textContent) && /^kind:/m.test(code.textContent));
}

async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = gettext("Copied");
  } catch {
    button.textContent = gettext("Copy failed: select the text and copy it");
  }
  setTimeout(() => { button.textContent = gettext("Copy"); }, 2000);
}

/** Add the buttons to every `pre > code` under `root`. */
export function enhanceCodeBlocks(root, { runInTerminal, openInEditor }) {
  for (const code of root.querySelectorAll("pre > code")) {
    const pre = code.parentElement;
    if (pre.dataset.enhanced) continue;
    pre.dataset.enhanced = "1";
    const text = code.textContent;
    const bar = h("div", { class: "code-actions" });
    const copyButton = h("button", { type: "button", class: "button small" }, gettext("Copy"));
    copyButton.addEventListener("click", () => copy(text.replace(/\n$/, ""), copyButton));
    bar.append(copyButton);
    const lines = kubectlLines(text);
    if (lines.length) {
      bar.append(h("button", { type: "button", class: "button small primary", onclick: async () => {
        for (const line of lines) await runInTerminal(line);
      } }, gettext("Run in terminal")));
    }
    if (isManifest(code)) {
      bar.append(h("button", { type: "button", class: "button small", onclick: () => openInEditor(text) }, gettext("Open in editor")));
    }
    pre.after(bar);
  }
}

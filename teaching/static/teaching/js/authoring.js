// The authoring admin: the lesson or exercise previewed as learners see it, in Russian and English side by side,
// refreshed as the author types; each YAML field checked as the loader checks it, with the error's line; and
// the reference solution tried on a fresh sandbox.
import { fmt, gettext } from "../../frontend/js/i18n.js";

const PREVIEW_DELAY_MS = 400;

function debounce(fn, delay) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), delay);
  };
}

async function post(url, body) {
  const response = await fetch(url, { method: "POST", body, credentials: "same-origin",
    headers: { Accept: "application/json" } });
  return { ok: response.ok, data: await response.json() };
}

function csrf(form) {
  return form.querySelector("[name=csrfmiddlewaretoken]").value;
}

function setupPreview(form, section) {
  const frames = Object.fromEntries([...section.querySelectorAll("[data-preview-frame]")]
    .map((frame) => [frame.dataset.previewFrame, frame]));
  const refresh = async () => {
    const body = new FormData(form);
    body.set("object_id", section.dataset.objectId || "");
    const { ok, data } = await post(section.dataset.previewUrl, body);
    if (!ok) return;
    for (const [language, frame] of Object.entries(frames)) frame.srcdoc = data[language];
  };
  form.addEventListener("input", debounce(refresh, PREVIEW_DELAY_MS));
  form.addEventListener("change", debounce(refresh, PREVIEW_DELAY_MS));
  refresh();
}

/** Select line `line` (1-based) of a textarea, so the author lands on the error. */
function selectLine(textarea, line) {
  const lines = textarea.value.split("\n");
  const start = lines.slice(0, line - 1).reduce((sum, text) => sum + text.length + 1, 0);
  textarea.focus();
  textarea.setSelectionRange(start, start + (lines[line - 1] || "").length);
}

function setupValidation(form, url) {
  for (const textarea of form.querySelectorAll("textarea[data-yaml-field]")) {
    const problem = document.createElement("div");
    problem.className = "yaml-problem";
    problem.setAttribute("role", "alert");
    problem.dataset.yamlProblem = textarea.dataset.yamlField;
    textarea.after(problem);
    const check = async () => {
      const body = new FormData();
      body.set("csrfmiddlewaretoken", csrf(form));
      body.set("field", textarea.dataset.yamlField);
      body.set("text", textarea.value);
      const { data } = await post(url, body);
      problem.replaceChildren();
      textarea.classList.toggle("yaml-invalid", !data.ok);
      if (data.ok) return;
      const text = document.createElement("span");
      text.textContent = data.line ? fmt(gettext("Line %(line)s: %(message)s"), { line: data.line, message: data.message })
        : data.message;
      problem.append(text);
      if (data.line) {
        const go = document.createElement("button");
        go.type = "button";
        go.className = "button";
        go.textContent = gettext("Go to the line");
        go.addEventListener("click", () => selectLine(textarea, data.line));
        problem.append(" ", go);
      }
    };
    textarea.addEventListener("input", debounce(check, PREVIEW_DELAY_MS));
    check();
  }
}

function setupTry(form, section) {
  const button = section.querySelector("[data-try-button]");
  const result = section.querySelector("[data-try-result]");
  const list = section.querySelector("[data-try-checks]");
  button.addEventListener("click", async () => {
    button.disabled = true;
    result.dataset.ok = "";
    result.textContent = gettext("Running the solution on a fresh sandbox…");
    list.replaceChildren();
    try {
      const { data } = await post(section.dataset.tryUrl, new FormData(form));
      if (!data.ok) {
        result.dataset.ok = "false";
        result.textContent = data.line ? fmt(gettext("Line %(line)s: %(message)s"), data) : data.message;
        return;
      }
      result.dataset.ok = String(data.passed);
      result.textContent = data.passed
        ? fmt(gettext("The solution passes every check: %(score)s of %(max)s points."), { score: data.score, max: data.max_score })
        : fmt(gettext("The solution scores %(score)s of %(max)s points."), { score: data.score, max: data.max_score });
      if (data.error) result.textContent += ` ${data.error}`;
      for (const check of data.checks) {
        const item = document.createElement("li");
        item.className = check.passed ? "check--passed" : "check--failed";
        item.dataset.check = check.id;
        item.textContent = `${check.passed ? "✓" : "✗"} ${check.title}${check.message ? ` — ${check.message}` : ""}`;
        list.append(item);
      }
    } catch (error) {
      result.dataset.ok = "false";
      result.textContent = fmt(gettext("The solution could not run: %(error)s"), { error: error.message });
    } finally {
      button.disabled = false;
    }
  });
}

function main() {
  const form = document.querySelector("#content-main form");
  const preview = document.querySelector("[data-preview]");
  if (form && preview) setupPreview(form, preview);
  const validateUrl = document.querySelector("[data-validate-url]")?.dataset.validateUrl;
  if (form && validateUrl) setupValidation(form, validateUrl);
  const trial = document.querySelector("[data-try]");
  if (form && trial) setupTry(form, trial);
  document.body.classList.add("podlab-ready");
}

main();

// The exercise panel and the quiz of a lesson page: checks ticking live (WebSocket `checks` messages), graded
// attempts ("Check"), hints after repeated misses, reset to the start, and the quiz graded on the server.
// The server decides every result; the page only asks and shows.
import { h } from "./dom.js";
import { fmt, gettext } from "./i18n.js";

const RENEW_LIVE_MS = 4 * 60 * 1000; // the server keeps an exercise live for ten minutes after each open

/** The CSRF token Django set in its cookie. */
export function csrfToken(cookie = globalThis.document?.cookie || "") {
  const match = cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

/**
 * Merge check results into what the panel shows. A full evaluation replaces everything; a live (partial) one
 * replaces only the checks it carries, and never goes back to an older resourceVersion. Pure.
 */
export function mergeResults(shown, update) {
  const rv = Number(update.resourceVersion || 0);
  if (update.partial && rv && shown.resourceVersion && rv < shown.resourceVersion) return shown;
  const checks = update.partial ? { ...shown.checks } : {};
  for (const result of update.results || update.checks || []) checks[result.id] = result;
  return { resourceVersion: Math.max(rv, shown.resourceVersion || 0), checks };
}

/** The score the shown checks add up to. Pure. */
export function scoreOf(checks) {
  return Object.values(checks).reduce((sum, check) => sum + (check.passed ? check.points || 1 : 0), 0);
}

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try { data = await response.json(); } catch { /* an error page */ }
  if (!response.ok) throw new Error((data && (data.detail || data.message)) || `HTTP ${response.status}`);
  return data;
}

export class ExercisePanel {
  constructor(root, { socket, lesson, announcer }) {
    this.root = root;
    this.lesson = lesson;
    this.announcer = announcer;
    this.shown = new Map(); // exercise id -> merged results
    this.items = new Map([...root.querySelectorAll("[data-exercise]")].map((item) => [item.dataset.exercise, item]));
    for (const [id, item] of this.items) {
      item.querySelector("[data-action=check]")?.addEventListener("click", () => this.check(id));
      item.querySelector("[data-action=reset]")?.addEventListener("click", () => this.reset(id));
      item.querySelector("details")?.addEventListener("toggle", (event) => {
        if (event.target.open && item.dataset.here === "true") this.open(id);
      });
    }
    socket.addEventListener("message", ({ detail: message }) => {
      if (message.type !== "checks") return;
      const [slug, id] = String(message.exercise || "").split("/");
      if (slug === lesson.slug && this.items.has(id)) this.show(id, message);
    });
    socket.addEventListener("state", ({ detail }) => {
      if (detail.state === "open" && this.current) this.open(this.current, { quiet: true });
    });
    this.current = lesson.currentExercise;
    if (this.current) this.open(this.current);
    this.renewal = setInterval(() => { if (this.current) this.open(this.current, { quiet: true }); }, RENEW_LIVE_MS);
  }

  url(id, action) {
    return `${this.lesson.api}exercises/${encodeURIComponent(id)}/${action}/`;
  }

  async open(id, { quiet = false } = {}) {
    this.current = id;
    try {
      this.show(id, await post(this.url(id, "open")));
    } catch (error) {
      if (!quiet) this.say(id, fmt(gettext("Could not load the checks: %(error)s"), { error: error.message }), false);
    }
  }

  async check(id) {
    const item = this.items.get(id);
    const button = item.querySelector("[data-action=check]");
    button.disabled = true;
    this.say(id, gettext("Checking your cluster…"), null);
    try {
      const result = await post(this.url(id, "check"));
      this.show(id, result);
      const text = result.passed
        ? fmt(gettext("All checks pass: %(score)s of %(max)s points."), { score: result.score, max: result.max_score })
        : fmt(gettext("%(score)s of %(max)s points. Fix the checks marked ✗ and check again."),
          { score: result.score, max: result.max_score });
      this.say(id, text, result.passed);
      this.setStatus(id, result.passed ? "passed" : (item.dataset.status === "passed" ? "passed" : "working"));
      this.showHints(id, result.hints || []);
      this.announcer?.say(text);
    } catch (error) {
      this.say(id, fmt(gettext("The check could not run: %(error)s"), { error: error.message }), false);
    } finally {
      button.disabled = false;
    }
  }

  async reset(id) {
    if (!window.confirm(gettext("Reset this exercise's cluster to its start? Everything you changed in it is lost."))) return;
    try {
      await post(this.url(id, "reset"));
      this.say(id, gettext("The cluster is back at its start."), true);
      this.open(id, { quiet: true });
    } catch (error) {
      this.say(id, fmt(gettext("Reset failed: %(error)s"), { error: error.message }), false);
    }
  }

  show(id, update) {
    const merged = mergeResults(this.shown.get(id) || { resourceVersion: 0, checks: {} }, update);
    this.shown.set(id, merged);
    const item = this.items.get(id);
    for (const row of item.querySelectorAll("[data-check]")) {
      const result = merged.checks[row.dataset.check];
      if (!result) continue;
      row.classList.remove("check--unknown", "check--passed", "check--failed");
      row.classList.add(result.passed ? "check--passed" : "check--failed");
      row.querySelector(".check-mark").textContent = result.passed ? "✓" : "✗";
      row.querySelector(".check-state").textContent = result.passed ? gettext("passed") : gettext("not yet");
      row.querySelector(".check-message").textContent = result.passed ? "" : result.message || "";
    }
    const max = [...item.querySelectorAll("[data-check] .check-points")].length;
    const score = item.querySelector("[data-score]");
    if (score && max) score.textContent = `${scoreOf(merged.checks)}/${score.textContent.split("/")[1]}`;
  }

  setStatus(id, status) {
    const item = this.items.get(id);
    item.dataset.status = status;
    item.classList.remove("exercise--not-started", "exercise--working", "exercise--passed");
    item.classList.add(`exercise--${status}`);
    const labels = { "not-started": gettext("Not started"), working: gettext("In progress"), passed: gettext("Done") };
    item.querySelector("[data-status-label]").textContent = labels[status];
  }

  showHints(id, hints) {
    const box = this.items.get(id).querySelector("[data-hints]");
    if (!box) return;
    box.hidden = hints.length === 0;
    box.querySelector("ol").replaceChildren(...hints.map((hint) => h("li", {}, hint)));
  }

  say(id, text, ok) {
    const result = this.items.get(id).querySelector("[data-result]");
    if (!result) return;
    result.textContent = text;
    result.dataset.ok = ok === null ? "" : String(Boolean(ok));
  }
}

/** The quiz: answers go to the server, which says which are right and why. */
export class QuizForm {
  constructor(root, { lesson }) {
    this.form = root.querySelector("[data-quiz-form]");
    this.lesson = lesson;
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
  }

  answers() {
    const answers = {};
    for (const fieldset of this.form.querySelectorAll("[data-question]")) {
      answers[fieldset.dataset.question] = [...fieldset.querySelectorAll("input:checked")].map((input) => input.value);
    }
    return answers;
  }

  async submit() {
    const status = this.form.querySelector("[data-quiz-result]");
    try {
      const result = await post(`${this.lesson.api}quiz/`, { answers: this.answers() });
      for (const question of result.questions) {
        const fieldset = this.form.querySelector(`[data-question="${CSS.escape(question.id)}"]`);
        fieldset.classList.remove("question--correct", "question--wrong");
        fieldset.classList.add(question.correct ? "question--correct" : "question--wrong");
        fieldset.querySelector("[data-question-result]").textContent =
          `${question.correct ? gettext("Right.") : gettext("Not quite.")} ${question.explanation}`;
      }
      status.textContent = fmt(gettext("%(score)s of %(max)s right."), { score: result.score, max: result.max_score });
      status.dataset.ok = String(result.passed);
    } catch (error) {
      status.textContent = fmt(gettext("The answers could not be sent: %(error)s"), { error: error.message });
      status.dataset.ok = "false";
    }
  }
}

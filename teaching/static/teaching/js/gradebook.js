// The live gradebook: learners x exercises, sortable and filterable; `progress` messages on the cohort's socket
// update a learner's row, the lesson's summary and who is stuck as learners work.
import { h } from "../../frontend/js/dom.js";
import { fmt, gettext } from "../../frontend/js/i18n.js";
import { SandboxSocket } from "../../frontend/js/socket.js";
import { cellView, duration, rowVisible, sortRows, stuckSentence } from "./grid.js";

const STUCK_REFRESH_MS = 60 * 1000; // "no new check for N minutes" moves with the clock, not only with events

class Gradebook {
  constructor(root, config) {
    this.root = root;
    this.config = config;
    this.table = root.querySelector("[data-gradebook]");
    this.body = this.table.tBodies[0];
    this.columns = [...this.table.querySelectorAll("thead th[data-key]")].map((th) => ({
      key: th.dataset.key, lesson: th.dataset.lesson, title: th.dataset.title }));
    this.titles = Object.fromEntries(this.columns.map((column) => [column.key, column.title]));
    this.rows = new Map(); // learner id -> {id, name, score, stuck, cells, element}
    for (const tr of this.body.querySelectorAll("tr[data-learner]")) {
      const cells = {};
      for (const td of tr.querySelectorAll("td[data-key]")) {
        cells[td.dataset.key] = { status: td.dataset.status, score: Number(td.dataset.score),
          overdue: td.classList.contains("cell--overdue") };
      }
      this.rows.set(tr.dataset.learner, { id: tr.dataset.learner, name: tr.dataset.name, element: tr, cells,
        score: Number(tr.querySelector("[data-total]").dataset.total), stuck: tr.classList.contains("row--stuck") });
    }
    this.sortKey = "name";
    this.descending = false;
    this.filters = { name: "", status: "", lesson: "" };
    for (const button of this.table.querySelectorAll("button[data-sort]")) {
      button.addEventListener("click", () => this.sortBy(button.dataset.sort));
    }
    root.querySelector("[data-filter-name]").addEventListener("input", (event) => {
      this.filters.name = event.target.value;
      this.applyFilters();
    });
    root.querySelector("[data-filter-status]").addEventListener("change", (event) => {
      this.filters.status = event.target.value;
      this.applyFilters();
    });
    root.querySelector("[data-filter-lesson]").addEventListener("change", (event) => {
      this.filters.lesson = event.target.value;
      this.applyFilters();
    });
  }

  sortBy(key) {
    this.descending = this.sortKey === key ? !this.descending : key !== "name";
    this.sortKey = key;
    for (const button of this.table.querySelectorAll("button[data-sort]")) {
      const th = button.closest("th");
      if (button.dataset.sort === key) th.setAttribute("aria-sort", this.descending ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
    }
    this.reorder();
  }

  reorder() {
    for (const row of sortRows([...this.rows.values()], this.sortKey, this.descending)) this.body.append(row.element);
  }

  applyFilters() {
    for (const row of this.rows.values()) row.element.hidden = !rowVisible(row, this.filters);
    const lesson = this.filters.lesson;
    for (const cell of this.table.querySelectorAll("[data-lesson], td[data-key]")) {
      const slug = cell.dataset.lesson || cell.dataset.key.split("/")[0];
      cell.hidden = Boolean(lesson) && slug !== lesson;
    }
  }

  /** A learner's row from the server ({id, username, score, max_score, stuck, cells}). */
  updateRow(learner) {
    let row = this.rows.get(String(learner.id));
    if (!row) row = this.addRow(learner);
    const element = row.element;
    for (const [key, cell] of Object.entries(learner.cells)) {
      const td = element.querySelector(`td[data-key="${CSS.escape(key)}"]`);
      if (!td) continue;
      const before = td.dataset.status + td.dataset.score + td.dataset.attempts;
      this.renderCell(td, cell);
      if (before !== td.dataset.status + td.dataset.score + td.dataset.attempts) {
        td.classList.remove("cell--flash");
        void td.offsetWidth; // restart the highlight
        td.classList.add("cell--flash");
      }
    }
    const total = element.querySelector("[data-total]");
    total.dataset.total = learner.score;
    total.textContent = `${learner.score}/${learner.max_score}`;
    row.score = learner.score;
    row.cells = learner.cells;
    row.stuck = learner.stuck.length > 0;
    element.classList.toggle("row--stuck", row.stuck);
    this.setStuck(learner);
    this.reorder();
    this.applyFilters();
  }

  addRow(learner) {
    const link = h("a", { href: this.config.learnerUrl.replace(/\/0\/$/, `/${learner.id}/`) }, learner.username);
    const element = h("tr", { "data-learner": learner.id, "data-name": learner.username,
      "data-testid": `row-${learner.username}` },
    h("th", { scope: "row" }, link), h("td", { class: "total", "data-total": "0" }, ""),
    ...this.columns.map((column) => h("td", { "data-key": column.key, class: "cell" })));
    this.body.querySelector("tr:not([data-learner])")?.remove(); // "nobody has joined yet"
    this.body.append(element);
    const row = { id: String(learner.id), name: learner.username, element, cells: {}, score: 0, stuck: false };
    this.rows.set(row.id, row);
    return row;
  }

  renderCell(td, cell) {
    const view = cellView(cell);
    td.className = view.className;
    td.dataset.status = cell.status;
    td.dataset.score = cell.score;
    td.dataset.attempts = cell.attempts;
    td.replaceChildren(
      h("span", { class: "cell-mark", "aria-hidden": "true" }, view.mark),
      h("span", { class: "cell-status visually-hidden" }, view.label),
      h("span", { class: "cell-score" }, view.score),
      h("span", { class: "cell-attempts", title: gettext("graded attempts") }, view.attempts),
      ...(view.flag ? [h("span", { class: "cell-flag" }, view.flag)] : []));
  }

  updateLesson(summary) {
    if (!summary) return;
    const box = this.table.querySelector(`[data-lesson-summary="${CSS.escape(summary.slug)}"]`);
    if (!box) return;
    box.querySelector("[data-completion]").textContent = `${Math.round(100 * summary.completion)}% · `
      + fmt(gettext("%(done)s of %(total)s complete"), { done: summary.completed, total: summary.learners });
    box.querySelector("[data-median]").textContent = summary.median_seconds === null ? ""
      : fmt(gettext("median %(time)s"), { time: duration(summary.median_seconds) });
  }

  /** Show (or clear) one learner in the "who is stuck" list. */
  setStuck(learner) {
    const list = this.root.querySelector("[data-stuck-list]");
    list.querySelector(`li[data-learner="${CSS.escape(String(learner.id))}"]`)?.remove();
    if (learner.stuck.length) {
      const link = h("a", { href: this.config.learnerUrl.replace(/\/0\/$/, `/${learner.id}/`) }, learner.username);
      list.append(h("li", { "data-learner": learner.id, "data-testid": `stuck-${learner.username}` }, link, ": ",
        learner.stuck.map((reason) => stuckSentence(reason, this.titles)).join("; ")));
    }
    const none = list.querySelector(".stuck-none");
    const anyone = list.querySelector("li[data-learner]");
    if (anyone && none) none.remove();
    if (!anyone && !none) list.append(h("li", { class: "stuck-none" }, gettext("Nobody is stuck right now.")));
  }

  async refreshStuck() {
    const response = await fetch(this.config.stuckApi, { credentials: "same-origin",
      headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const stuck = new Map((await response.json()).map((entry) => [String(entry.id), entry]));
    for (const row of this.rows.values()) {
      const entry = stuck.get(row.id);
      row.stuck = Boolean(entry);
      row.element.classList.toggle("row--stuck", row.stuck);
      this.setStuck({ id: row.id, username: row.name, stuck: entry ? entry.reasons : [] });
    }
  }

  /** Everything again from the API (after a reconnection: messages may have been missed). */
  async refreshAll() {
    const response = await fetch(this.config.api, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const book = await response.json();
    for (const learner of book.learners) this.updateRow(learner);
    for (const lesson of book.lessons) this.updateLesson(lesson);
  }
}

function main() {
  const config = JSON.parse(document.getElementById("gradebook-config").textContent);
  const gradebook = new Gradebook(document.getElementById("main"), config);
  const state = document.getElementById("gradebook-live");
  // The sandbox socket's client, reconnecting and all, on the cohort's socket (`progress` messages).
  const socket = new SandboxSocket({ wsPath: config.wsPath, language: config.language,
    serverTypes: new Set(["progress", "error"]) });
  let opened = false;
  socket.addEventListener("state", ({ detail }) => {
    state.dataset.state = detail.state;
    if (detail.state === "open") {
      state.textContent = gettext("Live: the gradebook updates as your learners work.");
      if (opened) gradebook.refreshAll();
      opened = true;
    } else if (detail.state === "failed") state.textContent = gettext("Live updates are not available: reload the page.");
    else state.textContent = gettext("Reconnecting for live updates…");
  });
  socket.addEventListener("message", ({ detail: message }) => {
    if (message.type !== "progress") return;
    if (message.learner) gradebook.updateRow(message.learner);
    gradebook.updateLesson(message.lesson);
  });
  socket.connect();
  setInterval(() => gradebook.refreshStuck(), STUCK_REFRESH_MS);
  window.podlabGradebook = { gradebook, socket };
  document.body.classList.add("podlab-ready");
}

main();

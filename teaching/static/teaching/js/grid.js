// The gradebook's pure helpers: cell markup data, durations, sorting and filtering rows. No DOM.
import { fmt, gettext, ngettext } from "../../frontend/js/i18n.js";

/** `1 h 05 min`, `12 min`, `40 s` (as the server's `duration` filter writes them). */
export function duration(seconds) {
  if (seconds === null || seconds === undefined || seconds === "") return "";
  const total = Math.floor(Number(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  if (hours) return fmt(gettext("%(hours)s h %(minutes)s min"), { hours, minutes: String(minutes).padStart(2, "0") });
  if (minutes) return fmt(gettext("%(minutes)s min"), { minutes });
  return fmt(gettext("%(seconds)s s"), { seconds: total % 60 });
}

/** What a cell shows for a gradebook cell ({status, score, max_score, attempts, late, overdue}). */
export function cellView(cell) {
  const marks = { passed: "✓", working: "…", "not-started": "·" };
  const labels = { passed: gettext("passed"), working: gettext("working"), "not-started": gettext("not started") };
  const classes = ["cell", `cell--${cell.status}`];
  if (cell.late) classes.push("cell--late");
  if (cell.overdue) classes.push("cell--overdue");
  return {
    className: classes.join(" "),
    mark: marks[cell.status] || "·",
    label: labels[cell.status] || cell.status,
    score: `${cell.score}/${cell.max_score}`,
    attempts: `×${cell.attempts}`,
    flag: cell.late ? gettext("late") : (cell.overdue ? gettext("overdue") : ""),
  };
}

const STATUS_ORDER = { "not-started": 0, working: 1, passed: 2 };

/**
 * Rows ({name, score, cells: {key: {status, score}}}) sorted by `key`: "name", "score", or an exercise key
 * (status, then score). `descending` reverses; ties keep the learners' names in order.
 */
export function sortRows(rows, key, descending = false) {
  const value = (row) => {
    if (key === "name") return row.name.toLowerCase();
    if (key === "score") return row.score;
    const cell = row.cells[key] || { status: "not-started", score: 0 };
    return (STATUS_ORDER[cell.status] || 0) * 100000 + Number(cell.score || 0);
  };
  const sorted = [...rows].sort((a, b) => {
    const left = value(a);
    const right = value(b);
    if (left < right) return descending ? 1 : -1;
    if (left > right) return descending ? -1 : 1;
    return a.name.localeCompare(b.name);
  });
  return sorted;
}

/** Whether a row ({name, stuck, cells}) passes the filters {name, status: "" | "stuck" | "behind"}. */
export function rowVisible(row, { name = "", status = "" } = {}) {
  if (name && !row.name.toLowerCase().includes(name.toLowerCase())) return false;
  if (status === "stuck") return Boolean(row.stuck);
  if (status === "behind") return Object.values(row.cells).some((cell) => cell.overdue);
  return true;
}

/** A stuck reason ({kind, minutes, check_title, failures, key}) as a sentence; `titles` maps keys to titles. */
export function stuckSentence(reason, titles) {
  const exercise = titles[reason.key] || reason.exercise;
  if (reason.kind === "idle") {
    return fmt(gettext("no new check passed for %(minutes)s min on “%(exercise)s”"), { minutes: reason.minutes, exercise });
  }
  return fmt(ngettext("“%(check)s” failed %(failures)s time in a row on “%(exercise)s”",
    "“%(check)s” failed %(failures)s times in a row on “%(exercise)s”", reason.failures),
  { check: reason.check_title || reason.check, failures: reason.failures, exercise });
}

/** The failing checks of every exercise ({title, checks: [{title, failures}]}), most failed first. */
export function failingChecks(exercises, limit = 10) {
  const found = [];
  for (const exercise of exercises) {
    for (const check of exercise.checks) {
      if (check.failures) found.push({ label: `${exercise.title}: ${check.title}`, failures: check.failures });
    }
  }
  return found.sort((a, b) => b.failures - a.failures).slice(0, limit);
}

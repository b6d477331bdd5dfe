// The statistics page's charts (Chart.js, vendored like the page's other libraries): pass rate, median attempts
// and time to pass, and the checks that fail most. The table under them carries the same figures as text.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from "chart.js";
import { gettext } from "../../frontend/js/i18n.js";
import { failingChecks } from "./grid.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

const css = getComputedStyle(document.documentElement);
const colour = (name, fallback) => css.getPropertyValue(name).trim() || fallback;

function bar(canvas, labels, datasets, options = {}) {
  return new Chart(canvas, {
    type: "bar",
    data: { labels, datasets },
    options: { indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { display: datasets.length > 1 } }, ...options },
  });
}

function main() {
  const { exercises } = JSON.parse(document.getElementById("statistics-data").textContent);
  const labels = exercises.map((exercise) => exercise.title);
  const accent = colour("--accent", "#326ce5");
  const ok = colour("--ok", "#1f8f4e");
  const bad = colour("--bad", "#c62828");
  const charts = {
    passRate: bar(document.getElementById("chart-pass-rate"), labels, [{
      label: gettext("passed (%)"), data: exercises.map((exercise) => Math.round(100 * exercise.pass_rate)),
      backgroundColor: ok }], { scales: { x: { min: 0, max: 100 } } }),
    toPass: bar(document.getElementById("chart-to-pass"), labels, [
      { label: gettext("median attempts"), data: exercises.map((exercise) => exercise.median_attempts_to_pass),
        backgroundColor: accent },
      { label: gettext("median minutes"), backgroundColor: colour("--warn", "#b26b00"),
        data: exercises.map((exercise) => (exercise.median_seconds_to_pass === null ? null
          : Math.round(exercise.median_seconds_to_pass / 6) / 10)) }]),
  };
  const failing = failingChecks(exercises);
  charts.failingChecks = bar(document.getElementById("chart-failing-checks"), failing.map((item) => item.label), [{
    label: gettext("failed attempts"), data: failing.map((item) => item.failures), backgroundColor: bad }]);
  window.podlabCharts = charts;
  document.body.classList.add("podlab-ready");
}

main();

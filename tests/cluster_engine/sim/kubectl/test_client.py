"""The in-page kubectl against a real simulated cluster (`scenario.build`), checked as golden sessions:
each `testdata/cluster/*.txt` is a sequence of `$ kubectl ...` lines (optionally `< stdin-file`) with the
exact terminal output (`[exit N]` after a failure, `[no newline at end]` when kubectl ends without one),
and `@ step N` lines that advance simulated time. Ages are masked with `#` (same width), so a change in
engine timings does not rewrite every file. Set PODLAB_UPDATE_GOLDEN=1 to rewrite
the files from the current output (then review the diff)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from kubectl_fakes import TESTDATA

from cluster_engine.sim import scenario
from cluster_engine.sim.kubectl.client import ClusterClient, run_command

SESSIONS = sorted((TESTDATA / "cluster").glob("*.txt"))
ACTOR = "user:learner"
_AGE_HEADERS = re.compile(r"\b(AGE|Age|LAST SEEN)\b")


def mask_ages(text: str) -> str:
    """Replace the cells under AGE / Age / LAST SEEN headers by `#`s of the same width."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    indent = 0
    for raw in text.split("\n"):
        line = raw
        current_indent = len(line) - len(line.lstrip(" "))
        if spans and (not line.strip() or current_indent < indent):
            spans = []
        if spans:
            chars = list(line)
            for start, end in spans:
                for i in range(start, min(end, len(chars))):
                    if chars[i] != " ":
                        chars[i] = "#"
            line = "".join(chars)
        elif _AGE_HEADERS.search(line) and line.strip().upper().startswith(("NAME", "TYPE", "NAMESPACE", "LAST")):
            indent = current_indent
            starts = [m.start() for m in re.finditer(r"(?<=  )\S|^\s*\S", line)]
            spans = []
            for match in _AGE_HEADERS.finditer(line):
                later = [s for s in starts if s > match.start()]
                spans.append((match.start(), later[0] if later else 1 << 20))
        out.append(line)
    return "\n".join(out)


def run_session(path: Path) -> tuple[str, str]:
    """Replay a session file; returns (the file's text, the text the current code produces)."""
    text = path.read_text(encoding="utf-8")
    cluster = scenario.build()
    produced: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line.startswith("@ step "):
            cluster.step(float(line[len("@ step ") :]))
            produced.append(line + "\n")
            continue
        if not line.startswith("$ "):
            continue
        produced.append(line + "\n")
        stdin = ""
        if i < len(lines) and lines[i].startswith("< "):
            stdin = (TESTDATA / lines[i][2:]).read_text(encoding="utf-8")
            produced.append(lines[i] + "\n")
            i += 1
        result = run_command(cluster, line[2:], actor=ACTOR, stdin=stdin)
        shown = mask_ages(result.stdout) + result.stderr
        produced.append(shown if not shown or shown.endswith("\n") else shown + "\n[no newline at end]\n")
        if result.exit_code:
            produced.append(f"[exit {result.exit_code}]\n")
        while i < len(lines) and not lines[i].startswith(("$ ", "@ ")):
            i += 1
    return text, "".join(produced)


@pytest.mark.parametrize("path", SESSIONS, ids=lambda p: p.stem)
def test_session_against_simulated_cluster_prints_what_kubectl_prints(path: Path) -> None:
    expected, produced = run_session(path)
    if os.environ.get("PODLAB_UPDATE_GOLDEN"):
        path.write_text(produced, encoding="utf-8")
        return
    assert produced == expected


def test_writes_are_made_by_the_bound_actor_at_simulated_now() -> None:
    cluster = scenario.build()
    before = cluster.store.rv
    result = run_command(cluster, "kubectl run web --image=nginx", actor=ACTOR)
    assert result.stdout == "pod/web created\n"
    [change] = cluster.changes(before)
    assert (change["actor"], change["verb"], change["kind"], change["name"]) == (
        ACTOR,
        "create",
        "Pod",
        "web",
    )
    assert change["time"] == cluster.now


def test_client_reports_the_control_plane_version() -> None:
    assert ClusterClient(scenario.build(), actor=ACTOR).server_version() == scenario.KUBERNETES_VERSION


def test_mask_ages_keeps_alignment() -> None:
    table = "NAME   AGE   VERSION\nnode   62m   v1.32.2\n"
    assert mask_ages(table) == "NAME   AGE   VERSION\nnode   ###   v1.32.2\n"


def test_terminal_notes_follow_the_learners_language() -> None:
    result = run_command(scenario.build(), "kubectl get pods | grep web", actor=ACTOR, language="ru")
    assert result.exit_code == 1
    assert result.stderr.startswith("Конвейеры (`|`) здесь недоступны.")


def test_session_namespace_is_the_default_for_commands() -> None:
    result = run_command(scenario.build(), "kubectl get pods", actor=ACTOR, namespace="kube-system")
    assert "kube-apiserver-control-plane" in result.stdout

"""Golden kubectl sessions: each `testdata/<group>/*.txt` holds a command line and kubectl's exact output
(generators: captured from the real kubectl v1.32 with `--dry-run=client`; tables: kubectl's format)."""

from __future__ import annotations

from pathlib import Path

import pytest
from kubectl_fakes import TESTDATA, FakeClient, load_objects, read_golden

from cluster_engine.sim.kubectl.commands import run
from cluster_engine.sim.kubectl.context import Session

GOLDENS = sorted((TESTDATA / "generators").glob("*.txt")) + sorted((TESTDATA / "get").glob("*.txt"))


@pytest.mark.parametrize("path", GOLDENS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_kubectl_prints_exactly_what_kubectl_prints(path: Path) -> None:
    line, stdin, expected = read_golden(path)
    result = run(line, FakeClient(load_objects()), Session(stdin=stdin))
    assert result.stdout + result.stderr == expected

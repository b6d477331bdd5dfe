"""Golden-file helpers: compare with a YAML file under testdata/, or rewrite it when
PODLAB_UPDATE_GOLDEN=1 (then review the diff before committing)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

TESTDATA = Path(__file__).parent / "testdata"


def check(relative: str, actual: Any) -> None:
    path = TESTDATA / relative
    if os.environ.get("PODLAB_UPDATE_GOLDEN") == "1" or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(actual, sort_keys=False, allow_unicode=True, width=1000))
    expected = yaml.safe_load(path.read_text())
    assert actual == expected, f"{relative} differs; rerun with PODLAB_UPDATE_GOLDEN=1 and review the diff"


def load(relative: str) -> Any:
    return yaml.safe_load((TESTDATA / relative).read_text())

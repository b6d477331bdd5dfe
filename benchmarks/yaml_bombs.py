"""YAML bombs: how long the manifest reader takes to refuse a "billion laughs" text (nine aliases of nine of the
level below, nine levels: 9^9 strings once expanded) and an over-deep nesting, before anything is decoded.

The reader counts an alias graph's expanded size without expanding it (`sim/manifests.py`), so a refusal costs
about what reading the text costs. The test (`tests/cluster_engine/test_services.py`) checks the refusal itself
(413, nothing stored); this benchmark checks that it stays cheap. Run from the repository root:

    .venv/bin/python benchmarks/yaml_bombs.py [--repeat 20]

The last line is one JSON object: per text the median and slowest refusal in milliseconds, and whether the
slowest stayed under LIMIT_MS (one second: a refusal must never hold a web request for longer).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cluster_engine.sim.errors import Status
from cluster_engine.sim.manifests import parse_objects

LIMIT_MS = 1000.0


def billion_laughs() -> str:
    """The text of the test: `a` holds nine strings, each next level nine aliases of the one before."""
    return 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join(["*" + chr(97 + i)] * 9) + "]\n" for i in range(8))


def deep_nesting(depth: int = 10_000) -> str:
    return "a: " + "[" * depth + "]" * depth + "\n"


def refusal(text: str) -> tuple[float, int]:
    """Milliseconds to refuse `text`, and the refusal's status code."""
    started = time.perf_counter()
    try:
        parse_objects(text)
    except Status as refused:
        return (time.perf_counter() - started) * 1000, refused.code
    raise SystemExit("the text was accepted: the reader no longer refuses it")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    results: dict[str, dict[str, float | int | bool]] = {}
    for name, text in (("billion_laughs", billion_laughs()), ("deep_nesting", deep_nesting())):
        runs = [refusal(text) for _ in range(args.repeat)]
        times = [elapsed for elapsed, _code in runs]
        results[name] = {"code": runs[0][1], "median_ms": round(statistics.median(times), 2),
                         "max_ms": round(max(times), 2), "within_limit": max(times) < LIMIT_MS}
        print(f"{name}: median {results[name]['median_ms']} ms, slowest {results[name]['max_ms']} ms")
    print(json.dumps({"limit_ms": LIMIT_MS, "repeat": args.repeat, **results}))


if __name__ == "__main__":
    main()

"""The grader: an exercise's checks (data, `vocabulary.py`) evaluated against one reading of a sandbox.

`evaluate(checks, reading)` is a pure function of the reading: the same reading always gives the same result,
and nothing in the sandbox changes. Every result names each check, passed or not, and for a failed one what
was expected and what was found, in both languages (the caller picks the learner's).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lessons.grader.reading import Change, Command, Reading
from lessons.grader.vocabulary import CHECK_TYPES, EVERY_CHANGE, CheckSpecError, Outcome

__all__ = ["Change", "CheckResult", "CheckSpecError", "Command", "Evaluation", "Reading", "evaluate",
           "kinds_read_by", "validate_checks"]

CHECK_KEYS = ("id", "title", "points")


@dataclass(frozen=True)
class CheckResult:
    id: str
    title: dict[str, str]
    passed: bool
    points: int
    message: dict[str, str]

    @property
    def score(self) -> int:
        return self.points if self.passed else 0

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "passed": self.passed, "points": self.points,
                "message": self.message}


@dataclass(frozen=True)
class Evaluation:
    results: tuple[CheckResult, ...]
    resource_version: int

    @property
    def score(self) -> int:
        return sum(result.score for result in self.results)

    @property
    def max_score(self) -> int:
        return sum(result.points for result in self.results)

    @property
    def passed(self) -> bool:
        return all(result.passed for result in self.results)


def check_type(check: dict[str, Any]) -> str:
    """The vocabulary type a check names (its one key besides id, title and points)."""
    names = [key for key in check if key not in CHECK_KEYS]
    return names[0] if len(names) == 1 else ""


def validate_checks(checks: Any, path: str = "checks") -> None:
    """Raise CheckSpecError (its `path` names the key, e.g. `checks[2].pods.selector`) for malformed checks."""
    if not isinstance(checks, list) or not checks:
        raise CheckSpecError(path, "an exercise needs a list of at least one check")
    seen: set[str] = set()
    for index, check in enumerate(checks):
        where = f"{path}[{index}]"
        if not isinstance(check, dict):
            raise CheckSpecError(where, "a check is a mapping: id, title, points and one check type")
        identifier = check.get("id")
        if not isinstance(identifier, str) or not identifier.replace("-", "").isalnum():
            raise CheckSpecError(f"{where}.id", "a slug-like id (letters, digits, dashes)")
        if identifier in seen:
            raise CheckSpecError(f"{where}.id", f"the id {identifier!r} is used twice")
        seen.add(identifier)
        title = check.get("title")
        if not (isinstance(title, dict) and all(isinstance(title.get(lang), str) and title[lang].strip()
                                                for lang in ("en", "ru"))):
            raise CheckSpecError(f"{where}.title", "a title in both languages: {en: ..., ru: ...}")
        points = check.get("points", 1)
        if not isinstance(points, int) or points < 1:
            raise CheckSpecError(f"{where}.points", "a whole number of points, 1 or more")
        names = [key for key in check if key not in CHECK_KEYS]
        if len(names) != 1 or names[0] not in CHECK_TYPES:
            raise CheckSpecError(where, f"name exactly one check type: {', '.join(CHECK_TYPES)}"
                                        + (f" (found {', '.join(names)})" if names else ""))
        kind = CHECK_TYPES[names[0]]
        spec = check[names[0]]
        if not isinstance(spec, dict):
            raise CheckSpecError(f"{where}.{names[0]}", "a mapping of parameters")
        unknown = sorted(set(spec) - set(kind.parameters))
        if unknown:
            raise CheckSpecError(f"{where}.{names[0]}.{unknown[0]}",
                                 f"unknown parameter; {names[0]} takes {', '.join(kind.parameters)}")
        kind.validate(spec, f"{where}.{names[0]}")


def kinds_read_by(checks: Iterable[dict[str, Any]]) -> set[str]:
    """The kinds whose changes can change these checks' results (`*`: any change)."""
    kinds: set[str] = set()
    for check in checks:
        name = check_type(check)
        kinds |= CHECK_TYPES[name].kinds(check[name])
    return kinds


def evaluate_one(check: dict[str, Any], reading: Reading) -> CheckResult:
    name = check_type(check)
    outcome: Outcome = CHECK_TYPES[name].evaluate(check[name], reading)
    return CheckResult(check["id"], dict(check["title"]), outcome.passed, int(check.get("points", 1)),
                       dict(outcome.message) if not outcome.passed else {})


def evaluate(checks: Iterable[dict[str, Any]], reading: Reading) -> Evaluation:
    """Every check against the reading, in order."""
    return Evaluation(tuple(evaluate_one(check, reading) for check in checks), reading.resource_version)


def changes_touch(kinds: set[str], changed_kinds: Iterable[str]) -> bool:
    """Whether a batch that changed `changed_kinds` can change a check reading `kinds`."""
    return EVERY_CHANGE in kinds or bool(kinds & set(changed_kinds))

"""A fake api-server client over `testdata/cluster.yaml` for the kubectl tests (no database)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from cluster_engine.sim.errors import Status, not_found
from cluster_engine.sim.kubectl.resources import by_kind
from cluster_engine.sim.patch import merge_patch
from cluster_engine.sim.util import parse_rfc3339

TESTDATA = Path(__file__).parent / "testdata"
NOW = parse_rfc3339("2026-11-26T12:00:00Z")


class FakeClient:
    """Serves fixed objects as the api-server would; records writes."""

    def __init__(self, objects: list[dict[str, Any]], now: float = NOW) -> None:
        self.objects = objects
        self._now = now
        self.created: list[dict[str, Any]] = []
        self.deleted: list[tuple[str, str, str]] = []
        self.patches: list[tuple[str, str, str, Any, str]] = []
        # (verb, kind, name, field manager, subresource) of every write that reached the server
        self.managers: list[tuple[str, str, str, str | None, str]] = []

    @property
    def now(self) -> float:
        return self._now

    def _matches(self, obj: dict[str, Any], kind: str, namespace: str | None) -> bool:
        meta = obj["metadata"]
        namespaced = by_kind(kind).namespaced
        return obj["kind"] == kind and (not namespaced or namespace is None or meta.get("namespace") == namespace)

    def get(self, kind: str, name: str, namespace: str = "default") -> dict[str, Any]:
        for obj in self.objects:
            if self._matches(obj, kind, namespace) and obj["metadata"]["name"] == name:
                return copy.deepcopy(obj)
        resource = by_kind(kind)
        raise not_found(resource.plural, name, resource.group)

    def list(
        self, kind: str, namespace: str | None = None, *, label_selector: str = "", field_selector: str = ""
    ) -> dict[str, Any]:
        wanted = dict(part.split("=", 1) for part in label_selector.split(",") if part)
        items = [
            copy.deepcopy(o)
            for o in self.objects
            if self._matches(o, kind, namespace)
            and all((o["metadata"].get("labels") or {}).get(k) == v for k, v in wanted.items())
        ]
        items.sort(key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
        return {
            "kind": f"{kind}List",
            "apiVersion": "v1",
            "metadata": {"resourceVersion": "42"},
            "items": items,
        }

    def create(
        self, body: dict[str, Any], *, namespace: str | None, dry_run: bool, field_manager: str | None = None
    ) -> dict[str, Any]:
        obj = copy.deepcopy(body)
        obj["metadata"].setdefault("namespace", namespace)
        obj["metadata"]["creationTimestamp"] = "2026-11-26T12:00:00Z"
        if not dry_run:
            self.created.append(obj)
            self.managers.append(("create", obj.get("kind", ""), obj["metadata"].get("name", ""), field_manager, ""))
        return obj

    def apply(
        self, manifest: dict[str, Any], *, namespace: str | None, dry_run: bool, field_manager: str | None
    ) -> tuple[dict[str, Any], str]:
        return self.create(manifest, namespace=namespace, dry_run=dry_run, field_manager=field_manager), "created"

    def server_side_apply(
        self,
        kind: str,
        name: str,
        manifest: dict[str, Any],
        *,
        namespace: str,
        field_manager: str,
        force: bool,
        dry_run: bool,
    ) -> tuple[dict[str, Any], bool]:
        """Creates a missing object, else merges the configuration (no managedFields bookkeeping here)."""
        try:
            current = self.get(kind, name, namespace)
        except Status:
            return self.create(manifest, namespace=namespace, dry_run=dry_run, field_manager=field_manager), True
        merged = merge_patch(current, manifest)
        if not dry_run:
            self._replace(kind, current, merged)
            self.managers.append(("apply", kind, name, field_manager, ""))
        return merged, False

    def delete(
        self,
        kind: str,
        name: str,
        *,
        namespace: str,
        propagation_policy: str | None,
        grace_period_seconds: int | None,
        dry_run: bool,
    ) -> dict[str, Any]:
        obj = self.get(kind, name, namespace)
        if not dry_run:
            self.deleted.append((kind, namespace, name))
        return obj

    def patch(
        self,
        kind: str,
        name: str,
        body: Any,
        *,
        namespace: str,
        patch_type: str,
        dry_run: bool,
        field_manager: str | None = None,
        subresource: str = "",
    ) -> dict[str, Any]:
        """A JSON merge patch, whatever the type (the patches kubectl sends here merge the same way)."""
        current = self.get(kind, name, namespace)
        patched = merge_patch(current, body)
        if not dry_run:
            self.patches.append((kind, namespace, name, copy.deepcopy(body), patch_type))
            self.managers.append(("patch", kind, name, field_manager, subresource))
            self._replace(kind, current, patched)
        return patched

    def _replace(self, kind: str, current: dict[str, Any], new: dict[str, Any]) -> None:
        for index, obj in enumerate(self.objects):
            if (
                obj is not None
                and obj["kind"] == kind
                and obj["metadata"]["name"] == current["metadata"]["name"]
                and (obj["metadata"].get("namespace", "") == current["metadata"].get("namespace", ""))
            ):
                self.objects[index] = copy.deepcopy(new)

    def logs(
        self,
        name: str,
        *,
        namespace: str,
        container: str | None,
        previous: bool,
        timestamps: bool,
        tail: int | None,
    ) -> str:
        self.get("Pod", name, namespace)
        lines = [f"log line {i} of {container or name}" for i in range(1, 4)]
        shown = lines if tail is None else lines[len(lines) - tail :]
        return "".join(line + "\n" for line in shown)

    def server_version(self) -> str:
        return "v1.32.4"


def load_objects() -> list[dict[str, Any]]:
    text = (TESTDATA / "cluster.yaml").read_text(encoding="utf-8")
    return [doc for doc in yaml.safe_load_all(text) if doc]


def read_golden(path: Path) -> tuple[str, str, str]:
    """A golden file: `$ <command line>`, optional `< <stdin file>` line, then the expected output."""
    first, _, rest = path.read_text(encoding="utf-8").partition("\n")
    assert first.startswith("$ "), path
    stdin = ""
    if rest.startswith("< "):
        stdin_line, _, rest = rest.partition("\n")
        stdin = (TESTDATA / stdin_line[2:]).read_text(encoding="utf-8")
    return first[2:], stdin, rest

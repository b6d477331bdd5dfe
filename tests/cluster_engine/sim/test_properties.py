"""Property-based tests: random request sequences only ever fail with a Status, failed requests change
nothing, resourceVersions strictly increase, and a reloaded cluster continues exactly as the original."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sim_helpers import small_cluster

from cluster_engine.sim.cluster import Cluster
from cluster_engine.sim.errors import Status

BASE = small_cluster().dumps()

names = st.sampled_from(["web", "db", "Web", "a" * 70, "", "cache-1", "x.y", "-bad"])
images = st.sampled_from(["nginx", "nginx:1.27", "busybox", "redis:7", "nginx:0.0.0", "nope/nope", ""])
commands = st.sampled_from(
    [
        None,
        ["sleep", "3"],
        ["sh", "-c", "exit 1"],
        ["sh", "-c", "echo hi; sleep 2"],
        ["ngnix"],
        ["sleep", "x"],
    ]
)
nodes = st.sampled_from([None, "worker-1", "worker-2", "control-plane", "ghost"])
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), st.text(max_size=5))
junk = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def pod_manifest(draw: Any) -> dict[str, Any]:
    container: dict[str, Any] = {"name": draw(st.sampled_from(["app", "App", ""])), "image": draw(images)}
    command = draw(commands)
    if command:
        container["command"] = command
    if draw(st.booleans()):
        container["resources"] = {"limits": {"memory": draw(st.sampled_from(["64Mi", "1Gi", "x", "-1"]))}}
    spec: dict[str, Any] = {
        "containers": [container],
        "restartPolicy": draw(st.sampled_from(["Always", "Never", "OnFailure", "Sometimes"])),
    }
    node = draw(nodes)
    if node:
        spec["nodeName"] = node
    if draw(st.integers(0, 9)) == 0:
        spec[draw(st.sampled_from(["foo", "hostNetwork", "priority"]))] = draw(junk)
    meta: dict[str, Any] = {"name": draw(names)}
    if draw(st.booleans()):
        meta["labels"] = {
            draw(st.sampled_from(["app", "a b", "x/y"])): draw(st.sampled_from(["web", "bad value", ""]))
        }
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}


configmap = st.builds(
    lambda name, data: {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data},
    names,
    st.dictionaries(st.sampled_from(["a", "b", "bad key"]), st.text(max_size=3), max_size=2),
)

operations = st.one_of(
    st.tuples(st.just("create"), st.one_of(pod_manifest(), configmap, junk)),
    st.tuples(st.just("apply"), st.one_of(pod_manifest(), configmap)),
    st.tuples(
        st.just("patch"),
        st.tuples(
            st.sampled_from(["pods", "configmaps", "nodes"]),
            names,
            st.sampled_from(["merge", "json", "strategic", "bogus"]),
            junk,
        ),
    ),
    st.tuples(st.just("update"), st.tuples(st.sampled_from(["pods", "configmaps"]), names, st.booleans())),
    st.tuples(
        st.just("delete"),
        st.tuples(
            st.sampled_from(["pods", "configmaps", "nodes", "namespaces"]),
            st.sampled_from(["web", "db", "worker-2", "default", "kube-public"]),
            st.sampled_from([None, "Foreground", "Background", "Orphan", "Bad"]),
            st.sampled_from([None, 0, 5, -1]),
        ),
    ),
    st.tuples(
        st.just("list"),
        st.tuples(
            st.sampled_from(["pods", "po", "events", "potatoes"]),
            st.text(max_size=12),
            st.sampled_from(["", "spec.nodeName=worker-1", "bogus=1", "status.phase!=Running"]),
        ),
    ),
    st.tuples(st.just("watch"), st.integers(0, 400)),
    st.tuples(st.just("step"), st.floats(0, 400)),
    st.tuples(
        st.just("component"),
        st.tuples(
            st.sampled_from(
                ["kube-scheduler", "kube-controller-manager", "kubelet/worker-1", "kubelet/ghost", "etcd"]
            ),
            st.booleans(),
        ),
    ),
)

WRITES = {"create", "apply", "patch", "update", "delete"}


def _perform(cluster: Cluster, op: str, arg: Any) -> None:
    if op == "create":
        cluster.api.create(arg)
    elif op == "apply":
        cluster.api.apply(arg)
    elif op == "patch":
        kind, name, patch_type, body = arg
        cluster.api.patch(kind, name, body, patch_type=patch_type)
    elif op == "update":
        kind, name, stale = arg
        current = cluster.api.get(kind, name)
        if stale:
            current["metadata"]["resourceVersion"] = "1"
        current.setdefault("metadata", {}).setdefault("labels", {})["touched"] = "yes"
        cluster.api.update(current)
    elif op == "delete":
        kind, name, policy, grace = arg
        cluster.api.delete(kind, name, propagation_policy=policy, grace_period_seconds=grace)
    elif op == "list":
        kind, labels, fields = arg
        cluster.api.list(kind, label_selector=labels, field_selector=fields)
    elif op == "watch":
        cluster.api.watch(arg)
    elif op == "step":
        cluster.step(arg)
    elif op == "component":
        name, running = arg
        cluster.set_component(name, running=running)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operations, min_size=1, max_size=14))
def test_random_requests_fail_only_with_status_and_change_nothing_when_they_fail(ops):
    cluster = Cluster.loads(BASE)
    last_rv = cluster.store.rv
    for op, arg in ops:
        before = cluster.dumps() if op in WRITES else None
        try:
            _perform(cluster, op, arg)
        except Status:
            if before is not None:
                assert cluster.dumps() == before, f"failed {op} changed the state"
        assert cluster.store.rv >= last_rv
        last_rv = cluster.store.rv
    versions = [c["resourceVersion"] for c in cluster.changes()]
    assert [int(v) for v in versions] == sorted({int(v) for v in versions})
    for item in cluster.api.list("pods", namespace=None)["items"]:
        assert int(item["metadata"]["resourceVersion"]) <= cluster.store.rv


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operations, min_size=1, max_size=8), st.lists(operations, min_size=1, max_size=8))
def test_reloaded_cluster_continues_exactly_as_the_original(first, second):
    cluster = Cluster.loads(BASE)
    for op, arg in first:
        with contextlib.suppress(Status):
            _perform(cluster, op, arg)
    copy = Cluster.loads(cluster.dumps())
    copy_of_text = Cluster.from_json(json.loads(json.dumps(cluster.to_json(encode=json.dumps))), decode=json.loads)
    for each in (cluster, copy, copy_of_text):
        for op, arg in second:
            with contextlib.suppress(Status):
                _perform(each, op, arg)
        each.step(120)
    assert copy.dumps() == cluster.dumps()
    assert copy_of_text.dumps() == cluster.dumps()

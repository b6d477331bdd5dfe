"""Every failing request yields a Status worded as kube-apiserver words it (golden file)."""

from __future__ import annotations

from typing import Any

import pytest
from sim_golden import check, load
from sim_helpers import pod

from cluster_engine.sim.cluster import Cluster
from cluster_engine.sim.errors import Status


def _run(cluster: Cluster, case: dict[str, Any]) -> None:
    verb = case["verb"]
    if verb == "create":
        cluster.api.create(case["body"], namespace=case.get("namespace"))
    elif verb == "update":
        cluster.api.update(case["body"])
    elif verb == "get":
        cluster.api.get(case["kind"], case["target"])
    elif verb == "patch":
        cluster.api.patch(
            case["kind"], case["target"], case["patch"], patch_type=case.get("patch_type", "strategic")
        )
    elif verb == "delete":
        cluster.api.delete(case["kind"], case["target"], propagation_policy=case.get("propagation_policy"))
    elif verb == "list":
        cluster.api.list(
            case["kind"],
            label_selector=case.get("label_selector", ""),
            field_selector=case.get("field_selector", ""),
        )
    elif verb == "watch":
        cluster.api.watch(case["since"])
    else:
        raise AssertionError(verb)


def test_status_messages_match_golden(cluster):
    cluster.api.create(pod("web"))
    results = {}
    for case in load("status/requests.yaml"):
        before = cluster.dumps()
        with pytest.raises(Status) as error:
            _run(cluster, case)
        assert cluster.dumps() == before, f"{case['name']} changed the state"
        results[case["name"]] = {"status": error.value.to_dict(), "kubectl": error.value.kubectl_text()}
    check("status/expected.yaml", results)

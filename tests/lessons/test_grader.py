"""The check vocabulary on a simulated cluster alone (no database): each check type passes on what it asks for,
fails with a message naming what was expected and what was found, in both languages, and changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cluster_engine.sim import scenario
from cluster_engine.sim.cluster import Cluster
from lessons import grader
from lessons.grader.reading import Command, Reading, changes_from_engine

LEARNER = "user:ada"
NODES = {"nodes": [
    {"name": "control-plane", "role": "control-plane", "cpu": "2", "memory": "4Gi"},
    {"name": "worker-1", "cpu": "2", "memory": "4Gi", "labels": {"disktype": "ssd"}},
    {"name": "worker-2", "cpu": "2", "memory": "4Gi"},
], "seed": 3}

DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}},
              "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                       "template": {"metadata": {"labels": {"app": "web"}},
                                    "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25",
                                                             "ports": [{"containerPort": 80}]}]}}}}
SERVICE = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
           "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 80}]}}


def cluster_with(*manifests: dict[str, Any], wait: float = 30) -> Cluster:
    cluster = scenario.build({**NODES, "historyLimit": 100_000, "changeLimit": 100_000})
    for manifest in manifests:
        cluster.api.apply(json.loads(json.dumps(manifest)), actor=LEARNER)
    cluster.step(wait)
    return cluster


def reading(cluster: Cluster, commands: list[Command] | None = None) -> Reading:
    return Reading(cluster, learner=LEARNER, resource_version=cluster.store.rv,
                   changes_of=changes_from_engine(cluster), commands_of=lambda: list(commands or []))


def check(spec: dict[str, Any], cluster: Cluster, commands: list[Command] | None = None) -> grader.CheckResult:
    full = {"id": "c", "title": {"en": "A check", "ru": "Проверка"}, **spec}
    grader.validate_checks([full])
    before = cluster.dumps()
    result = grader.evaluate([full], reading(cluster, commands)).results[0]
    assert cluster.dumps() == before, "a check changed the cluster"
    return result


def failing(spec: dict[str, Any], cluster: Cluster, *fragments: str, **kwargs: Any) -> grader.CheckResult:
    result = check(spec, cluster, **kwargs)
    assert not result.passed
    assert set(result.message) == {"en", "ru"}
    assert result.message["en"] != result.message["ru"]
    for fragment in fragments:
        assert fragment in result.message["en"], result.message
    return result


# ------------------------------------------------------------------ object

def test_object_exists_and_its_fields_compare_as_learners_mean_them():
    cluster = cluster_with(DEPLOYMENT)
    assert check({"object": {"kind": "deploy", "name": "web"}}, cluster).passed
    assert check({"object": {"kind": "Deployment", "name": "web", "path": ".spec.replicas", "equals": "2"}},
                 cluster).passed
    assert check({"object": {"kind": "Deployment", "name": "web", "path": "{.spec.template.spec.containers[*].image}",
                             "one_of": ["nginx:1.25", "nginx:1.27"]}}, cluster).passed
    assert check({"object": {"kind": "Deployment", "name": "web", "path": ".metadata.managedFields[*].manager",
                             "contains": "kubectl-client-side-apply"}}, cluster).passed
    assert check({"object": {"kind": "Node", "name": "worker-1", "path": ".status.allocatable.cpu",
                             "at_least": "1500m"}}, cluster).passed
    failing({"object": {"kind": "Deployment", "name": "web", "path": ".spec.replicas", "equals": 3}}, cluster,
            "is 2", "expected 3")
    failing({"object": {"kind": "Deployment", "name": "api"}}, cluster, "Deployment api does not exist")
    failing({"object": {"kind": "Deployment", "name": "web", "path": ".spec.paused", "exists": True}}, cluster,
            "is not set")
    init_image = ".spec.template.spec.initContainers[*].image"
    result = failing({"object": {"kind": "Deployment", "name": "web", "path": init_image, "matches": "^busybox"}},
                     cluster, "is not set; expected a value matching /^busybox/")
    assert result.message["ru"].endswith("не задано, а нужно значение по шаблону /^busybox/.")
    failing({"object": {"kind": "Deployment", "name": "web", "path": ".spec.template.spec.containers[0].image",
                        "matches": "^redis"}}, cluster, "nginx:1.25", "/^redis/")


def test_object_selector_counts():
    cluster = cluster_with(DEPLOYMENT)
    assert check({"object": {"kind": "ReplicaSet", "selector": "app=web", "count": 1}}, cluster).passed
    failing({"object": {"kind": "Pod", "selector": {"app": "web"}, "at_least": 3}}, cluster,
            "Expected at least 3 Pod objects labelled app=web", "found 2")


# ------------------------------------------------------------------ pods

def test_pods_by_owner_readiness_nodes_and_restarts():
    cluster = cluster_with(DEPLOYMENT)
    assert check({"pods": {"owner": {"kind": "Deployment", "name": "web"}, "ready": True, "count": 2}}, cluster).passed
    assert check({"pods": {"selector": "app=web", "phase": "Running", "max_restarts": 0}}, cluster).passed
    failing({"pods": {"owner": {"kind": "Deployment", "name": "web"}, "count": 3}}, cluster,
            "Pods of Deployment web: 2; expected 3")
    failing({"pods": {"owner": {"kind": "Deployment", "name": "nope"}, "count": 1}}, cluster, "Deployment nope")
    on_ssd = check({"pods": {"selector": "app=web", "on_nodes": "disktype=ssd"}}, cluster)
    nodes = {p["spec"]["nodeName"] for p in cluster.api.list("pods", label_selector="app=web")["items"]}
    assert on_ssd.passed == (nodes == {"worker-1"})
    spread = check({"pods": {"selector": "app=web", "distinct_nodes": True}}, cluster)
    assert spread.passed == (len(nodes) == 2)


def test_pods_that_crash_count_their_restarts():
    crasher = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "crash"},
               "spec": {"containers": [{"name": "c", "image": "busybox", "command": ["sh", "-c", "exit 1"]}]}}
    cluster = cluster_with(crasher, wait=60)
    assert check({"pods": {"name": "crash", "min_restarts": 1}}, cluster).passed
    failing({"pods": {"name": "crash", "max_restarts": 0}}, cluster, "restarted", "at most 0")
    failing({"pods": {"name": "crash", "ready": True, "count": 1}}, cluster, "that are ready")


# ------------------------------------------------------------------ services

def test_service_endpoints_selection_and_reachability():
    cluster = cluster_with(DEPLOYMENT, SERVICE)
    assert check({"service": {"name": "web", "endpoints": 2, "selects": {"kind": "Deployment", "name": "web"},
                              "reaches": True}}, cluster).passed
    draws = cluster.draws.counter
    check({"service": {"name": "web", "reaches": True}}, cluster)
    assert cluster.draws.counter == draws  # probing kube-proxy's choice draws nothing from the cluster
    failing({"service": {"name": "web", "endpoints": 3}}, cluster, "has 2 ready endpoints", "expected 3")
    wrong = {**SERVICE, "metadata": {"name": "other"}, "spec": {"selector": {"app": "db"}, "ports": [{"port": 80}]}}
    cluster.api.apply(wrong, actor=LEARNER)
    cluster.step(5)
    failing({"service": {"name": "other", "selects": {"kind": "Deployment", "name": "web"}}}, cluster,
            "selects app=db")
    failing({"service": {"name": "other", "reaches": True}}, cluster, "did not reach a pod")


# ------------------------------------------------------------------ the trace

def test_replaced_pod_needs_the_learners_delete_then_the_controllers_create():
    cluster = cluster_with(DEPLOYMENT)
    spec = {"trace": {"replaced": {"owner": {"kind": "Deployment", "name": "web"}}}}
    failing(spec, cluster, "deleted by you")
    victim = cluster.api.list("pods", label_selector="app=web")["items"][0]["metadata"]["name"]
    cluster.api.delete("pods", victim, actor="user:someone-else")
    cluster.step(10)
    failing(spec, cluster, "deleted by you")  # someone else's delete is not the learner's
    victim = cluster.api.list("pods", label_selector="app=web")["items"][0]["metadata"]["name"]
    cluster.api.delete("pods", victim, actor=LEARNER)
    cluster.step(10)
    assert check(spec, cluster).passed


def test_init_container_must_finish_before_the_main_container_starts():
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
           "spec": {"initContainers": [{"name": "wait", "image": "busybox", "command": ["sh", "-c", "sleep 2"]}],
                    "containers": [{"name": "web", "image": "nginx"}]}}
    spec = {"trace": {"init_before_main": {"pod": "web", "init": "wait"}}}
    assert check(spec, cluster_with(pod)).passed
    sidecar = json.loads(json.dumps(pod))
    sidecar["spec"]["containers"].append(sidecar["spec"].pop("initContainers")[0])
    failing(spec, cluster_with(sidecar), "no init container wait")
    broken = json.loads(json.dumps(pod))
    broken["spec"]["initContainers"][0]["command"] = ["sh", "-c", "exit 1"]
    failing(spec, cluster_with(broken), "has not finished successfully")


def test_rollback_to_revision_one_in_a_new_revision():
    cluster = cluster_with(DEPLOYMENT)
    spec = {"trace": {"rolled_back": {"deployment": "web", "to_revision": 1}}}
    failing(spec, cluster, "never left revision 1")
    cluster.api.patch("deployments", "web", {"spec": {"template": {"spec": {"containers": [
        {"name": "nginx", "image": "nginx:1.27"}]}}}}, actor=LEARNER)
    cluster.step(60)
    failing(spec, cluster, "revision 2")
    from cluster_engine.sim.kubectl.client import run_command
    assert run_command(cluster, "kubectl rollout undo deployment/web", actor=LEARNER).exit_code == 0
    cluster.step(60)
    assert check(spec, cluster).passed


def test_kept_uid_fails_when_the_object_was_deleted_and_recreated():
    cluster = cluster_with(DEPLOYMENT)
    spec = {"trace": {"kept_uid": {"kind": "Deployment", "name": "web"}}}
    assert check(spec, cluster).passed
    cluster.api.delete("deployments", "web", actor=LEARNER)
    cluster.step(5)
    failing(spec, cluster, "was deleted; it should have been kept")
    cluster.api.apply(json.loads(json.dumps(DEPLOYMENT)), actor=LEARNER)
    cluster.step(5)
    failing(spec, cluster, "deleted and created again")


def test_rejected_by_a_plugin_on_a_node():
    picky = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "picky"},
             "spec": {"nodeSelector": {"disktype": "nvme"}, "containers": [{"name": "c", "image": "nginx"}]}}
    cluster = cluster_with(picky, wait=2)
    assert check({"trace": {"rejected": {"pod": "picky", "plugin": "NodeAffinity", "node": "worker-2"}}},
                 cluster).passed
    failing({"trace": {"rejected": {"pod": "picky", "plugin": "NodeResourcesFit"}}}, cluster,
            "has not rejected pod picky")


def test_a_sequence_of_steps_in_order():
    cluster = cluster_with(DEPLOYMENT)
    spec = {"trace": {"sequence": [{"actor": "learner", "verb": "create", "kind": "Deployment", "name": "web"},
                                   {"actor": "replicaset-controller", "verb": "create", "kind": "Pod"}]}}
    assert check(spec, cluster).passed
    backwards = {"trace": {"sequence": list(reversed(spec["trace"]["sequence"]))}}
    result = failing(backwards, cluster, "The history has no create Deployment web by you after the create Pod by "
                                         "replicaset-controller")
    assert "после шага" in result.message["ru"]
    failing({"trace": {"sequence": [{"actor": "learner", "verb": "delete", "kind": "Pod"}]}}, cluster,
            "The history has no delete Pod by you.")


def test_stayed_reads_every_recorded_version_once_the_value_is_reached():
    four = json.loads(json.dumps(DEPLOYMENT))
    four["spec"]["replicas"] = 4
    cluster = cluster_with(four)
    spec = {"trace": {"stayed": {"kind": "Deployment", "name": "web", "path": ".status.availableReplicas",
                                 "at_least": 4}}}
    assert check(spec, cluster).passed  # 0, 1, 2, 3 on the way up, then 4 and never less
    failing({"trace": {"stayed": {"kind": "Deployment", "name": "web", "path": ".status.availableReplicas",
                                  "at_least": 5}}}, cluster, ".status.availableReplicas was never at least 5")
    new_image = {"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}}}
    cluster.api.patch("deployments", "web", new_image, actor=LEARNER)  # the default maxUnavailable 25 %: one down
    cluster.step(60)
    failing(spec, cluster, "became at least 4, then was 3")


def test_stayed_holds_through_a_rollout_that_never_drops_a_ready_pod():
    surge = json.loads(json.dumps(DEPLOYMENT))
    surge["spec"]["replicas"] = 4
    surge["spec"]["strategy"] = {"rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    cluster = cluster_with(surge)
    cluster.api.patch("deployments", "web", {"spec": {"template": {"spec": {"containers": [
        {"name": "nginx", "image": "nginx:1.27"}]}}}}, actor=LEARNER)
    cluster.step(60)
    assert check({"trace": {"stayed": {"kind": "Deployment", "name": "web", "path": ".status.availableReplicas",
                                       "at_least": 4}}}, cluster).passed
    failing({"trace": {"stayed": {"kind": "Deployment", "name": "web", "path": ".status.replicas",
                                  "at_most": 4}}}, cluster, ".status.replicas became at most 4, then was 5")


def test_stayed_counts_an_unset_count_as_zero_and_a_deletion_as_no_value():
    cluster = cluster_with(DEPLOYMENT)
    at_most = {"trace": {"stayed": {"kind": "Deployment", "name": "web", "path": ".status.unavailableReplicas",
                                    "at_most": 0}}}
    failing(at_most, cluster, "became at most 0, then was")  # 0 (not set) at creation, 2 while starting, 0 again
    spec = {"trace": {"stayed": {"kind": "Deployment", "name": "web", "path": ".spec.replicas", "equals": 2}}}
    assert check(spec, cluster).passed
    cluster.api.delete("deployments", "web", actor=LEARNER)
    cluster.step(5)
    cluster.api.apply(json.loads(json.dumps(DEPLOYMENT)), actor=LEARNER)
    cluster.step(5)
    failing(spec, cluster, "then was not set")
    result = failing({"trace": {"stayed": {"kind": "Deployment", "name": "gone", "path": ".spec.replicas",
                                           "equals": 1}}}, cluster, "does not exist")
    assert "не найден" in result.message["ru"]


def test_stayed_without_a_recorded_version_reads_the_object_as_it_is():
    cluster = cluster_with(DEPLOYMENT)
    spec = {"trace": {"stayed": {"kind": "Node", "name": "worker-1", "path": ".status.capacity.cpu",
                                 "equals": "2"}}}
    assert check(spec, cluster).passed
    result = failing({"trace": {"stayed": {"kind": "Node", "name": "worker-1", "path": ".metadata.name",
                                           "one_of": ["worker-2", "worker-3"]}}}, cluster, "was never one of")
    assert "ни разу не выполнилось" in result.message["ru"]


READY = "{.status.conditions[?(@.type=='Ready')].status}"


def _busybox_pod(name: str, script: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": "api"}},
            "spec": {"containers": [{"name": "app", "image": "busybox:1.36", "command": ["sh", "-c", script],
                                     "readinessProbe": {"exec": {"command": ["cat", "/tmp/ready"]},
                                                        "periodSeconds": 5}}]}}


def test_a_sequence_step_reads_a_field_of_the_changed_object_and_can_stay_on_the_same_object():
    # `steady` becomes ready first and stays ready; only `flaky` goes unready for a while and comes back, so the
    # first pod to match the first step is not the one the later steps need
    steady = _busybox_pod("steady", "touch /tmp/ready; sleep 3600")
    flaky = _busybox_pod("flaky", "sleep 3; touch /tmp/ready; sleep 20; rm /tmp/ready; sleep 30; touch /tmp/ready; "
                                  "sleep 3600")
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api"},
               "spec": {"selector": {"app": "api"}, "ports": [{"port": 80}]}}
    cluster = cluster_with(service, steady, flaky, wait=15)
    spec = {"trace": {"sequence": [
        {"kind": "Pod", "path": READY, "equals": "True"},
        {"kind": "Pod", "same_object": True, "path": READY, "equals": "False"},
        # between the two: the Service's endpoints listed a pod as not ready (same_object looks back to the
        # nearest step of its own kind, so the pod steps around this one still name one pod)
        {"actor": "endpointslice-controller", "kind": "EndpointSlice", "name_prefix": "api-",
         "path": "{.endpoints[*].conditions.ready}", "contains": False},
        {"kind": "Pod", "same_object": True, "path": READY, "equals": "True"},
    ]}}
    result = failing(spec, cluster, "The history has no change Pod (the same object) by anyone with "
                                    "{.status.conditions[?(@.type=='Ready')].status} = False")
    assert "(тот же объект)" in result.message["ru"]
    cluster.step(30)  # flaky's probes have failed three times: not ready, not restarted
    failing(spec, cluster, "(the same object) by anyone with {.status.conditions[?(@.type=='Ready')].status} = True")
    cluster.step(40)
    assert check(spec, cluster).passed
    assert check({"pods": {"name": "flaky", "ready": True, "max_restarts": 0}}, cluster).passed
    # without same_object any pod may match each step: the first two steps are met by the two pods' first states
    loose = {"trace": {"sequence": [{"kind": "Pod", "name": "steady", "path": READY, "equals": "True"},
                                    {"kind": "Pod", "name": "flaky", "path": READY, "matches": "^False$"}]}}
    assert check(loose, cluster).passed


# ------------------------------------------------------------------ commands, components, http, events

def test_commands_components_http_and_events():
    cluster = cluster_with(DEPLOYMENT, SERVICE)
    history = [Command("terminal", "kubectl get pods", 0), Command("terminal", "kubectl rollout undo deploy/x", 1)]
    failing({"command": {"matches": r"kubectl rollout undo"}}, cluster, "None of your commands", commands=history)
    history.append(Command("kube-api", "PATCH namespaces/default/deployments/web (fieldManager=kubectl-rollout) "
                                       "kubectl/v1.32.4", None))
    assert check({"command": {"matches": "kubectl-rollout"}}, cluster, commands=history).passed
    assert check({"component": {"name": "kube-scheduler", "running": True}}, cluster).passed
    cluster.set_component("kube-scheduler", running=False)
    result = failing({"component": {"name": "kube-scheduler", "running": True}}, cluster, "is stopped")
    assert "остановлен" in result.message["ru"]
    assert check({"http": {"url": "http://web", "status": 200, "body_contains": "nginx"}}, cluster).passed
    failing({"http": {"url": "http://nowhere"}}, cluster, "Could not resolve host")
    assert check({"event": {"reason": "ScalingReplicaSet", "kind": "Deployment", "name": "web"}}, cluster).passed
    failing({"event": {"reason": "BackOff", "name": "web"}}, cluster, "no BackOff event")


# ------------------------------------------------------------------ validation

T = {"en": "x", "ru": "y"}


@pytest.mark.parametrize(("checks", "path"), [
    ([{"id": "a", "title": T, "pods": {"selector": "app=web", "color": "red"}}], "checks[0].pods.color"),
    ([{"id": "a", "title": {"en": "x"}, "object": {"kind": "Pod", "name": "p"}}], "checks[0].title"),
    ([{"id": "a", "title": T, "object": {"kind": "Widget", "name": "p"}}], "checks[0].object.kind"),
    ([{"id": "a", "title": T, "object": {"kind": "Pod", "name": "p", "path": ".x"}}], "checks[0].object"),
    ([{"id": "a", "title": T, "pods": {"selector": "app in (", "count": 1}}], "checks[0].pods.selector"),
    ([{"id": "a", "title": T, "object": {"kind": "Pod", "name": "p"}, "pods": {"name": "p"}}], "checks[0]"),
    ([{"id": "a", "title": T, "object": {"kind": "Pod", "name": "p"}},
      {"id": "a", "title": T, "object": {"kind": "Pod", "name": "q"}}], "checks[1].id"),
    ([{"id": "a", "title": T, "trace": {"sequence": []}}], "checks[0].trace.sequence"),
    ([{"id": "a", "title": T, "trace": {"stayed": {"kind": "Pod", "name": "p", "path": ".x"}}}],
     "checks[0].trace.stayed"),
    ([{"id": "a", "title": T, "trace": {"stayed": {"kind": "Pod", "name": "p", "path": ".x", "exists": True}}}],
     "checks[0].trace.stayed.exists"),
    ([{"id": "a", "title": T, "trace": {"sequence": [{"kind": "Pod", "equals": "x"}]}}],
     "checks[0].trace.sequence[0]"),
    ([{"id": "a", "title": T, "trace": {"sequence": [{"kind": "Pod", "path": ".x", "equals": 1, "absent": True}]}}],
     "checks[0].trace.sequence[0]"),
    ([{"id": "a", "title": T, "trace": {"sequence": [{"kind": "Pod", "same_object": True}]}}],
     "checks[0].trace.sequence[0].same_object"),
    ([{"id": "a", "title": T, "trace": {"sequence": [{"kind": "Pod"}, {"kind": "Node", "same_object": True}]}}],
     "checks[0].trace.sequence[1].same_object"),
])
def test_malformed_checks_are_refused_with_their_path(checks, path):
    with pytest.raises(grader.CheckSpecError) as error:
        grader.validate_checks(checks)
    assert error.value.path == path


def test_kinds_read_by_checks_drive_live_evaluation():
    checks = [{"id": "a", "title": T, "pods": {"owner": {"kind": "Deployment", "name": "w"}}},
              {"id": "b", "title": T, "object": {"kind": "svc", "name": "w"}}]
    kinds = grader.kinds_read_by(checks)
    assert {"Pod", "Deployment", "ReplicaSet", "Service"} <= kinds
    assert not grader.changes_touch(kinds, {"Event", "Lease"})
    assert grader.changes_touch(kinds, {"Pod"})
    assert grader.changes_touch(grader.kinds_read_by([{"id": "c", "title": T,
                                                       "command": {"matches": "x"}}]), {"Lease"})

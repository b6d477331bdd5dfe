"""rollout, drain, exec and the informational commands against a real simulated cluster: what is sent to
the api-server (the rollback JSON Patch, evictions as deletions) and the parts the golden sessions do not
show (the learner's language, the kubeconfig server passed by the web layer)."""

from __future__ import annotations

import pytest
from kubectl_fakes import FakeClient

from cluster_engine.sim import scenario
from cluster_engine.sim.cluster import Cluster
from cluster_engine.sim.kubectl.client import run_command
from cluster_engine.sim.kubectl.commands import run
from cluster_engine.sim.kubectl.context import Session
from cluster_engine.sim.kubectl.errors import KubectlError
from cluster_engine.sim.kubectl.rollout import deployment_status, rollback_patch

ACTOR = "user:learner"


def _rolled_twice() -> Cluster:
    cluster = scenario.build()
    run_command(cluster, "kubectl create deployment web --image=nginx --replicas=2", actor=ACTOR)
    cluster.step(30)
    run_command(cluster, "kubectl set image deployment/web nginx=nginx:1.27", actor=ACTOR)
    cluster.step(30)
    return cluster


def test_undo_sends_a_json_patch_of_the_old_template_without_its_hash_label() -> None:
    cluster = _rolled_twice()
    before = cluster.store.rv
    result = run_command(cluster, "kubectl rollout undo deployment/web", actor=ACTOR)
    assert result.stdout == "deployment.apps/web rolled back\n"
    [change] = [c for c in cluster.changes(before) if c["kind"] == "Deployment"]
    assert (change["actor"], change["verb"]) == (ACTOR, "patch")
    deployment = cluster.api.get("Deployment", "web")
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx"
    assert "pod-template-hash" not in deployment["spec"]["template"]["metadata"]["labels"]


def test_rollback_patch_keeps_the_deployments_bookkeeping_annotations() -> None:
    deployment = {
        "metadata": {"annotations": {"deployment.kubernetes.io/revision": "4", "team": "a"}},
        "spec": {"template": {}},
    }
    rs = {
        "metadata": {"annotations": {"deployment.kubernetes.io/revision": "2", "kubernetes.io/change-cause": "v1"}},
        "spec": {"template": {"metadata": {"labels": {"app": "web", "pod-template-hash": "abc"}}}},
    }
    assert rollback_patch(deployment, rs) == [
        {"op": "replace", "path": "/spec/template", "value": {"metadata": {"labels": {"app": "web"}}}},
        {
            "op": "replace",
            "path": "/metadata/annotations",
            "value": {"deployment.kubernetes.io/revision": "4", "kubernetes.io/change-cause": "v1"},
        },
    ]


def test_rollout_status_reports_an_exceeded_progress_deadline() -> None:
    deployment = {
        "metadata": {"name": "web", "generation": 2},
        "spec": {"replicas": 3},
        "status": {
            "observedGeneration": 2,
            "conditions": [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}],
        },
    }
    with pytest.raises(KubectlError) as raised:
        deployment_status(deployment)
    assert raised.value.text == 'error: deployment "web" exceeded its progress deadline'


def test_drain_deletes_with_the_pods_grace_period_as_the_learner() -> None:
    cluster = scenario.build()
    run_command(cluster, "kubectl create deployment web --image=nginx --replicas=3", actor=ACTOR)
    cluster.step(20)
    before = cluster.store.rv
    result = run_command(cluster, "kubectl drain worker-2 --ignore-daemonsets", actor=ACTOR)
    assert result.exit_code == 0
    assert result.stdout.endswith("node/worker-2 drained\n")
    deletes = [c for c in cluster.changes(before) if c["kind"] == "Pod" and c["actor"] == ACTOR]
    assert deletes
    # through the eviction API: the DisruptionTarget condition (a status update), then the graceful delete
    assert all(c["verb"] in ("delete", "update", "update/status") for c in deletes)
    assert any(c["verb"] == "delete" for c in deletes)
    terminating = [p for p in cluster.api.list("pods")["items"] if p["metadata"].get("deletionTimestamp")]
    assert terminating
    assert all(any(c["type"] == "DisruptionTarget" and c["reason"] == "EvictionByEvictionAPI"
                   for c in p["status"]["conditions"]) for p in terminating)
    assert cluster.api.get("Node", "worker-2", namespace="")["spec"]["unschedulable"] is True


def test_exec_notes_follow_the_learners_language() -> None:
    cluster = scenario.build()
    run_command(cluster, "kubectl run web --image=nginx", actor=ACTOR)
    cluster.step(20)
    result = run_command(cluster, "kubectl exec -it web -- sh", actor=ACTOR, language="ru")
    assert result.exit_code == 1
    assert result.stderr.startswith("Интерактивные сеансы")
    result = run_command(cluster, "kubectl exec web -- ls", actor=ACTOR, language="ru")
    assert result.stderr.startswith("`ls` есть в этом образе")


def test_exec_without_a_network_facade_says_so(client: FakeClient) -> None:
    client.objects.append(
        {
            "kind": "Pod",
            "apiVersion": "v1",
            "metadata": {"name": "box", "namespace": "default", "uid": "u"},
            "spec": {"nodeName": "n1", "containers": [{"name": "box", "image": "nginx"}]},
            "status": {"phase": "Running", "containerStatuses": [{"name": "box", "state": {"running": {}}}]},
        }
    )
    result = run("kubectl exec box -- curl web", client, Session())
    assert result.exit_code == 1
    assert "cannot route HTTP requests" in result.stderr


def test_cluster_info_and_config_view_use_the_server_the_web_layer_passes() -> None:
    cluster = scenario.build()
    url = "https://podlab.example/k8s/42"
    info = run_command(cluster, "kubectl cluster-info", actor=ACTOR, server_url=url)
    assert f"\x1b[0;33m{url}\x1b[0m" in info.stdout
    view = run_command(cluster, "kubectl config view -o jsonpath={.clusters[0].cluster.server}", actor=ACTOR,
                       server_url=url, context_name="podlab-intro")
    assert view.stdout == url
    context = run_command(cluster, "kubectl config view -o jsonpath={.current-context}", actor=ACTOR,
                          context_name="podlab-intro")
    assert context.stdout == "podlab-intro"


def test_create_job_from_a_cronjob_copies_its_template_and_is_owned_by_it() -> None:
    cluster = scenario.build()
    run_command(cluster, 'kubectl create cronjob nightly --image=busybox:1.36 --schedule="0 3 * * *" '
                         '-- sh -c "echo backup"', actor=ACTOR)
    result = run_command(cluster, "kubectl create job backup-now --from=cronjob/nightly", actor=ACTOR)
    assert result.stdout == "job.batch/backup-now created\n"
    job = cluster.api.get("Job", "backup-now")
    cronjob = cluster.api.get("CronJob", "nightly")
    assert job["metadata"]["annotations"] == {"cronjob.kubernetes.io/instantiate": "manual"}
    assert job["metadata"]["ownerReferences"] == [{"apiVersion": "batch/v1", "kind": "CronJob", "name": "nightly",
                                                   "uid": cronjob["metadata"]["uid"], "controller": True}]
    assert job["spec"]["template"]["spec"]["containers"][0]["command"] == ["sh", "-c", "echo backup"]
    cluster.step(20)
    assert cluster.api.get("Job", "backup-now")["status"]["succeeded"] == 1


EITHER = "error: either --image or --from must be specified"


@pytest.mark.parametrize(("line", "error"), [
    ("kubectl create job x --from=cronjob/missing", 'Error from server (NotFound): cronjobs.batch "missing" not found'),
    ("kubectl create job x --from=deployment/web", "error: unknown object type *v1.Deployment"),
    ("kubectl create job x --from=cronjob/nightly --image=busybox", EITHER),
    ("kubectl create job x --from=cronjob/nightly -- echo hi", "error: cannot specify --from and command"),
    ("kubectl create job x", EITHER),
])
def test_create_job_from_refuses_what_kubectl_refuses(line: str, error: str) -> None:
    cluster = scenario.build()
    run_command(cluster, 'kubectl create cronjob nightly --image=busybox --schedule="0 3 * * *"', actor=ACTOR)
    run_command(cluster, "kubectl create deployment web --image=nginx", actor=ACTOR)
    before = cluster.store.rv
    result = run_command(cluster, line, actor=ACTOR)
    assert result.exit_code == 1
    assert result.stderr.strip() == error
    assert cluster.store.rv == before


def test_label_and_annotate_select_by_fields_as_well_as_labels() -> None:
    cluster = scenario.build()
    for name, node in (("a", "worker-1"), ("b", "worker-2"), ("c", "worker-1")):
        cluster.api.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"tier": "web"}},
                        "spec": {"nodeName": node, "containers": [{"name": "app", "image": "nginx:1.27"}]}})
    result = run_command(cluster, "kubectl label pods -l tier=web --field-selector spec.nodeName=worker-1 "
                                  "tier=debug --overwrite", actor=ACTOR)
    assert result.stdout == "pod/a labeled\npod/c labeled\n"
    pods = cluster.api.list("pods", namespace="default")["items"]
    assert {p["metadata"]["name"]: p["metadata"]["labels"]["tier"] for p in pods} == {
        "a": "debug", "b": "web", "c": "debug"}
    result = run_command(cluster, "kubectl annotate pods --field-selector metadata.name=b note=kept", actor=ACTOR)
    assert result.stdout == "pod/b annotated\n"
    assert cluster.api.get("pods", "b")["metadata"]["annotations"] == {"note": "kept"}
    assert "note" not in (cluster.api.get("pods", "a")["metadata"].get("annotations") or {})


def test_force_delete_removes_a_pod_of_a_silent_node_at_once_and_says_so() -> None:
    cluster = scenario.build()
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "stuck"},
           "spec": {"nodeName": "worker-1", "containers": [{"name": "app", "image": "nginx:1.27"}]}}
    cluster.api.create(pod)
    cluster.step(5)
    cluster.set_component("kubelet/worker-1", running=False)
    graceful = run_command(cluster, "kubectl delete pod stuck --wait=false", actor=ACTOR)
    assert graceful.stdout == 'pod "stuck" deleted\n'
    cluster.step(60)  # nobody on the node confirms the containers stopped: it stays Terminating
    assert cluster.api.get("Pod", "stuck")["metadata"]["deletionTimestamp"]
    forced = run_command(cluster, "kubectl delete pod stuck --force", actor=ACTOR)
    assert forced.stdout == 'pod "stuck" force deleted\n'
    assert forced.stderr.startswith("Warning: Immediate deletion does not wait for confirmation")
    assert not cluster.api.list("Pod", namespace="default")["items"]


@pytest.mark.parametrize(("flags", "sent"), [("--grace-period=0", 1), ("--now", 1), ("--force --grace-period=0", 0),
                                              ("--grace-period=5", 5)])
def test_delete_sends_the_grace_period_kubectl_settles_on(flags: str, sent: int) -> None:
    cluster = scenario.build()
    run_command(cluster, "kubectl run sleeper --image=busybox:1.36 -- sleep 3600", actor=ACTOR)
    cluster.step(5)
    run_command(cluster, f"kubectl delete pod sleeper --wait=false {flags}", actor=ACTOR)
    pod = cluster.api.list("Pod", namespace="default")["items"]
    assert (pod[0]["metadata"]["deletionGracePeriodSeconds"] if pod else 0) == sent


def test_force_with_a_positive_grace_period_is_refused() -> None:
    result = run("kubectl delete pod x --force --grace-period=5", FakeClient([]))
    assert result.exit_code == 1
    assert result.stderr == "error: --force and --grace-period greater than 0 cannot be specified together\n"

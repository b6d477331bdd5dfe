"""Every namespace's `default` ServiceAccount and `kube-root-ca.crt` ConfigMap, from their controllers."""

from __future__ import annotations

from cluster_engine.sim.cluster import Cluster


def _names(cluster: Cluster, kind: str, namespace: str) -> list[str]:
    return [o["metadata"]["name"] for o in cluster.api.list(kind, namespace=namespace)["items"]]


def test_a_cluster_starts_with_the_accounts_its_pods_run_as(cluster: Cluster) -> None:
    for namespace in ("default", "kube-node-lease", "kube-public"):
        assert _names(cluster, "serviceaccounts", namespace) == ["default"]
    assert _names(cluster, "sa", "kube-system") == ["coredns", "default", "kube-proxy", "metrics-server"]
    for pod in cluster.api.list("pods", namespace="kube-system")["items"]:
        account = pod["spec"].get("serviceAccountName", "default")
        assert cluster.store.get("ServiceAccount", "kube-system", account) is not None
    standard = cluster.api.get("storageclasses", "standard")
    assert (standard["provisioner"], standard["volumeBindingMode"]) == ("rancher.io/local-path", "WaitForFirstConsumer")


def test_a_new_namespace_gets_its_account_and_root_ca(cluster: Cluster) -> None:
    cluster.api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    cluster.run_until_idle()
    assert _names(cluster, "sa", "team") == ["default"]
    assert cluster.api.get("configmaps", "kube-root-ca.crt", namespace="team")["data"] == \
        cluster.api.get("configmaps", "kube-root-ca.crt", namespace="default")["data"]


def test_what_a_learner_deletes_comes_back(cluster: Cluster) -> None:
    uid = cluster.api.get("sa", "default")["metadata"]["uid"]
    cluster.api.delete("serviceaccounts", "default")
    cluster.api.delete("configmaps", "kube-root-ca.crt")
    cluster.run_until_idle()
    assert cluster.api.get("sa", "default")["metadata"]["uid"] != uid
    assert "ca.crt" in cluster.api.get("cm", "kube-root-ca.crt")["data"]


def test_nothing_is_recreated_in_a_terminating_namespace(cluster: Cluster) -> None:
    cluster.api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "gone"}})
    cluster.run_until_idle()
    cluster.api.delete("namespaces", "gone")
    cluster.step(30)
    assert cluster.store.get("Namespace", "", "gone") is None
    assert _names(cluster, "sa", "gone") == []

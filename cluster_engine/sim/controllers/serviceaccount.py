"""What every namespace holds from its first moment: the ServiceAccount controller's `default` account
(`pkg/controller/serviceaccount/serviceaccounts_controller.go`) and the root CA publisher's `kube-root-ca.crt`
ConfigMap (`pkg/controller/certificates/rootcacertpublisher`), which the token volume of every pod projects.

Both are keyed by namespace, level-based, and recreate what a learner deletes, as upstream does."""

from __future__ import annotations

from typing import Any

from cluster_engine.sim.errors import Status

from . import DONE, Context, Result

NAME = "serviceaccount-controller"
ROOT_CA_NAME = "root-ca-cert-publisher"
DEFAULT_ACCOUNT = "default"
ROOT_CA_CONFIGMAP = "kube-root-ca.crt"
ROOT_CA_DESCRIPTION = (
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the "
    "internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes "
    "clusters."
)
# The simulated cluster's CA (no real key stands behind it).
ROOT_CA_PEM = "-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIIPodlab\n-----END CERTIFICATE-----\n"


def root_ca_configmap(namespace: str) -> dict[str, Any]:
    """The `kube-root-ca.crt` ConfigMap the publisher keeps in `namespace`."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": ROOT_CA_CONFIGMAP,
            "namespace": namespace,
            "annotations": {"kubernetes.io/description": ROOT_CA_DESCRIPTION},
        },
        "data": {"ca.crt": ROOT_CA_PEM},
    }


def _active(ctx: Context, namespace: str) -> bool:
    ns = ctx.store.get("Namespace", "", namespace)
    return ns is not None and not ns["metadata"].get("deletionTimestamp")


class ServiceAccountsController:
    """`serviceaccount-controller`: a `default` ServiceAccount in every active namespace."""

    name = NAME
    kinds_watched = ("Namespace", "ServiceAccount")

    def keys_for(self, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> list[str]:
        meta = obj["metadata"]
        if kind == "Namespace":
            return [] if event_type == "DELETED" or meta.get("deletionTimestamp") else [meta["name"]]
        if event_type == "DELETED" and meta["name"] == DEFAULT_ACCOUNT:
            return [meta.get("namespace", "")]
        return []

    def reconcile(self, ctx: Context, key: str, now: float) -> Result:
        if not _active(ctx, key) or ctx.store.get("ServiceAccount", key, DEFAULT_ACCOUNT) is not None:
            return DONE
        body = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": DEFAULT_ACCOUNT, "namespace": key}}
        try:
            ctx.api.create(body, namespace=key, actor=NAME, now=now)
        except Status:
            return DONE
        return DONE


class RootCAPublisher:
    """`root-ca-cert-publisher`: the `kube-root-ca.crt` ConfigMap in every active namespace, kept as published."""

    name = ROOT_CA_NAME
    kinds_watched = ("Namespace", "ConfigMap")

    def keys_for(self, event_type: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> list[str]:
        meta = obj["metadata"]
        if kind == "Namespace":
            return [] if event_type == "DELETED" or meta.get("deletionTimestamp") else [meta["name"]]
        return [meta.get("namespace", "")] if meta["name"] == ROOT_CA_CONFIGMAP else []

    def reconcile(self, ctx: Context, key: str, now: float) -> Result:
        if not _active(ctx, key):
            return DONE
        wanted = root_ca_configmap(key)
        current = ctx.store.get("ConfigMap", key, ROOT_CA_CONFIGMAP)
        try:
            if current is None:
                ctx.api.create(wanted, namespace=key, actor=ROOT_CA_NAME, now=now)
            elif current.get("data") != wanted["data"] or (current["metadata"].get("annotations") or {}).get(
                "kubernetes.io/description"
            ) != ROOT_CA_DESCRIPTION:
                annotations = dict(current["metadata"].get("annotations") or {})
                annotations["kubernetes.io/description"] = ROOT_CA_DESCRIPTION
                body = dict(current, apiVersion="v1", kind="ConfigMap", data=wanted["data"],
                            metadata=dict(current["metadata"], annotations=annotations))
                body.pop("binaryData", None)
                ctx.api.update(body, namespace=key, actor=ROOT_CA_NAME, now=now)
        except Status:
            return DONE
        return DONE


CONTROLLER = ServiceAccountsController()
ROOT_CA_CONTROLLER = RootCAPublisher()

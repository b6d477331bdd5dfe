"""apiextensions.k8s.io/v1 CustomResourceDefinition, served read-only and always empty: a sandbox defines no custom
resources, as a fresh kubeadm cluster has none (`kubectl get crd`: No resources found), and creating one is refused
with 405 MethodNotAllowed (custom resources are not simulated).

kubectl needs the collection: before applying a kind it does not find in `/openapi/v3`, it lists the CRDs to learn
whether the kind is a custom resource; an answer lets it reach discovery's `no matches for kind "X" in version
"y/v1"`, as against kube-apiserver, instead of `failed to check CRD: failed to list CRDs`."""

from __future__ import annotations

from cluster_engine.sim.objects import Kind, register

CUSTOM_RESOURCE_DEFINITION = register(Kind(
    "CustomResourceDefinition", "customresourcedefinitions", "customresourcedefinition", group="apiextensions.k8s.io",
    namespaced=False, short_names=("crd", "crds"), categories=("api-extensions",), verbs=("get", "list", "watch")))

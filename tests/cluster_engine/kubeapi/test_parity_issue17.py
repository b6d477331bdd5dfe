"""Parity of issue 17's kinds: the real kubectl 1.32 and the in-page kubectl print the same text for Ingresses,
IngressClasses, NetworkPolicies, PodDisruptionBudgets, HorizontalPodAutoscalers and the RBAC kinds, read and
written (the method and the normalisation are `test_parity.py`'s)."""

from __future__ import annotations

import pytest

from tests.cluster_engine.kubeapi.conftest import Kube
from tests.cluster_engine.kubeapi.test_parity import case, diff, first_pod, in_page, normalise, real, session, step

pytestmark = [pytest.mark.django_db(transaction=True)]
__all__ = ["session"]  # the fixture, used by name

KINDS = """\
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: nginx
  annotations: {ingressclass.kubernetes.io/is-default-class: "true"}
spec:
  controller: k8s.io/ingress-nginx
  parameters: {apiGroup: k8s.example.com, kind: IngressParameters, name: external-lb}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations: {nginx.ingress.kubernetes.io/rewrite-target: /}
spec:
  tls:
  - hosts: [web.example.com]
    secretName: web-tls
  rules:
  - host: web.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
      - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {name: http}}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - podSelector: {matchLabels: {role: frontend}}
    - namespaceSelector: {matchLabels: {team: a}}
      podSelector: {matchExpressions: [{key: tier, operator: In, values: [one, two]}]}
    - ipBlock: {cidr: 10.0.0.0/16, except: [10.0.1.0/24]}
    ports:
    - {protocol: TCP, port: 80}
    - {port: 8000, endPort: 8080}
  - {}
  egress:
  - to:
    - ipBlock: {cidr: 0.0.0.0/0}
    ports: [{port: 53, protocol: UDP}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress}
spec:
  podSelector: {}
  policyTypes: [Egress]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 2
  selector: {matchLabels: {app: web}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 3
  maxReplicas: 6
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 60
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader}
rules:
- apiGroups: ["", apps]
  resources: [pods, deployments, pods/log]
  verbs: [get, list]
- apiGroups: [""]
  resources: [configmaps]
  resourceNames: [settings]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- {kind: User, name: jane}
- {kind: Group, name: devs}
- {kind: ServiceAccount, name: ci, namespace: default}
"""


def with_kinds(kube: Kube) -> None:
    """The real kubectl applies the new kinds; a step lets the controllers write their status."""
    out = kube("apply", "-f", "-", stdin=KINDS)
    assert "horizontalpodautoscaler.autoscaling/web created" in out
    step(kube, 30)


CASES = [
    case("get ingress", prepare=with_kinds, id="get-ingress"),
    case("get ingressclass", prepare=with_kinds, id="get-ingressclass"),
    case("get networkpolicies", prepare=with_kinds, id="get-netpol"),
    case("get pdb -o wide", prepare=with_kinds, id="get-pdb"),
    case("get hpa", prepare=with_kinds, id="get-hpa"),
    case("get roles,rolebindings -o wide", prepare=with_kinds, id="get-rbac"),
    case("get clusterrolebindings cluster-admin kubeadm:cluster-admins -o wide", id="get-clusterrolebindings"),
    case("describe ingress web", prepare=with_kinds, id="describe-ingress"),
    case("describe ingressclass nginx", prepare=with_kinds, id="describe-ingressclass"),
    case("describe netpol", prepare=with_kinds, id="describe-netpol"),
    case("describe pdb web", prepare=with_kinds, id="describe-pdb"),
    case("describe hpa web", prepare=with_kinds, id="describe-hpa"),
    case("describe role reader", prepare=with_kinds, id="describe-role"),
    case("describe rolebinding reader", prepare=with_kinds, id="describe-rolebinding"),
    case("describe clusterrole view", id="describe-clusterrole-view"),
    case("describe clusterrole cluster-admin admin", id="describe-clusterrole-admin"),
    case("describe clusterrolebinding cluster-admin", id="describe-clusterrolebinding"),
    case("create ingress shop --rule=shop.example.com/*=web:80,tls=shop-tls --class=nginx",
         id="create-ingress"),
    case("create ingress bad --rule=nope", id="create-ingress-invalid"),
    case("create role pods --verb=get,list --resource=pods,deploy.apps,pods/log", id="create-role"),
    case("create role none --verb=get --resource=widgets", id="create-role-unknown-resource"),
    case("create rolebinding ops --clusterrole=edit --user=ann --serviceaccount=default:ci",
         id="create-rolebinding"),
    case("create clusterrole logs --verb=get --non-resource-url=/logs/*", id="create-clusterrole"),
    case("create clusterrolebinding ops --clusterrole=view --group=ops", id="create-clusterrolebinding"),
    case("create pdb web --selector=app=web --max-unavailable=1", id="create-pdb"),
    case("create pdb web --selector=app=web", id="create-pdb-invalid"),
    case("autoscale deployment web --cpu-percent=60 --min=2 --max=4", id="autoscale"),
    case("autoscale deployment nope --max=4", id="autoscale-missing"),
    case("autoscale deployment web --max=1 --min=3", id="autoscale-invalid"),
    case("get widgets", id="get-widgets"),
    case("describe pod {pod}", prepare=with_kinds, id="describe-pod-with-kinds"),
]


@pytest.mark.parametrize(("prepare", "command", "mask", "write", "exact"), CASES)
def test_same_text(session, prepare, command, mask, write, exact):
    del mask, exact  # every case compares normalised text
    if prepare is not None:
        prepare(session)
    args = tuple(arg.format(pod=first_pod(session)) for arg in command)
    got = in_page(session, args)
    expected = real(session, args)
    assert expected[0] or expected[1], f"kubectl {' '.join(args)} printed nothing"
    for stream, real_raw, page_raw in (("stdout", expected[0], got[0]), ("stderr", expected[1], got[1])):
        real_text, page_text = normalise(real_raw), normalise(page_raw)
        assert page_text == real_text, f"{stream} of kubectl {' '.join(args)} differs:\n{diff(real_text, page_text)}"
    assert got[2] == expected[2], f"exit code of kubectl {' '.join(args)}: real {expected[2]}, in-page {got[2]}"
    if write:
        assert in_page(session, args)[2] == 0

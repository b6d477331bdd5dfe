"""kubectl's generic describer (`printUnstructuredContent`, `smartLabelFor`) and the describers added next to it
(PersistentVolumeClaim, PriorityClass, EndpointSlice), over the fake client."""

from __future__ import annotations

import pytest
from kubectl_fakes import FakeClient

from cluster_engine.sim.kubectl.commands import run
from cluster_engine.sim.kubectl.describe_generic import camelcase_split, go_value, smart_label


@pytest.mark.parametrize(
    ("field", "label"),
    [
        ("apiVersion", "API Version"),
        ("uid", "UID"),
        ("holderIdentity", "Holder Identity"),
        ("hostIP", "Host IP"),
        ("podIPs", "Pod I Ps"),  # camelcase.Split moves the upper-case letter before a lower-case run
        ("leaseDurationSeconds", "Lease Duration Seconds"),
        ("k8s-app", "k8s-app"),  # anything but letters and `-` keeps the name as it is
        ("kubernetes.io/os", "kubernetes.io/os"),
        ("$patch", "$patch"),
        ("a-b", "A - B"),
    ],
)
def test_smart_label_spells_fields_as_kubectl(field: str, label: str) -> None:
    assert smart_label(field) == label


def test_camelcase_split_keeps_acronyms_together() -> None:
    assert camelcase_split("PDFLoader") == ["PDF", "Loader"]
    assert camelcase_split("renewTime") == ["renew", "Time"]


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, "<nil>"), (True, "true"), (3, "3"), (0.5, "0.5"), (1e6, "1e+06"), (123456.0, "123456"),
     (2.5e-7, "2.5e-07"), (["a", 1], "[a 1]"), ({"b": 1, "a": [True]}, "map[a:[true] b:1]")],
)
def test_values_print_as_go_prints_them_with_percent_v(value: object, text: str) -> None:
    assert go_value(value) == text


def test_pvc_describe_lists_the_pods_using_it(client: FakeClient) -> None:
    client.objects += [
        {"kind": "PersistentVolumeClaim", "apiVersion": "v1",
         "metadata": {"name": "data", "namespace": "default", "finalizers": ["kubernetes.io/pvc-protection"],
                      "annotations": {"volume.beta.kubernetes.io/storage-class": "fast"}},
         "spec": {"accessModes": ["ReadWriteOnce"], "volumeName": "pv-1", "volumeMode": "Filesystem",
                  "storageClassName": "standard", "resources": {"requests": {"storage": "1Gi"}}},
         "status": {"phase": "Bound", "accessModes": ["ReadWriteMany", "ReadWriteOnce"],
                    "capacity": {"storage": "1048576Ki"}}},
        {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "db-1", "namespace": "default", "uid": "p1"},
         "spec": {"volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}], "containers": []}},
        {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "db-0", "namespace": "default", "uid": "p0"},
         "spec": {"volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}], "containers": []}},
    ]
    result = run("kubectl describe pvc data", client)
    assert result.stdout == (
        "Name:          data\n"
        "Namespace:     default\n"
        "StorageClass:  fast\n"  # the beta annotation wins over spec.storageClassName
        "Status:        Bound\n"
        "Volume:        pv-1\n"
        "Labels:        <none>\n"
        "Annotations:   volume.beta.kubernetes.io/storage-class: fast\n"
        "Finalizers:    [kubernetes.io/pvc-protection]\n"
        "Capacity:      1Gi\n"
        "Access Modes:  RWO,RWX\n"
        "VolumeMode:    Filesystem\n"
        "Used By:       db-0\n"
        "               db-1\n"
        "Events:        <none>\n"
    )


def test_endpoint_slice_describe_marks_what_is_unset(client: FakeClient) -> None:
    client.objects.append({
        "kind": "EndpointSlice", "apiVersion": "discovery.k8s.io/v1",
        "metadata": {"name": "web-abc", "namespace": "default"}, "addressType": "IPv4",
        "ports": [{"port": 80, "protocol": "TCP"}],
        "endpoints": [{"addresses": ["10.0.0.1", "10.0.0.2"], "conditions": {"ready": False},
                       "targetRef": {"kind": "Pod", "name": "web-1"}, "nodeName": "n1"}],
    })
    assert run("kubectl describe endpointslice web-abc", client).stdout == (
        "Name:         web-abc\n"
        "Namespace:    default\n"
        "Labels:       <none>\n"
        "Annotations:  <none>\n"
        "AddressType:  IPv4\n"
        "Ports:\n"
        "  Name     Port  Protocol\n"
        "  ----     ----  --------\n"
        "  <unset>  80    TCP\n"
        "Endpoints:\n"
        "  - Addresses:  10.0.0.1, 10.0.0.2\n"
        "    Conditions:\n"
        "      Ready:    false\n"
        "    Hostname:   <unset>\n"
        "    TargetRef:  Pod/web-1\n"
        "    NodeName:   n1\n"
        "    Zone:       <unset>\n"
        "Events:         <none>\n"
    )


def test_without_a_metrics_server_the_metrics_resources_are_not_in_discovery(client: FakeClient) -> None:
    result = run("kubectl get nodes.metrics.k8s.io", client)
    assert result.stderr == 'error: the server doesn\'t have a resource type "nodes"\n'
    assert "metrics.k8s.io" not in run("kubectl api-resources", client).stdout

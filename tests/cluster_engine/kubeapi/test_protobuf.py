"""The protobuf body decoder: bodies kubectl 1.32 really sent, round trips through the test encoder, the zero-value
rules, unknown fields and malformed input; and protobuf bodies through the API in-process."""

from __future__ import annotations

import copy

import pytest

from cluster_engine.kubeapi import protobuf
from cluster_engine.kubeapi.protobuf import MAGIC, MESSAGES, ProtobufError, decode, decode_message, parse_type
from tests.cluster_engine.kubeapi.protobuf_encoder import encode, encode_message, envelope, field, varint

# Request bodies captured from `kubectl create ... -v=9` (kubectl 1.32.4): Go's marshallers write every
# non-pointer field, so these carry the empty strings, zeros and empty messages the decoder must drop.
KUBECTL_DEPLOYMENT = bytes.fromhex(  # kubectl create deployment web --image=nginx --replicas=2
    "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412ab010a1f0a0377656212001a0022002a00320038004200"
    "5a0a0a036170701203776562127a0802120c0a0a0a0361707012037765621a600a1c0a0012001a0022002a003200380042005a"
    "0a0a036170701203776562124012220a056e67696e7812056e67696e782a0042006a00720080010088010090010"
    "0a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000"
    "280038001a002200")
KUBECTL_SERVICE = bytes.fromhex(  # kubectl create service clusterip web --tcp=80:8080
    "6b3873000a0d0a02763112075365727669636512690a1f0a0377656212001a0022002a003200380042005a0a0a036170701203"
    "77656212420a1b0a0738302d38303830120354435018502207080010903f1a002800120a0a0361707012037765621a002209"
    "436c757374657249503a00420052005a00600068001a020a001a002200")
KUBECTL_SECRET = bytes.fromhex(  # kubectl create secret generic s --from-literal=p=q
    "6b3873000a0c0a0276311206536563726574121d0a110a017312001a0022002a0032003800420012060a01701201711a001a00"
    "2200")
KUBECTL_CRONJOB = bytes.fromhex(  # kubectl create cronjob tick --image=busybox --schedule='*/5 * * * *' -- date
    "6b3873000a130a0862617463682f7631120743726f6e4a6f6212aa010a140a047469636b12001a0022002a0032003800420012"
    "8f010a0b2a2f35202a202a202a202a1a002a7e0a140a047469636b12001a0022002a00320038004200126632640a100a001200"
    "1a0022002a00320038004200125012290a047469636b120762757379626f781a04646174652a0042006a00720080010088010"
    "0900100a201001a094f6e4661696c757265320042004a0052005800600068008201008a01009a0100c201001a001a002200")


def test_bodies_kubectl_sends_decode_to_what_its_json_would_say():
    assert decode(KUBECTL_DEPLOYMENT) == {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}},
    }
    assert decode(KUBECTL_SERVICE) == {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {"ports": [{"name": "80-8080", "protocol": "TCP", "port": 80, "targetPort": 8080}],
                 "selector": {"app": "web"}, "type": "ClusterIP"},
    }
    assert decode(KUBECTL_SECRET) == {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                                      "data": {"p": "cQ=="}}
    assert decode(KUBECTL_CRONJOB) == {
        "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "tick"},
        "spec": {"schedule": "*/5 * * * *", "jobTemplate": {
            "metadata": {"name": "tick"},
            "spec": {"template": {"spec": {"containers": [{"name": "tick", "image": "busybox", "command": ["date"]}],
                                           "restartPolicy": "OnFailure"}}}}},
    }


POD_SPEC = {
    "initContainers": [{"name": "init", "image": "busybox", "command": ["sh", "-c"], "args": ["true"]}],
    "containers": [{
        "name": "app", "image": "nginx:1.27", "workingDir": "/srv", "imagePullPolicy": "IfNotPresent",
        "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
        "env": [
            {"name": "PLAIN", "value": "1"},
            {"name": "EMPTY"},
            {"name": "FROM_CM", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "a", "optional": False}}},
            {"name": "FROM_SECRET", "valueFrom": {"secretKeyRef": {"name": "s", "key": "p"}}},
            {"name": "NODE", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}},
        ],
        "envFrom": [{"prefix": "X_", "configMapRef": {"name": "cfg"}}],
        "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": "0"}},
        "volumeMounts": [{"name": "data", "mountPath": "/data", "readOnly": True, "subPath": "x"}],
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP"},
                          "initialDelaySeconds": 5, "periodSeconds": 10, "failureThreshold": 3},
        "readinessProbe": {"tcpSocket": {"port": 8080}, "timeoutSeconds": 2},
        "startupProbe": {"exec": {"command": ["cat", "/tmp/ready"]}, "successThreshold": 1},
        "securityContext": {"runAsUser": 0, "runAsNonRoot": False, "capabilities": {"drop": ["ALL"]}},
    }],
    "restartPolicy": "Always", "terminationGracePeriodSeconds": 0, "dnsPolicy": "ClusterFirst",
    "nodeSelector": {"disk": "ssd"}, "serviceAccountName": "robot", "schedulerName": "default-scheduler",
    "priorityClassName": "high", "hostNetwork": True,
    "tolerations": [{"key": "k", "operator": "Equal", "value": "v", "effect": "NoExecute", "tolerationSeconds": -1},
                    {"operator": "Exists"}],
    "affinity": {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a", "b"]}]}]},
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 10, "preference": {"matchExpressions": [{"key": "gpu", "operator": "Exists"}]}}],
        },
        "podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "podAffinityTerm": {
            "labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "kubernetes.io/hostname"}}]},
        "podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {}, "topologyKey": "zone", "namespaces": ["a"]}]},
    },
    "volumes": [
        {"name": "scratch", "emptyDir": {}},
        {"name": "cfg", "configMap": {"name": "cfg", "items": [{"key": "a", "path": "a.txt"}], "defaultMode": 420}},
        {"name": "sec", "secret": {"secretName": "s", "optional": True}},
        {"name": "data", "persistentVolumeClaim": {"claimName": "data"}},
    ],
}

ROUND_TRIPS = [
    {"apiVersion": "apps/v1", "kind": "Deployment",
     "metadata": {"name": "web", "namespace": "default", "generateName": "web-", "labels": {"app": "web"},
                  "annotations": {"note": "", "x": "y"}, "finalizers": ["a/b"],
                  "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "o", "uid": "u-1",
                                       "controller": False, "blockOwnerDeletion": True}]},
     "spec": {"replicas": 0, "revisionHistoryLimit": 3, "progressDeadlineSeconds": 600, "minReadySeconds": 5,
              "selector": {"matchLabels": {"app": "web"},
                           "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["db"]}]},
              "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "25%"}},
              "template": {"metadata": {"labels": {"app": "web"}}, "spec": POD_SPEC}}},
    {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once"},
     "spec": {"parallelism": 2, "completions": 4, "backoffLimit": 0, "activeDeadlineSeconds": 9_000_000_000,
              "ttlSecondsAfterFinished": 60, "suspend": False, "completionMode": "Indexed",
              "podFailurePolicy": {"rules": [{"action": "FailJob", "onExitCodes": {"operator": "In",
                                                                                  "values": [1, -2, 3]}}]},
              "template": {"spec": {"restartPolicy": "Never",
                                    "containers": [{"name": "c", "image": "busybox", "args": ["echo", "hi"]}]}}}},
    {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "tick"},
     "spec": {"schedule": "*/5 * * * *", "timeZone": "Etc/UTC", "concurrencyPolicy": "Forbid", "suspend": True,
              "startingDeadlineSeconds": 30, "successfulJobsHistoryLimit": 0, "failedJobsHistoryLimit": 1,
              "jobTemplate": {"metadata": {"labels": {"a": "b"}}, "spec": {"template": {"spec": {
                  "restartPolicy": "OnFailure", "containers": [{"name": "c", "image": "busybox"}]}}}}}},
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
     "spec": {"type": "NodePort", "selector": {"app": "web"}, "clusterIP": "None", "sessionAffinity": "ClientIP",
              "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 60}}, "internalTrafficPolicy": "Local",
              "ports": [{"name": "http", "port": 80, "targetPort": "http", "nodePort": 30080, "protocol": "TCP"},
                        {"port": 53, "protocol": "UDP", "targetPort": 5353, "appProtocol": "dns"}]}},
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team", "labels": {"env": "dev"}},
     "spec": {"finalizers": ["kubernetes"]}},
    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "immutable": False,
     "data": {"a": "b", "empty": "", "multi": "line 1\nline 2 \u00e9"}, "binaryData": {"blob": "AAEC/w=="}},
    {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "type": "kubernetes.io/basic-auth",
     "data": {"password": "cQ==", "empty": ""}, "stringData": {"username": "ada"}},
    {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "zero"}, "value": 0,
     "description": "d", "preemptionPolicy": "Never"},
    {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "low"}, "value": -5,
     "globalDefault": True},
    {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q"},
     "spec": {"hard": {"cpu": "1", "memory": "1Gi", "pods": "2"}, "scopes": ["NotTerminating"],
              "scopeSelector": {"matchExpressions": [{"scopeName": "PriorityClass", "operator": "In",
                                                      "values": ["high"]}]}}},
    {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "robot"},
     "automountServiceAccountToken": False, "imagePullSecrets": [{"name": "regcred"}]},
    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "uid": "abc", "resourceVersion": "7",
                                                      "creationTimestamp": "2024-05-01T12:30:00Z"},
     "spec": {"containers": [{"name": "c", "image": "i", "lifecycle": {"preStop": {"sleep": {"seconds": 5}}}}]}},
    {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "p", "namespace": "default"},
     "deleteOptions": {"gracePeriodSeconds": 0, "propagationPolicy": "Foreground", "dryRun": ["All"]}},
]


@pytest.mark.parametrize("obj", ROUND_TRIPS, ids=lambda obj: f"{obj['kind']}-{obj['metadata']['name']}")
def test_round_trip(obj):
    assert decode(encode(obj)) == obj


def test_every_table_type_resolves():
    for name, table in MESSAGES.items():
        for number, (_json_name, spec) in table.items():
            assert number > 0, name
            parse_type(spec)  # raises KeyError for an unknown message name
    assert protobuf.KINDS.issubset(MESSAGES)


def test_zero_values_drop_unless_pointer_or_always_written():
    # Go writes non-pointer fields even when zero; JSON's omitempty drops them. Pointers keep a sent zero.
    spec = (field(1, 0) + field(5, 0) + field(7, 0) + field(4, b"")  # replicas=0*, minReadySeconds, paused, strategy
            + field(3, b""))  # template: non-pointer but always written
    assert decode_message(spec, "DeploymentSpec") == {"replicas": 0, "template": {}}
    assert decode_message(field(2, 0) + field(3, 0), "PriorityClass") == {"value": 0}
    port = field(1, b"") + field(3, 80) + field(4, field(1, 0) + field(2, 0) + field(3, b"")) + field(5, 0)
    assert decode_message(port, "ServicePort") == {"port": 80}  # a zero targetPort is unset
    surge = field(1, field(1, 0) + field(2, 0))  # maxUnavailable: IntOrString 0, a pointer
    assert decode_message(surge, "RollingUpdateDeployment") == {"maxUnavailable": 0}
    volume = field(1, "scratch") + field(2, field(2, field(1, b"")))  # emptyDir {medium: ""}
    assert decode_message(volume, "Volume") == {"name": "scratch", "emptyDir": {}}
    meta = field(1, "x") + field(8, b"") + field(7, 0)  # zero creationTimestamp is null, generation 0 omitted
    assert decode_message(meta, "ObjectMeta") == {"name": "x"}


def test_numbers_and_repeated_encodings():
    assert decode_message(field(5, -1), "Toleration") == {"tolerationSeconds": -1}
    assert decode_message(field(2, 2**32 + 7), "PriorityClass") == {"value": 7}  # int32 truncates, as Go does
    packed = field(2, "In") + field(3, varint(1) + varint(-2 & (2**64 - 1)) + varint(300))
    unpacked = field(2, "In") + field(3, 1) + field(3, -2) + field(3, 300)
    expected = {"operator": "In", "values": [1, -2, 300]}
    assert decode_message(packed, "PodFailurePolicyOnExitCodesRequirement") == expected
    assert decode_message(unpacked, "PodFailurePolicyOnExitCodesRequirement") == expected
    no_value = field(2, field(1, "k"))  # a map entry without its value is the zero value
    assert decode_message(no_value, "ConfigMap") == {"data": {"k": ""}}


def test_unknown_fields_of_every_wire_type_are_skipped():
    unknown = (field(99, 5) + field(98, b"\x01\x02") + varint(97 << 3 | 1) + b"\x00" * 8
               + varint(96 << 3 | 5) + b"\x00" * 4)
    body = encode_message({"metadata": {"name": "x"}, "data": {"a": "b"}}, "ConfigMap") + unknown
    assert decode(envelope(body, "v1", "ConfigMap")) == {"apiVersion": "v1", "kind": "ConfigMap",
                                                         "metadata": {"name": "x"}, "data": {"a": "b"}}
    status = field(3, field(1, "Active"))  # Namespace.status is not decoded: the server owns it
    assert decode(envelope(field(1, field(1, "team")) + status, "v1", "Namespace"))["metadata"] == {"name": "team"}


def test_envelope_without_type_meta_uses_the_url_kind():
    raw = encode_message({"metadata": {"name": "cfg"}, "data": {"a": "b"}}, "ConfigMap")
    assert decode(envelope(raw), default_kind="ConfigMap") == {"metadata": {"name": "cfg"}, "data": {"a": "b"}}
    tagged = envelope(raw, contentType="application/vnd.kubernetes.protobuf")
    assert decode(tagged, default_kind="ConfigMap")["data"] == {"a": "b"}


@pytest.mark.parametrize(("body", "message"), [
    (b'{"kind": "Pod"}', "provided data does not appear to be a protobuf message"),
    (MAGIC + b"\x0a", "unexpected end of data"),
    (MAGIC + b"\x0a\x05abc", "unexpected end of data in field 1"),
    (MAGIC + b"\x12\x03\x0a\x01", "unexpected end of data"),
    (MAGIC + b"\x0b", "illegal wireType 3"),
    (MAGIC + b"\x00", "illegal field number 0"),
    (MAGIC + b"\x0a" + b"\xff" * 11, "varint overflows"),
    (envelope(field(1, 5), "v1", "ConfigMap"), "wrong wireType = 0 for field 1"),
    (envelope(field(1, field(1, 5)), "v1", "ConfigMap"), "wrong wireType = 0 for field 1"),
    (envelope(b"", "v1", "Widget"), 'no kind "Widget" is registered for version "v1"'),
    (envelope(b"", "v1", "ConfigMap", contentEncoding="gzip"), "unsupported content encoding"),
    (envelope(b"", "v1", "ConfigMap", contentType="application/json"), "unsupported content type"),
])
def test_malformed_bodies(body, message):
    with pytest.raises(ProtobufError, match=message):
        decode(body)


def test_decoding_does_not_change_the_tables():
    before = copy.deepcopy(MESSAGES)
    decode(KUBECTL_DEPLOYMENT)
    assert before == MESSAGES


# ------------------------------------------------------------------ through the API (Django's test client)

PROTOBUF = "application/vnd.kubernetes.protobuf"


@pytest.fixture
def api(client, playground, settings, tmp_path):
    from cluster_engine import tokens

    settings.KUBE_API_TLS_DIR = str(tmp_path / "tls")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens.sandbox_token_create(sandbox=playground)}"}

    def call(method: str, path: str, body: bytes = b"", content_type: str = PROTOBUF):
        return client.generic(method, f"/k8s/{playground.pk}{path}", body, content_type=content_type, **auth)

    return call


@pytest.mark.django_db
def test_protobuf_create_update_and_errors_through_the_api(api):
    created = api("POST", "/apis/apps/v1/namespaces/default/deployments?fieldValidation=Strict", KUBECTL_DEPLOYMENT)
    assert created.status_code == 201, created.json()
    assert created["Content-Type"] == "application/json"
    assert created.json()["spec"]["replicas"] == 2

    configmap = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"a": "b"}}
    assert api("POST", "/api/v1/namespaces/default/configmaps", encode(configmap)).status_code == 201
    changed = dict(configmap, data={"a": "c"})
    updated = api("PUT", "/api/v1/namespaces/default/configmaps/cfg", encode(changed))
    assert updated.status_code == 200, updated.json()
    assert updated.json()["data"] == {"a": "c"}

    dry = encode({"apiVersion": "v1", "kind": "DeleteOptions", "dryRun": ["All"]})
    assert api("DELETE", "/api/v1/namespaces/default/configmaps/cfg", dry).status_code == 200
    assert api("GET", "/api/v1/namespaces/default/configmaps/cfg").status_code == 200  # a dry run kept it
    real = encode({"apiVersion": "v1", "kind": "DeleteOptions", "gracePeriodSeconds": 0})
    assert api("DELETE", "/api/v1/namespaces/default/configmaps/cfg", real).status_code == 200
    assert api("GET", "/api/v1/namespaces/default/configmaps/cfg").status_code == 404

    malformed = api("POST", "/api/v1/namespaces/default/configmaps", MAGIC + b"\x0a\x05ab")
    assert malformed.status_code == 400
    assert malformed.json()["reason"] == "BadRequest"
    assert malformed.json()["message"].startswith(
        "the body of the request was in an unknown format - accepted media types include: application/json, "
        "application/yaml, application/vnd.kubernetes.protobuf")

    wrong_kind = api("POST", "/api/v1/namespaces/default/configmaps", KUBECTL_SECRET)
    assert wrong_kind.status_code == 400
    assert "cannot be handled as a ConfigMap" in wrong_kind.json()["message"]

    unsupported = api("POST", "/api/v1/namespaces/default/configmaps", b"x", content_type="application/cbor")
    assert unsupported.status_code == 415
    assert "application/vnd.kubernetes.protobuf" in unsupported.json()["message"]

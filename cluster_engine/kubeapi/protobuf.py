"""Request bodies in Kubernetes' protobuf encoding (`application/vnd.kubernetes.protobuf`), decoded to JSON dicts.

kubectl's typed commands (`kubectl create deployment | job | cronjob | namespace | configmap | secret | service |
quota | priorityclass ...`) send protobuf. A body is the 4-byte magic `k8s\\x00` and a `runtime.Unknown` message
(1 typeMeta {1 apiVersion, 2 kind}, 2 raw, 3 contentEncoding, 4 contentType); `raw` is the object's own message
as `k8s.io/api/<group>/<version>/generated.proto` defines it. The object is decoded with the tables below into
the dict its JSON encoding would give, so the rest of the request path cannot tell the two apart.

Tables: message name -> {field number: (JSON name, type)}. A type is a scalar (`string`, `bytes`, `bool`,
`int32`, `int64`), a special (`Quantity`, `IntOrString`, `Time`: messages whose JSON is a scalar; `FieldsV1`,
whose `Raw` bytes are its JSON object) or a message name from `MESSAGES`, optionally prefixed `[]` (repeated)
or `map:` (map<string, T>, entries {1 key, 2 value}), and suffixed `?` (a pointer in Go: present means set, so
a zero value is kept) or `!` (a value Go's JSON writes even when zero). Any other field is omitted when zero,
as Go's `omitempty` does: the generated Go marshallers write every non-pointer field, so without this a decoded
object would carry `""`, `0` and `{}` everywhere.
An empty JSON name inlines the message's fields into the parent (`json:",inline"`). Fields not in the tables
(status, server-set or newer fields) are skipped, as proto decoders skip unknown fields; a malformed body raises
`ProtobufError`.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

MEDIA_TYPE = "application/vnd.kubernetes.protobuf"
MAGIC = b"k8s\x00"
SCALARS = frozenset({"string", "bytes", "bool", "int32", "int64"})
SPECIALS = frozenset({"Quantity", "IntOrString", "Time", "FieldsV1"})
_VARINT, _FIXED64, _BYTES, _FIXED32 = 0, 1, 2, 5

Table = dict[int, tuple[str, str]]

# ------------------------------------------------------------------ k8s.io/apimachinery meta/v1

_META: dict[str, Table] = {
    "ObjectMeta": {
        1: ("name", "string"), 2: ("generateName", "string"), 3: ("namespace", "string"), 5: ("uid", "string"),
        6: ("resourceVersion", "string"), 7: ("generation", "int64"), 8: ("creationTimestamp", "Time"),
        9: ("deletionTimestamp", "Time?"), 10: ("deletionGracePeriodSeconds", "int64?"),
        11: ("labels", "map:string"), 12: ("annotations", "map:string"),
        13: ("ownerReferences", "[]OwnerReference"), 14: ("finalizers", "[]string"),
        17: ("managedFields", "[]ManagedFieldsEntry"),
        # 4 selfLink (deprecated) is skipped.
    },
    "ManagedFieldsEntry": {
        1: ("manager", "string"), 2: ("operation", "string"), 3: ("apiVersion", "string"), 4: ("time", "Time?"),
        6: ("fieldsType", "string"), 7: ("fieldsV1", "FieldsV1?"), 8: ("subresource", "string"),
    },
    "OwnerReference": {
        5: ("apiVersion", "string!"), 1: ("kind", "string!"), 3: ("name", "string!"), 4: ("uid", "string!"),
        6: ("controller", "bool?"), 7: ("blockOwnerDeletion", "bool?"),
    },
    "LabelSelector": {1: ("matchLabels", "map:string"), 2: ("matchExpressions", "[]LabelSelectorRequirement")},
    "LabelSelectorRequirement": {1: ("key", "string!"), 2: ("operator", "string!"), 3: ("values", "[]string")},
    "DeleteOptions": {
        1: ("gracePeriodSeconds", "int64?"), 2: ("preconditions", "Preconditions?"),
        3: ("orphanDependents", "bool?"), 4: ("propagationPolicy", "string?"), 5: ("dryRun", "[]string"),
    },
    "Preconditions": {1: ("uid", "string?"), 2: ("resourceVersion", "string?")},
}

# ------------------------------------------------------------------ k8s.io/api core/v1: pods and containers

_POD: dict[str, Table] = {
    "Pod": {1: ("metadata", "ObjectMeta"), 2: ("spec", "PodSpec")},
    "PodTemplateSpec": {1: ("metadata", "ObjectMeta"), 2: ("spec", "PodSpec")},
    "PodSpec": {
        1: ("volumes", "[]Volume"), 20: ("initContainers", "[]Container"), 2: ("containers", "[]Container"),
        3: ("restartPolicy", "string"), 4: ("terminationGracePeriodSeconds", "int64?"),
        5: ("activeDeadlineSeconds", "int64?"), 6: ("dnsPolicy", "string"), 7: ("nodeSelector", "map:string"),
        8: ("serviceAccountName", "string"), 9: ("serviceAccount", "string"),
        21: ("automountServiceAccountToken", "bool?"), 10: ("nodeName", "string"), 11: ("hostNetwork", "bool"),
        12: ("hostPID", "bool"), 13: ("hostIPC", "bool"), 27: ("shareProcessNamespace", "bool?"),
        14: ("securityContext", "PodSecurityContext?"), 15: ("imagePullSecrets", "[]LocalObjectReference"),
        16: ("hostname", "string"), 17: ("subdomain", "string"), 18: ("affinity", "Affinity?"),
        19: ("schedulerName", "string"), 22: ("tolerations", "[]Toleration"), 23: ("hostAliases", "[]HostAlias"),
        24: ("priorityClassName", "string"), 25: ("priority", "int32?"), 26: ("dnsConfig", "PodDNSConfig?"),
        28: ("readinessGates", "[]PodReadinessGate"), 29: ("runtimeClassName", "string?"),
        30: ("enableServiceLinks", "bool?"), 31: ("preemptionPolicy", "string?"),
        32: ("overhead", "map:Quantity"), 33: ("topologySpreadConstraints", "[]TopologySpreadConstraint"),
        35: ("setHostnameAsFQDN", "bool?"), 36: ("os", "PodOS?"), 37: ("hostUsers", "bool?"),
        38: ("schedulingGates", "[]PodSchedulingGate"),
    },
    "Container": {
        1: ("name", "string!"), 2: ("image", "string"), 3: ("command", "[]string"), 4: ("args", "[]string"),
        5: ("workingDir", "string"), 6: ("ports", "[]ContainerPort"), 19: ("envFrom", "[]EnvFromSource"),
        7: ("env", "[]EnvVar"), 8: ("resources", "ResourceRequirements"),
        23: ("resizePolicy", "[]ContainerResizePolicy"), 24: ("restartPolicy", "string?"),
        9: ("volumeMounts", "[]VolumeMount"), 10: ("livenessProbe", "Probe?"), 11: ("readinessProbe", "Probe?"),
        22: ("startupProbe", "Probe?"), 12: ("lifecycle", "Lifecycle?"), 13: ("terminationMessagePath", "string"),
        20: ("terminationMessagePolicy", "string"), 14: ("imagePullPolicy", "string"),
        15: ("securityContext", "SecurityContext?"), 16: ("stdin", "bool"), 17: ("stdinOnce", "bool"),
        18: ("tty", "bool"),
    },
    "ContainerPort": {
        1: ("name", "string"), 2: ("hostPort", "int32"), 3: ("containerPort", "int32!"), 4: ("protocol", "string"),
        5: ("hostIP", "string"),
    },
    "ContainerResizePolicy": {1: ("resourceName", "string!"), 2: ("restartPolicy", "string!")},
    "EnvVar": {1: ("name", "string!"), 2: ("value", "string"), 3: ("valueFrom", "EnvVarSource?")},
    "EnvVarSource": {
        1: ("fieldRef", "ObjectFieldSelector?"), 2: ("resourceFieldRef", "ResourceFieldSelector?"),
        3: ("configMapKeyRef", "ConfigMapKeySelector?"), 4: ("secretKeyRef", "SecretKeySelector?"),
    },
    "EnvFromSource": {
        1: ("prefix", "string"), 2: ("configMapRef", "ConfigMapEnvSource?"), 3: ("secretRef", "SecretEnvSource?"),
    },
    "ConfigMapEnvSource": {1: ("", "LocalObjectReference"), 2: ("optional", "bool?")},
    "SecretEnvSource": {1: ("", "LocalObjectReference"), 2: ("optional", "bool?")},
    "ConfigMapKeySelector": {1: ("", "LocalObjectReference"), 2: ("key", "string!"), 3: ("optional", "bool?")},
    "SecretKeySelector": {1: ("", "LocalObjectReference"), 2: ("key", "string!"), 3: ("optional", "bool?")},
    "ObjectFieldSelector": {1: ("apiVersion", "string"), 2: ("fieldPath", "string!")},
    "ResourceFieldSelector": {
        1: ("containerName", "string"), 2: ("resource", "string!"), 3: ("divisor", "Quantity"),
    },
    "LocalObjectReference": {1: ("name", "string")},
    "ResourceRequirements": {
        1: ("limits", "map:Quantity"), 2: ("requests", "map:Quantity"), 3: ("claims", "[]ResourceClaim"),
    },
    "ResourceClaim": {1: ("name", "string!"), 2: ("request", "string")},
    "VolumeMount": {
        1: ("name", "string!"), 2: ("readOnly", "bool"), 7: ("recursiveReadOnly", "string?"),
        3: ("mountPath", "string!"), 4: ("subPath", "string"), 5: ("mountPropagation", "string?"),
        6: ("subPathExpr", "string"),
    },
    "Probe": {
        1: ("", "ProbeHandler"), 2: ("initialDelaySeconds", "int32"), 3: ("timeoutSeconds", "int32"),
        4: ("periodSeconds", "int32"), 5: ("successThreshold", "int32"), 6: ("failureThreshold", "int32"),
        7: ("terminationGracePeriodSeconds", "int64?"),
    },
    "ProbeHandler": {
        1: ("exec", "ExecAction?"), 2: ("httpGet", "HTTPGetAction?"), 3: ("tcpSocket", "TCPSocketAction?"),
        4: ("grpc", "GRPCAction?"),
    },
    "ExecAction": {1: ("command", "[]string")},
    "HTTPGetAction": {
        1: ("path", "string"), 2: ("port", "IntOrString!"), 3: ("host", "string"), 4: ("scheme", "string"),
        5: ("httpHeaders", "[]HTTPHeader"),
    },
    "HTTPHeader": {1: ("name", "string!"), 2: ("value", "string!")},
    "TCPSocketAction": {1: ("port", "IntOrString!"), 2: ("host", "string")},
    "GRPCAction": {1: ("port", "int32!"), 2: ("service", "string?")},
    "Lifecycle": {1: ("postStart", "LifecycleHandler?"), 2: ("preStop", "LifecycleHandler?")},
    "LifecycleHandler": {
        1: ("exec", "ExecAction?"), 2: ("httpGet", "HTTPGetAction?"), 3: ("tcpSocket", "TCPSocketAction?"),
        4: ("sleep", "SleepAction?"),
    },
    "SleepAction": {1: ("seconds", "int64!")},
    "SecurityContext": {
        1: ("capabilities", "Capabilities?"), 2: ("privileged", "bool?"), 4: ("runAsUser", "int64?"),
        8: ("runAsGroup", "int64?"), 5: ("runAsNonRoot", "bool?"), 6: ("readOnlyRootFilesystem", "bool?"),
        7: ("allowPrivilegeEscalation", "bool?"), 9: ("procMount", "string?"),
        11: ("seccompProfile", "SeccompProfile?"),
    },
    "PodSecurityContext": {
        2: ("runAsUser", "int64?"), 6: ("runAsGroup", "int64?"), 3: ("runAsNonRoot", "bool?"),
        4: ("supplementalGroups", "[]int64"), 12: ("supplementalGroupsPolicy", "string?"), 5: ("fsGroup", "int64?"),
        7: ("sysctls", "[]Sysctl"), 9: ("fsGroupChangePolicy", "string?"), 10: ("seccompProfile", "SeccompProfile?"),
    },
    "Capabilities": {1: ("add", "[]string"), 2: ("drop", "[]string")},
    "SeccompProfile": {1: ("type", "string!"), 2: ("localhostProfile", "string?")},
    "Sysctl": {1: ("name", "string!"), 2: ("value", "string!")},
    "Toleration": {
        1: ("key", "string"), 2: ("operator", "string"), 3: ("value", "string"), 4: ("effect", "string"),
        5: ("tolerationSeconds", "int64?"),
    },
    "Affinity": {
        1: ("nodeAffinity", "NodeAffinity?"), 2: ("podAffinity", "PodAffinity?"),
        3: ("podAntiAffinity", "PodAntiAffinity?"),
    },
    "NodeAffinity": {
        1: ("requiredDuringSchedulingIgnoredDuringExecution", "NodeSelector?"),
        2: ("preferredDuringSchedulingIgnoredDuringExecution", "[]PreferredSchedulingTerm"),
    },
    "NodeSelector": {1: ("nodeSelectorTerms", "[]NodeSelectorTerm")},
    "NodeSelectorTerm": {
        1: ("matchExpressions", "[]NodeSelectorRequirement"), 2: ("matchFields", "[]NodeSelectorRequirement"),
    },
    "NodeSelectorRequirement": {1: ("key", "string!"), 2: ("operator", "string!"), 3: ("values", "[]string")},
    "PreferredSchedulingTerm": {1: ("weight", "int32!"), 2: ("preference", "NodeSelectorTerm!")},
    "PodAffinity": {
        1: ("requiredDuringSchedulingIgnoredDuringExecution", "[]PodAffinityTerm"),
        2: ("preferredDuringSchedulingIgnoredDuringExecution", "[]WeightedPodAffinityTerm"),
    },
    "PodAntiAffinity": {
        1: ("requiredDuringSchedulingIgnoredDuringExecution", "[]PodAffinityTerm"),
        2: ("preferredDuringSchedulingIgnoredDuringExecution", "[]WeightedPodAffinityTerm"),
    },
    "PodAffinityTerm": {
        1: ("labelSelector", "LabelSelector?"), 2: ("namespaces", "[]string"), 3: ("topologyKey", "string!"),
        4: ("namespaceSelector", "LabelSelector?"), 5: ("matchLabelKeys", "[]string"),
        6: ("mismatchLabelKeys", "[]string"),
    },
    "WeightedPodAffinityTerm": {1: ("weight", "int32!"), 2: ("podAffinityTerm", "PodAffinityTerm!")},
    "TopologySpreadConstraint": {
        1: ("maxSkew", "int32!"), 2: ("topologyKey", "string!"), 3: ("whenUnsatisfiable", "string!"),
        4: ("labelSelector", "LabelSelector?"), 5: ("minDomains", "int32?"), 6: ("nodeAffinityPolicy", "string?"),
        7: ("nodeTaintsPolicy", "string?"), 8: ("matchLabelKeys", "[]string"),
    },
    "PodDNSConfig": {
        1: ("nameservers", "[]string"), 2: ("searches", "[]string"), 3: ("options", "[]PodDNSConfigOption"),
    },
    "PodDNSConfigOption": {1: ("name", "string"), 2: ("value", "string?")},
    "HostAlias": {1: ("ip", "string!"), 2: ("hostnames", "[]string")},
    "PodReadinessGate": {1: ("conditionType", "string!")},
    "PodOS": {1: ("name", "string!")},
    "PodSchedulingGate": {1: ("name", "string!")},
    "Volume": {1: ("name", "string!"), 2: ("", "VolumeSource")},
    "VolumeSource": {
        1: ("hostPath", "HostPathVolumeSource?"), 2: ("emptyDir", "EmptyDirVolumeSource?"),
        6: ("secret", "SecretVolumeSource?"), 10: ("persistentVolumeClaim", "PersistentVolumeClaimVolumeSource?"),
        16: ("downwardAPI", "DownwardAPIVolumeSource?"), 19: ("configMap", "ConfigMapVolumeSource?"),
    },
    "HostPathVolumeSource": {1: ("path", "string!"), 2: ("type", "string?")},
    "EmptyDirVolumeSource": {1: ("medium", "string"), 2: ("sizeLimit", "Quantity?")},
    "SecretVolumeSource": {
        1: ("secretName", "string"), 2: ("items", "[]KeyToPath"), 3: ("defaultMode", "int32?"),
        4: ("optional", "bool?"),
    },
    "ConfigMapVolumeSource": {
        1: ("", "LocalObjectReference"), 2: ("items", "[]KeyToPath"), 3: ("defaultMode", "int32?"),
        4: ("optional", "bool?"),
    },
    "KeyToPath": {1: ("key", "string!"), 2: ("path", "string!"), 3: ("mode", "int32?")},
    "PersistentVolumeClaimVolumeSource": {1: ("claimName", "string!"), 2: ("readOnly", "bool")},
    "DownwardAPIVolumeSource": {1: ("items", "[]DownwardAPIVolumeFile"), 2: ("defaultMode", "int32?")},
    "DownwardAPIVolumeFile": {
        1: ("path", "string!"), 2: ("fieldRef", "ObjectFieldSelector?"),
        3: ("resourceFieldRef", "ResourceFieldSelector?"), 4: ("mode", "int32?"),
    },
}

# ------------------------------------------------------------------ core/v1: the other kinds

_CORE: dict[str, Table] = {
    "Namespace": {1: ("metadata", "ObjectMeta"), 2: ("spec", "NamespaceSpec")},
    "NamespaceSpec": {1: ("finalizers", "[]string")},
    "ConfigMap": {
        1: ("metadata", "ObjectMeta"), 4: ("immutable", "bool?"), 2: ("data", "map:string"),
        3: ("binaryData", "map:bytes"),
    },
    "Secret": {
        1: ("metadata", "ObjectMeta"), 5: ("immutable", "bool?"), 2: ("data", "map:bytes"),
        4: ("stringData", "map:string"), 3: ("type", "string"),
    },
    "ServiceAccount": {
        1: ("metadata", "ObjectMeta"), 2: ("secrets", "[]ObjectReference"),
        3: ("imagePullSecrets", "[]LocalObjectReference"), 4: ("automountServiceAccountToken", "bool?"),
    },
    "ObjectReference": {
        1: ("kind", "string"), 2: ("namespace", "string"), 3: ("name", "string"), 4: ("uid", "string"),
        5: ("apiVersion", "string"), 6: ("resourceVersion", "string"), 7: ("fieldPath", "string"),
    },
    "Service": {1: ("metadata", "ObjectMeta"), 2: ("spec", "ServiceSpec")},
    "ServiceSpec": {
        1: ("ports", "[]ServicePort"), 2: ("selector", "map:string"), 3: ("clusterIP", "string"),
        18: ("clusterIPs", "[]string"), 4: ("type", "string"), 5: ("externalIPs", "[]string"),
        7: ("sessionAffinity", "string"), 8: ("loadBalancerIP", "string"),
        9: ("loadBalancerSourceRanges", "[]string"), 10: ("externalName", "string"),
        11: ("externalTrafficPolicy", "string"), 12: ("healthCheckNodePort", "int32"),
        13: ("publishNotReadyAddresses", "bool"), 14: ("sessionAffinityConfig", "SessionAffinityConfig?"),
        19: ("ipFamilies", "[]string"), 17: ("ipFamilyPolicy", "string?"),
        20: ("allocateLoadBalancerNodePorts", "bool?"), 21: ("loadBalancerClass", "string?"),
        22: ("internalTrafficPolicy", "string?"), 23: ("trafficDistribution", "string?"),
    },
    "ServicePort": {
        1: ("name", "string"), 2: ("protocol", "string"), 6: ("appProtocol", "string?"), 3: ("port", "int32!"),
        4: ("targetPort", "IntOrString"), 5: ("nodePort", "int32"),
    },
    "SessionAffinityConfig": {1: ("clientIP", "ClientIPConfig?")},
    "ClientIPConfig": {1: ("timeoutSeconds", "int32?")},
    "ResourceQuota": {1: ("metadata", "ObjectMeta"), 2: ("spec", "ResourceQuotaSpec")},
    "ResourceQuotaSpec": {
        1: ("hard", "map:Quantity"), 2: ("scopes", "[]string"), 3: ("scopeSelector", "ScopeSelector?"),
    },
    "ScopeSelector": {1: ("matchExpressions", "[]ScopedResourceSelectorRequirement")},
    "ScopedResourceSelectorRequirement": {
        1: ("scopeName", "string!"), 2: ("operator", "string!"), 3: ("values", "[]string"),
    },
    "PersistentVolumeClaim": {1: ("metadata", "ObjectMeta"), 2: ("spec", "PersistentVolumeClaimSpec")},
    "PersistentVolumeClaimSpec": {
        1: ("accessModes", "[]string"), 4: ("selector", "LabelSelector?"),
        2: ("resources", "VolumeResourceRequirements"), 3: ("volumeName", "string"),
        5: ("storageClassName", "string?"), 6: ("volumeMode", "string?"),
        7: ("dataSource", "TypedLocalObjectReference?"), 8: ("dataSourceRef", "TypedObjectReference?"),
        9: ("volumeAttributesClassName", "string?"),
    },
    "VolumeResourceRequirements": {1: ("limits", "map:Quantity"), 2: ("requests", "map:Quantity")},
    "TypedLocalObjectReference": {1: ("apiGroup", "string?"), 2: ("kind", "string!"), 3: ("name", "string!")},
    "TypedObjectReference": {
        1: ("apiGroup", "string?"), 2: ("kind", "string!"), 3: ("name", "string!"), 4: ("namespace", "string?"),
    },
    "Node": {1: ("metadata", "ObjectMeta"), 2: ("spec", "NodeSpec")},
    "NodeSpec": {
        1: ("podCIDR", "string"), 7: ("podCIDRs", "[]string"), 3: ("providerID", "string"),
        4: ("unschedulable", "bool"), 5: ("taints", "[]Taint"),
    },
    "Taint": {1: ("key", "string!"), 2: ("value", "string"), 3: ("effect", "string!"), 4: ("timeAdded", "Time?")},
    "Binding": {1: ("metadata", "ObjectMeta"), 2: ("target", "ObjectReference!")},
}

# ------------------------------------------------------------------ apps/v1, batch/v1, scheduling, policy, autoscaling

_GROUPS: dict[str, Table] = {
    "Deployment": {1: ("metadata", "ObjectMeta"), 2: ("spec", "DeploymentSpec")},
    "DeploymentSpec": {
        1: ("replicas", "int32?"), 2: ("selector", "LabelSelector?"), 3: ("template", "PodTemplateSpec!"),
        4: ("strategy", "DeploymentStrategy"), 5: ("minReadySeconds", "int32"),
        6: ("revisionHistoryLimit", "int32?"), 7: ("paused", "bool"), 9: ("progressDeadlineSeconds", "int32?"),
    },
    "DeploymentStrategy": {1: ("type", "string"), 2: ("rollingUpdate", "RollingUpdateDeployment?")},
    "RollingUpdateDeployment": {1: ("maxUnavailable", "IntOrString?"), 2: ("maxSurge", "IntOrString?")},
    "ReplicaSet": {1: ("metadata", "ObjectMeta"), 2: ("spec", "ReplicaSetSpec")},
    "ReplicaSetSpec": {
        1: ("replicas", "int32?"), 4: ("minReadySeconds", "int32"), 2: ("selector", "LabelSelector?"),
        3: ("template", "PodTemplateSpec"),
    },
    "DaemonSet": {1: ("metadata", "ObjectMeta"), 2: ("spec", "DaemonSetSpec")},
    "DaemonSetSpec": {
        1: ("selector", "LabelSelector?"), 2: ("template", "PodTemplateSpec!"),
        3: ("updateStrategy", "DaemonSetUpdateStrategy"), 4: ("minReadySeconds", "int32"),
        6: ("revisionHistoryLimit", "int32?"),
    },
    "DaemonSetUpdateStrategy": {1: ("type", "string"), 2: ("rollingUpdate", "RollingUpdateDaemonSet?")},
    "RollingUpdateDaemonSet": {1: ("maxUnavailable", "IntOrString?"), 2: ("maxSurge", "IntOrString?")},
    "StatefulSet": {1: ("metadata", "ObjectMeta"), 2: ("spec", "StatefulSetSpec")},
    "StatefulSetSpec": {
        1: ("replicas", "int32?"), 2: ("selector", "LabelSelector?"), 3: ("template", "PodTemplateSpec!"),
        4: ("volumeClaimTemplates", "[]PersistentVolumeClaim"), 5: ("serviceName", "string"),
        6: ("podManagementPolicy", "string"), 7: ("updateStrategy", "StatefulSetUpdateStrategy"),
        8: ("revisionHistoryLimit", "int32?"), 9: ("minReadySeconds", "int32"),
        10: ("persistentVolumeClaimRetentionPolicy", "StatefulSetPersistentVolumeClaimRetentionPolicy?"),
        11: ("ordinals", "StatefulSetOrdinals?"),
    },
    "StatefulSetUpdateStrategy": {1: ("type", "string"), 2: ("rollingUpdate", "RollingUpdateStatefulSetStrategy?")},
    "RollingUpdateStatefulSetStrategy": {1: ("partition", "int32?"), 2: ("maxUnavailable", "IntOrString?")},
    "StatefulSetPersistentVolumeClaimRetentionPolicy": {1: ("whenDeleted", "string"), 2: ("whenScaled", "string")},
    "StatefulSetOrdinals": {1: ("start", "int32!")},
    "Job": {1: ("metadata", "ObjectMeta"), 2: ("spec", "JobSpec")},
    "JobSpec": {
        1: ("parallelism", "int32?"), 2: ("completions", "int32?"), 3: ("activeDeadlineSeconds", "int64?"),
        11: ("podFailurePolicy", "PodFailurePolicy?"), 16: ("successPolicy", "SuccessPolicy?"),
        7: ("backoffLimit", "int32?"), 12: ("backoffLimitPerIndex", "int32?"), 13: ("maxFailedIndexes", "int32?"),
        4: ("selector", "LabelSelector?"), 5: ("manualSelector", "bool?"), 6: ("template", "PodTemplateSpec!"),
        8: ("ttlSecondsAfterFinished", "int32?"), 9: ("completionMode", "string?"), 10: ("suspend", "bool?"),
        14: ("podReplacementPolicy", "string?"), 15: ("managedBy", "string?"),
    },
    "PodFailurePolicy": {1: ("rules", "[]PodFailurePolicyRule")},
    "PodFailurePolicyRule": {
        1: ("action", "string!"), 2: ("onExitCodes", "PodFailurePolicyOnExitCodesRequirement?"),
        3: ("onPodConditions", "[]PodFailurePolicyOnPodConditionsPattern"),
    },
    "PodFailurePolicyOnExitCodesRequirement": {
        1: ("containerName", "string?"), 2: ("operator", "string!"), 3: ("values", "[]int32"),
    },
    "PodFailurePolicyOnPodConditionsPattern": {1: ("type", "string!"), 2: ("status", "string")},
    "SuccessPolicy": {1: ("rules", "[]SuccessPolicyRule")},
    "SuccessPolicyRule": {1: ("succeededIndexes", "string?"), 2: ("succeededCount", "int32?")},
    "CronJob": {1: ("metadata", "ObjectMeta"), 2: ("spec", "CronJobSpec")},
    "CronJobSpec": {
        1: ("schedule", "string!"), 8: ("timeZone", "string?"), 2: ("startingDeadlineSeconds", "int64?"),
        3: ("concurrencyPolicy", "string"), 4: ("suspend", "bool?"), 5: ("jobTemplate", "JobTemplateSpec!"),
        6: ("successfulJobsHistoryLimit", "int32?"), 7: ("failedJobsHistoryLimit", "int32?"),
    },
    "JobTemplateSpec": {1: ("metadata", "ObjectMeta"), 2: ("spec", "JobSpec")},
    "PriorityClass": {
        1: ("metadata", "ObjectMeta"), 2: ("value", "int32!"), 3: ("globalDefault", "bool"),
        4: ("description", "string"), 5: ("preemptionPolicy", "string?"),
    },
    "Eviction": {1: ("metadata", "ObjectMeta"), 2: ("deleteOptions", "DeleteOptions?")},
    "Scale": {1: ("metadata", "ObjectMeta"), 2: ("spec", "ScaleSpec")},
    "ScaleSpec": {1: ("replicas", "int32")},
}

# ------------------------------------------------------------------ authorization/v1, authentication/v1: reviews

_REVIEWS: dict[str, Table] = {
    # status (3; 2 of SelfSubjectReview) is the server's answer: skipped like every status
    "SelfSubjectAccessReview": {1: ("metadata", "ObjectMeta"), 2: ("spec", "SelfSubjectAccessReviewSpec!")},
    "SelfSubjectAccessReviewSpec": {
        1: ("resourceAttributes", "ResourceAttributes?"), 2: ("nonResourceAttributes", "NonResourceAttributes?"),
    },
    "ResourceAttributes": {
        1: ("namespace", "string"), 2: ("verb", "string"), 3: ("group", "string"), 4: ("version", "string"),
        5: ("resource", "string"), 6: ("subresource", "string"), 7: ("name", "string"),
        # 8 fieldSelector and 9 labelSelector (1.31+, beta) are skipped: RBAC ignores them
    },
    "NonResourceAttributes": {1: ("path", "string"), 2: ("verb", "string")},
    "SelfSubjectRulesReview": {1: ("metadata", "ObjectMeta"), 2: ("spec", "SelfSubjectRulesReviewSpec!")},
    "SelfSubjectRulesReviewSpec": {1: ("namespace", "string")},
    "SelfSubjectReview": {1: ("metadata", "ObjectMeta")},
}

# ------------------------------------------------------------------ networking/v1, policy/v1, autoscaling/v1, rbac/v1
# (`kubectl create ingress | poddisruptionbudget | role | rolebinding | clusterrole | clusterrolebinding` and
# `kubectl autoscale`, which sends an autoscaling/v1 HorizontalPodAutoscaler)

_ISSUE17: dict[str, Table] = {
    "Ingress": {1: ("metadata", "ObjectMeta"), 2: ("spec", "IngressSpec")},
    "IngressSpec": {
        4: ("ingressClassName", "string?"), 1: ("defaultBackend", "IngressBackend?"), 2: ("tls", "[]IngressTLS"),
        3: ("rules", "[]IngressRule"),
    },
    "IngressBackend": {4: ("service", "IngressServiceBackend?"), 3: ("resource", "TypedLocalObjectReference?")},
    "IngressServiceBackend": {1: ("name", "string!"), 2: ("port", "ServiceBackendPort")},
    "ServiceBackendPort": {1: ("name", "string"), 2: ("number", "int32")},
    "IngressTLS": {1: ("hosts", "[]string"), 2: ("secretName", "string")},
    "IngressRule": {1: ("host", "string"), 2: ("", "IngressRuleValue")},
    "IngressRuleValue": {1: ("http", "HTTPIngressRuleValue?")},
    "HTTPIngressRuleValue": {1: ("paths", "[]HTTPIngressPath")},
    "HTTPIngressPath": {1: ("path", "string"), 3: ("pathType", "string?"), 2: ("backend", "IngressBackend!")},
    "PodDisruptionBudget": {1: ("metadata", "ObjectMeta"), 2: ("spec", "PodDisruptionBudgetSpec")},
    "PodDisruptionBudgetSpec": {
        1: ("minAvailable", "IntOrString?"), 2: ("selector", "LabelSelector?"), 3: ("maxUnavailable", "IntOrString?"),
        4: ("unhealthyPodEvictionPolicy", "string?"),
    },
    "HorizontalPodAutoscaler": {1: ("metadata", "ObjectMeta"), 2: ("spec", "HorizontalPodAutoscalerSpec")},
    "HorizontalPodAutoscalerSpec": {
        1: ("scaleTargetRef", "CrossVersionObjectReference!"), 2: ("minReplicas", "int32?"),
        3: ("maxReplicas", "int32!"), 4: ("targetCPUUtilizationPercentage", "int32?"),
    },
    "CrossVersionObjectReference": {1: ("kind", "string!"), 2: ("name", "string!"), 3: ("apiVersion", "string")},
    "Role": {1: ("metadata", "ObjectMeta"), 2: ("rules", "[]PolicyRule")},
    "ClusterRole": {1: ("metadata", "ObjectMeta"), 2: ("rules", "[]PolicyRule"),
                    3: ("aggregationRule", "AggregationRule?")},
    "AggregationRule": {1: ("clusterRoleSelectors", "[]LabelSelector")},
    "PolicyRule": {
        1: ("verbs", "[]string"), 2: ("apiGroups", "[]string"), 3: ("resources", "[]string"),
        4: ("resourceNames", "[]string"), 5: ("nonResourceURLs", "[]string"),
    },
    "RoleBinding": {1: ("metadata", "ObjectMeta"), 2: ("subjects", "[]Subject"), 3: ("roleRef", "RoleRef!")},
    "ClusterRoleBinding": {1: ("metadata", "ObjectMeta"), 2: ("subjects", "[]Subject"), 3: ("roleRef", "RoleRef!")},
    "Subject": {1: ("kind", "string!"), 2: ("apiGroup", "string"), 3: ("name", "string!"), 4: ("namespace", "string")},
    "RoleRef": {1: ("apiGroup", "string!"), 2: ("kind", "string!"), 3: ("name", "string!")},
}

MESSAGES: dict[str, Table] = {**_META, **_POD, **_CORE, **_GROUPS, **_REVIEWS, **_ISSUE17}

# Kinds a body may carry (`typeMeta.kind`); each is decoded with the message of the same name.
KINDS = frozenset({
    "Pod", "Namespace", "ConfigMap", "Secret", "ServiceAccount", "Service", "ResourceQuota",
    "PersistentVolumeClaim", "Node", "Binding", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job",
    "CronJob", "PriorityClass", "Eviction", "Scale", "DeleteOptions",
    "SelfSubjectAccessReview", "SelfSubjectRulesReview", "SelfSubjectReview",
    "Ingress", "PodDisruptionBudget", "HorizontalPodAutoscaler", "Role", "ClusterRole", "RoleBinding",
    "ClusterRoleBinding",
})


class ProtobufError(ValueError):
    """The body is not a well-formed protobuf message of the expected shape."""


# ------------------------------------------------------------------ wire format

def read_varint(data: bytes, pos: int) -> tuple[int, int]:
    """The unsigned varint at `pos` and the position after it."""
    result = shift = 0
    while True:
        if pos >= len(data):
            raise ProtobufError("unexpected end of data in a varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise ProtobufError("varint overflows 64 bits")


def iter_fields(data: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """(field number, wire type, value) for each field: an int for varints, bytes otherwise."""
    pos, end = 0, len(data)
    while pos < end:
        key, pos = read_varint(data, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise ProtobufError("illegal field number 0")
        value: int | bytes
        if wire == _VARINT:
            value, pos = read_varint(data, pos)
        elif wire in (_FIXED64, _FIXED32):
            size = 8 if wire == _FIXED64 else 4
            if pos + size > end:
                raise ProtobufError(f"unexpected end of data in field {number}")
            value, pos = data[pos:pos + size], pos + size
        elif wire == _BYTES:
            length, pos = read_varint(data, pos)
            if pos + length > end:
                raise ProtobufError(f"unexpected end of data in field {number}")
            value, pos = data[pos:pos + length], pos + length
        else:
            raise ProtobufError(f"illegal wireType {wire} for field {number}")
        yield number, wire, value


def _signed(value: int, bits: int) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


# ------------------------------------------------------------------ types

@dataclass(frozen=True)
class FieldType:
    base: str  # scalar, special or message name
    repeated: bool = False
    is_map: bool = False
    pointer: bool = False  # `?`: present means set, a zero value is kept
    always: bool = False  # `!`: Go's JSON writes the value even when zero

    @property
    def is_message(self) -> bool:
        return self.base not in SCALARS


@cache
def parse_type(spec: str) -> FieldType:
    pointer, always = spec.endswith("?"), spec.endswith("!")
    base = spec.rstrip("?!")
    repeated, is_map = base.startswith("[]"), base.startswith("map:")
    base = base.removeprefix("[]").removeprefix("map:")
    if base not in SCALARS and base not in SPECIALS and base not in MESSAGES:
        raise KeyError(f"unknown protobuf type {base!r}")
    return FieldType(base, repeated, is_map, pointer, always)


_ZERO: dict[str, Any] = {"string": "", "bytes": "", "bool": False, "int32": 0, "int64": 0, "Quantity": "0",
                         "IntOrString": 0, "Time": None}


def _scalar(base: str, wire: int, raw: int | bytes, number: int) -> Any:
    if base in ("string", "bytes"):
        if wire != _BYTES:
            raise ProtobufError(f"wrong wireType = {wire} for field {number}")
        assert isinstance(raw, bytes)
        return raw.decode("utf-8", "replace") if base == "string" else base64.b64encode(raw).decode()
    if wire != _VARINT:
        raise ProtobufError(f"wrong wireType = {wire} for field {number}")
    assert isinstance(raw, int)
    if base == "bool":
        return raw != 0
    return _signed(raw, 32 if base == "int32" else 64)


def _special(base: str, data: bytes) -> Any:
    fields = {number: value for number, _wire, value in iter_fields(data)}
    if base == "Quantity":
        value = fields.get(1, b"0")
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    if base == "IntOrString":
        kind, int_val, str_val = fields.get(1, 0), fields.get(2, 0), fields.get(3, b"")
        if kind == 1:
            return str_val.decode("utf-8", "replace") if isinstance(str_val, bytes) else ""
        return _signed(int_val, 32) if isinstance(int_val, int) else 0
    if base == "FieldsV1":  # {1 Raw}: the FieldsV1 JSON object itself
        raw = fields.get(1, b"{}")
        try:
            value = json.loads(raw) if isinstance(raw, bytes) else None
        except (ValueError, UnicodeDecodeError) as error:
            raise ProtobufError("malformed FieldsV1") from error
        if not isinstance(value, dict):
            raise ProtobufError("malformed FieldsV1")
        return value
    # Time: {1 seconds, 2 nanos}; an empty message is the zero time (JSON null). JSON has seconds only.
    if not data:
        return None
    seconds = fields.get(1, 0)
    if not isinstance(seconds, int):
        raise ProtobufError("malformed Time")
    try:
        moment = dt.datetime.fromtimestamp(_signed(seconds, 64), tz=dt.UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise ProtobufError("Time out of range") from error
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _single(ftype: FieldType, wire: int, raw: int | bytes, number: int) -> Any:
    if not ftype.is_message:
        return _scalar(ftype.base, wire, raw, number)
    if wire != _BYTES:
        raise ProtobufError(f"wrong wireType = {wire} for field {number}")
    assert isinstance(raw, bytes)
    if ftype.base in SPECIALS:
        return _special(ftype.base, raw)
    return decode_message(raw, ftype.base)


def _map_entry(ftype: FieldType, wire: int, raw: int | bytes, number: int) -> tuple[str, Any]:
    if wire != _BYTES:
        raise ProtobufError(f"wrong wireType = {wire} for field {number}")
    assert isinstance(raw, bytes)
    key, value = "", _ZERO.get(ftype.base)
    for entry_number, entry_wire, entry_raw in iter_fields(raw):
        if entry_number == 1:
            key = _scalar("string", entry_wire, entry_raw, entry_number)
        elif entry_number == 2:
            value = _single(FieldType(ftype.base), entry_wire, entry_raw, entry_number)
    return key, value


def _repeated(ftype: FieldType, wire: int, raw: int | bytes, number: int) -> list[Any]:
    if wire == _BYTES and ftype.base in ("bool", "int32", "int64"):
        assert isinstance(raw, bytes)
        values, pos = [], 0  # packed
        while pos < len(raw):
            value, pos = read_varint(raw, pos)
            values.append(_scalar(ftype.base, _VARINT, value, number))
        return values
    return [_single(ftype, wire, raw, number)]


def _is_zero(value: Any) -> bool:
    return value is None or value is False or value == 0 or value in ("", {}, [])


def decode_message(data: bytes, name: str) -> dict[str, Any]:
    """The JSON dict of message `name` (see the module docstring for the rules)."""
    table = MESSAGES[name]
    out: dict[str, Any] = {}
    kept: set[str] = set()
    inline: list[dict[str, Any]] = []
    for number, wire, raw in iter_fields(data):
        entry = table.get(number)
        if entry is None:
            continue  # an unknown field is skipped
        json_name, spec = entry
        ftype = parse_type(spec)
        if ftype.is_map:
            key, value = _map_entry(ftype, wire, raw, number)
            out.setdefault(json_name, {})[key] = value
        elif ftype.repeated:
            out.setdefault(json_name, []).extend(_repeated(ftype, wire, raw, number))
        elif not json_name:
            inline.append(_single(ftype, wire, raw, number))
        else:
            out[json_name] = _single(ftype, wire, raw, number)
            if ftype.pointer or ftype.always:
                kept.add(json_name)
    result = {key: value for key, value in out.items()
              if value is not None and (key in kept or not _is_zero(value))}
    for fields in inline:
        result.update(fields)
    return result


# ------------------------------------------------------------------ the envelope

def decode(body: bytes, *, default_kind: str = "") -> dict[str, Any]:
    """The object of a `k8s\\x00` + `runtime.Unknown` body as a JSON dict (`apiVersion` and `kind` from the
    envelope when it names them; `default_kind`, the URL's kind, picks the message when it does not)."""
    if not body.startswith(MAGIC):
        raise ProtobufError(f"provided data does not appear to be a protobuf message, expected prefix {list(MAGIC)}")
    api_version = kind = content_encoding = content_type = ""
    raw = b""
    for number, wire, value in iter_fields(body[len(MAGIC):]):
        if number == 1 and wire == _BYTES:
            assert isinstance(value, bytes)
            for meta_number, meta_wire, meta_value in iter_fields(value):
                if meta_number in (1, 2):
                    text = _scalar("string", meta_wire, meta_value, meta_number)
                    api_version, kind = (text, kind) if meta_number == 1 else (api_version, text)
        elif number == 2:
            if not isinstance(value, bytes) or wire != _BYTES:
                raise ProtobufError(f"wrong wireType = {wire} for field raw")
            raw = value
        elif number == 3:
            content_encoding = _scalar("string", wire, value, number)
        elif number == 4:
            content_type = _scalar("string", wire, value, number)
    if content_encoding:
        raise ProtobufError(f"unsupported content encoding {content_encoding!r}")
    if content_type and content_type.split(";", 1)[0].strip() != MEDIA_TYPE:
        raise ProtobufError(f"unsupported content type {content_type!r} of the embedded object")
    name = kind or default_kind
    if name not in KINDS:
        raise ProtobufError(f'no kind "{name}" is registered for version "{api_version}" in the protobuf decoder')
    obj: dict[str, Any] = {}
    if api_version:
        obj["apiVersion"] = api_version
    if kind:
        obj["kind"] = kind
    obj.update(decode_message(raw, name))
    return obj

// The resource kinds the in-page kubectl knows, with the names and short names kubectl accepts. Pure data.

export const KINDS = [
  { kind: "Pod", plural: "pods", singular: "pod", short: ["po"], namespaced: true },
  { kind: "Node", plural: "nodes", singular: "node", short: ["no"], namespaced: false },
  { kind: "Namespace", plural: "namespaces", singular: "namespace", short: ["ns"], namespaced: false },
  { kind: "Deployment", plural: "deployments", singular: "deployment", short: ["deploy"], namespaced: true },
  { kind: "ReplicaSet", plural: "replicasets", singular: "replicaset", short: ["rs"], namespaced: true },
  { kind: "StatefulSet", plural: "statefulsets", singular: "statefulset", short: ["sts"], namespaced: true },
  { kind: "DaemonSet", plural: "daemonsets", singular: "daemonset", short: ["ds"], namespaced: true },
  { kind: "Job", plural: "jobs", singular: "job", short: [], namespaced: true },
  { kind: "CronJob", plural: "cronjobs", singular: "cronjob", short: ["cj"], namespaced: true },
  { kind: "Service", plural: "services", singular: "service", short: ["svc"], namespaced: true },
  { kind: "Endpoints", plural: "endpoints", singular: "endpoints", short: ["ep"], namespaced: true },
  { kind: "ConfigMap", plural: "configmaps", singular: "configmap", short: ["cm"], namespaced: true },
  { kind: "Secret", plural: "secrets", singular: "secret", short: [], namespaced: true },
  { kind: "Event", plural: "events", singular: "event", short: ["ev"], namespaced: true },
  { kind: "PersistentVolumeClaim", plural: "persistentvolumeclaims", singular: "persistentvolumeclaim",
    short: ["pvc"], namespaced: true },
  { kind: "PriorityClass", plural: "priorityclasses", singular: "priorityclass", short: ["pc"], namespaced: false },
  { kind: "HorizontalPodAutoscaler", plural: "horizontalpodautoscalers", singular: "horizontalpodautoscaler",
    short: ["hpa"], namespaced: true },
  { kind: "ResourceQuota", plural: "resourcequotas", singular: "resourcequota", short: ["quota"],
    namespaced: true },
  { kind: "ServiceAccount", plural: "serviceaccounts", singular: "serviceaccount", short: ["sa"], namespaced: true },
  { kind: "LimitRange", plural: "limitranges", singular: "limitrange", short: ["limits"], namespaced: true },
  { kind: "PersistentVolume", plural: "persistentvolumes", singular: "persistentvolume", short: ["pv"],
    namespaced: false },
  { kind: "StorageClass", plural: "storageclasses", singular: "storageclass", short: ["sc"], namespaced: false },
];

const BY_NAME = new Map();
for (const entry of KINDS) {
  for (const name of [entry.plural, entry.singular, entry.kind.toLowerCase(), ...entry.short]) {
    BY_NAME.set(name, entry);
  }
}

/** The kind entry for any name kubectl accepts (`po`, `pods`, `pod`, `Pod`, `deployments.apps`), or null. */
export function resolveKind(name) {
  if (!name) return null;
  const lower = name.toLowerCase();
  return BY_NAME.get(lower) || BY_NAME.get(lower.split(".")[0]) || null;
}

/** Every name a learner may type for a kind, for completion. */
export function kindWords() {
  return KINDS.flatMap((entry) => [entry.plural, entry.singular, ...entry.short]);
}

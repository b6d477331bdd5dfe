"""The Kubernetes-compatible HTTP API of each sandbox (`/k8s/<sandbox-id>/`): a thin layer over `sim`."""

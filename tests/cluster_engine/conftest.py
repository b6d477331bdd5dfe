"""Fixtures for the sandbox layer: sandboxes of real users on the real database and Redis.

Nothing Django-side is imported at module level, so `tests/cluster_engine/sim` still runs without Django.
"""

import pytest


@pytest.fixture
def playground(learner):
    from cluster_engine import services

    return services.sandbox_get_or_create(owner=learner)


POD_YAML = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: nginx
    image: nginx:1.27
"""

DEPLOYMENT_YAML = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
"""

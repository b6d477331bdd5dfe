"""Bearer tokens for a sandbox's Kubernetes API, and the kubeconfigs that carry them."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cluster_engine.models import Sandbox, SandboxToken

TOKEN_PREFIX = "podlab_"  # noqa: S105 - a prefix that makes leaked tokens recognisable, not a secret
DEFAULT_KUBE_API_URL = "https://127.0.0.1:6443"


def token_hash(token: str) -> str:
    """The stored form of a token (SHA-256 hex): tokens are long and random, so no slow hash is needed."""
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def sandbox_token_create(*, sandbox: Sandbox) -> str:
    """A fresh bearer token for the sandbox's Kubernetes API; the previous ones are revoked.

    Returns the token itself, which is not stored (only its hash): show it once.
    """
    sandbox_token_revoke(sandbox=sandbox)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    SandboxToken.objects.create(sandbox=sandbox, key_hash=token_hash(token), hint=token[:14])
    return token


def sandbox_token_revoke(*, sandbox: Sandbox) -> int:
    """Revoke every live token of the sandbox; returns how many were live."""
    return SandboxToken.objects.filter(sandbox=sandbox, revoked_at__isnull=True).update(revoked_at=timezone.now())


def kubeconfig_context_name(sandbox: Sandbox) -> str:
    """The cluster and context name in the sandbox's kubeconfig (`podlab-playground`, `podlab-<lesson>`)."""
    return f"podlab-{sandbox.label}"


def kube_api_url(sandbox: Sandbox, *, base: str | None = None) -> str:
    """The kubeconfig's `server:` for the sandbox: `base`, else the setting `KUBE_API_PUBLIC_URL` (default
    https://127.0.0.1:6443), followed by `/k8s/<id>`."""
    base = base or settings.KUBE_API_PUBLIC_URL or DEFAULT_KUBE_API_URL
    return f"{base.rstrip('/')}/k8s/{sandbox.pk}"


def sandbox_kubeconfig(*, sandbox: Sandbox, ca_pem: bytes | None, base_url: str | None = None) -> str:
    """A kubeconfig (YAML) for the sandbox with a freshly made token (older tokens stop working).

    `ca_pem` is the CA that signed the API's certificate (None when a public CA does, as behind an ingress).
    """
    token = sandbox_token_create(sandbox=sandbox)
    name = kubeconfig_context_name(sandbox)
    cluster: dict[str, Any] = {"server": kube_api_url(sandbox, base=base_url)}
    if ca_pem:
        cluster["certificate-authority-data"] = base64.b64encode(ca_pem).decode()
    user = f"{name}-{sandbox.owner.get_username()}"
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": cluster}],
        "users": [{"name": user, "user": {"token": token}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": user, "namespace": "default"}}],
        "current-context": name,
        "preferences": {},
    }
    return yaml.safe_dump(config, sort_keys=False)

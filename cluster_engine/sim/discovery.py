"""What the simulated api-server's discovery lists, in one order for every client: the stored kinds of the
registry (`objects`) and the reviews that are created and never stored (`authz`). The Kubernetes-compatible API
serves its discovery documents and OpenAPI from this list, and the in-page kubectl resolves names against it."""

from __future__ import annotations

from . import authz, objects
from .objects import Kind


def served_kinds() -> list[Kind]:
    """Every served resource: the core group first, then groups by name, each group-version's resources by
    plural (kube-apiserver orders groups by priority instead; the order is the same for both kubectls here)."""
    return sorted([*objects.all_kinds(), *authz.REVIEW_KINDS],
                  key=lambda kind: (kind.group != "", kind.group, kind.version, kind.plural))

"""The change log: bounded, keeping the newest versions without gaps."""

import pytest

from cluster_engine import changelog, services
from cluster_engine.models import Sandbox, SandboxChange


@pytest.mark.django_db
def test_the_change_log_is_bounded_and_keeps_the_newest(learner, playground, monkeypatch):
    monkeypatch.setattr(changelog, "HISTORY_LIMIT", 20)
    monkeypatch.setattr(services, "COMMANDS_PER_MINUTE", 1000)
    for round_ in range(15):
        text = "".join(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{i}}}\n"
                       f"data: {{round: '{round_}'}}\n" for i in range(3))
        services.sandbox_apply_yaml(sandbox_id=playground.pk, user=learner, text=text)
    kept = list(SandboxChange.objects.filter(sandbox=playground).values_list("resource_version", flat=True))
    assert 20 <= len(kept) <= 40
    assert max(kept) == Sandbox.objects.get(pk=playground.pk).resource_version
    assert sorted(kept) == list(range(min(kept), max(kept) + 1))  # the newest, without gaps

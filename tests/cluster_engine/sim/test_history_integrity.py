"""The watch history shows every object as it stood at its own resourceVersion, whoever wrote it."""

from sim_helpers import small_cluster


def test_every_history_entry_keeps_the_object_of_its_own_version():
    cluster = small_cluster()
    since = cluster.store.rv
    cluster.api.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                    "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                             "template": {"metadata": {"labels": {"app": "web"}},
                                          "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}},
                   actor="user:ada")
    cluster.step(60)
    cluster.api.patch("deployments", "web", {"spec": {"replicas": 1}}, patch_type="merge", actor="user:ada")
    cluster.step(60)
    entries = list(cluster.store.events_since(since))
    assert len(entries) > 30
    mismatched = [(rv, kind, obj["metadata"]["name"], obj["metadata"]["resourceVersion"])
                  for rv, _type, kind, obj in entries if obj["metadata"]["resourceVersion"] != str(rv)]
    assert mismatched == []
    drained = cluster.drain_changes()
    assert len(drained["events"]) == len(drained["changes"])

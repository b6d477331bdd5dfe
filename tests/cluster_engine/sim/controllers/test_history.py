"""ControllerRevision helpers (`controllers/history.py`): upstream's revision hash and names."""

from __future__ import annotations

from cluster_engine.sim.controllers import history

# pkg/controller/statefulset/stateful_set_compatibility_test.go: a 1.33 StatefulSet's revision
# `test-c77f6d978`, whose data is the defaulted template of `{name: test, image: test}`.
UPSTREAM_TEMPLATE = {
    "metadata": {"annotations": {"test": "value"}, "labels": {"app": "foo"}},
    "spec": {
        "containers": [
            {
                "image": "test",
                "imagePullPolicy": "Always",
                "name": "test",
                "resources": {},
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File",
            }
        ],
        "dnsPolicy": "ClusterFirst",
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "securityContext": {},
        "terminationGracePeriodSeconds": 30,
    },
}


def test_statefulset_revision_hash_is_upstreams_for_the_same_template() -> None:
    data = history.template_patch({"spec": {"template": UPSTREAM_TEMPLATE}})
    assert history.revision_name("test", history.hash_revision(data, 0)) == "test-c77f6d978"


def test_the_collision_count_changes_the_hash() -> None:
    data = history.template_patch({"spec": {"template": UPSTREAM_TEMPLATE}})
    assert len({history.hash_revision(data, probe) for probe in (None, 0, 1, 2)}) == 4


def test_revision_data_bytes_are_gos_json() -> None:
    data = {"spec": {"template": {"$patch": "replace", "metadata": {"labels": {"a": "<b&c>"}}}}}
    assert history.raw_data(data) == (
        b'{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null,'
        b'"labels":{"a":"\\u003cb\\u0026c\\u003e"}}}}}'
    )


def test_a_revision_matches_only_the_template_it_holds() -> None:
    workload = {"spec": {"template": UPSTREAM_TEMPLATE}}
    revision = {"data": history.template_patch(workload)}
    assert history.matches(workload, revision)
    assert history.template_of(revision) == UPSTREAM_TEMPLATE
    changed = {"spec": {"template": {**UPSTREAM_TEMPLATE, "metadata": {"labels": {"app": "bar"}}}}}
    assert not history.matches(changed, revision)


def test_long_owner_names_are_cut_to_fit_a_revision_name() -> None:
    assert len(history.revision_name("x" * 300, "c77f6d978")) == 223 + 1 + 9

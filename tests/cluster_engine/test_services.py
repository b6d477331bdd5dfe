"""The api-server role of the web process: writes validated, stored atomically, recorded with their actor."""

import gc
import json
import threading
import weakref

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cluster_engine import engine, replies, services
from cluster_engine.models import Sandbox, SandboxChange
from cluster_engine.sim.errors import Status
from tests.cluster_engine.conftest import POD_YAML


def frozen(sandbox: Sandbox) -> tuple:
    sandbox.refresh_from_db()
    return (json.dumps(sandbox.state, sort_keys=True), sandbox.version, sandbox.resource_version,
            SandboxChange.objects.filter(sandbox=sandbox).count())


def pod_names(sandbox: Sandbox) -> set[str]:
    sandbox.refresh_from_db()
    cluster = engine.load(sandbox.state)
    return {pod["metadata"]["name"] for pod in engine.list_objects(cluster, "Pod", namespace="default")}


@pytest.mark.django_db
def test_one_playground_per_learner(learner):
    first = services.sandbox_get_or_create(owner=learner)
    second = services.sandbox_get_or_create(owner=learner)
    assert first.pk == second.pk
    assert Sandbox.objects.filter(owner=learner).count() == 1
    nodes = engine.list_objects(engine.load(first.state), "Node")
    assert len(nodes) >= 2


@pytest.mark.django_db
def test_deleting_a_user_deletes_their_sandboxes(learner, playground):
    learner.delete()
    assert not Sandbox.objects.filter(pk=playground.pk).exists()


@pytest.mark.django_db
def test_apply_stores_the_pod_and_records_who_did_it(learner, playground):
    result = services.sandbox_apply_yaml(sandbox_id=playground.pk, user=learner, text=POD_YAML)
    assert [item["action"] for item in result.value] == ["created"]
    assert "web" in pod_names(playground)
    change = SandboxChange.objects.filter(sandbox=playground, kind="Pod", name="web").get()
    assert change.actor == "user:ada"
    assert change.event_type == "ADDED"
    assert change.object["metadata"]["name"] == "web"


@pytest.mark.django_db
def test_apply_twice_is_unchanged(learner, playground):
    services.sandbox_apply_yaml(sandbox_id=playground.pk, user=learner, text=POD_YAML)
    before = frozen(playground)
    result = services.sandbox_apply_yaml(sandbox_id=playground.pk, user=learner, text=POD_YAML)
    assert [item["action"] for item in result.value] == ["unchanged"]
    assert frozen(playground)[:3] == before[:3]


@pytest.mark.django_db
def test_dry_run_stores_nothing(learner, playground):
    before = frozen(playground)
    result = services.sandbox_apply_yaml(sandbox_id=playground.pk, user=learner, text=POD_YAML, dry_run=True)
    assert [item["action"] for item in result.value] == ["created"]
    assert frozen(playground) == before


BAD_INPUTS = {
    "malformed yaml": ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n spec: 1\n", 400),
    "no kind": ("apiVersion: v1\nmetadata: {name: x}\n", 400),
    "unknown kind": ("apiVersion: v1\nkind: Unicorn\nmetadata: {name: x}\n", 404),
    "invalid name": (POD_YAML.replace("name: web\n", "name: Web\n"), 422),
    "unknown field": (POD_YAML.replace("  containers:", "  containres: []\n  containers:"), 400),
    "too large": ("# " + "x" * (257 * 1024) + "\n" + POD_YAML, 413),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_refused_and_changes_nothing(learner, playground, case):
    text, code = BAD_INPUTS[case]
    before = frozen(playground)
    with pytest.raises(Status) as refused:
        services.sandbox_apply_yaml(sandbox_id=playground.pk, user=learner, text=text)
    assert refused.value.code == code
    assert frozen(playground) == before


@pytest.mark.django_db
def test_a_failing_document_rolls_back_the_whole_apply(learner, playground):
    second = POD_YAML.replace("name: web\n", "name: Bad_Name\n")
    before = frozen(playground)
    with pytest.raises(Status) as refused:
        services.sandbox_apply_yaml(sandbox_id=playground.pk, user=learner, text=POD_YAML + "---\n" + second)
    # The line of the field the error names, counted from the top of the whole text (the document starts at 11).
    assert refused.value.details["line"] == 14
    assert [(f["field"], f["problem"], f["line"]) for f in refused.value.details["fields"]] == [
        ("metadata.name", "invalid", 14)]
    assert frozen(playground) == before


@pytest.mark.django_db
def test_billion_laughs_is_refused(learner, playground):
    """How fast the refusal is, is `benchmarks/yaml_bombs.py`'s to measure (the same text)."""
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join(["*" + chr(97 + i)] * 9) + "]\n" for i in range(8))
    before = frozen(playground)
    with pytest.raises(Status) as refused:
        services.sandbox_apply_yaml(sandbox_id=playground.pk, user=learner, text=text)
    assert refused.value.code == 413
    assert frozen(playground) == before


@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_never_lose_an_update(learner, playground):
    errors: list[Exception] = []

    def apply(name: str) -> None:
        try:
            services.sandbox_apply_yaml(sandbox_id=playground.pk, user=learner,
                                        text=POD_YAML.replace("name: web\n", f"name: {name}\n"))
        except Status as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=apply, args=(f"pod-{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    created = pod_names(playground)
    refused = {error.details.get("name") for error in errors}
    assert all(error.code == 409 for error in errors)
    assert len(created) + len(errors) == 6
    assert created.isdisjoint(refused)


@pytest.mark.django_db(transaction=True)
def test_reconciles_racing_learner_writes_lose_nothing(learner, playground):
    # Reconciles read without the row lock and retry when a learner's write stored first.
    errors: list[BaseException] = []
    writes_done = threading.Event()

    def apply(index: int) -> None:
        try:
            for round_ in range(3):
                services.sandbox_apply_yaml(sandbox_id=playground.pk, user=learner,
                                            text=POD_YAML.replace("name: web\n", f"name: pod-{index}-{round_}\n"))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    def reconcile() -> None:
        try:
            while not writes_done.is_set():
                services.sandbox_reconcile(sandbox_id=playground.pk)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    reconcilers = [threading.Thread(target=reconcile) for _ in range(2)]
    writers = [threading.Thread(target=apply, args=(i,)) for i in range(3)]
    for thread in reconcilers + writers:
        thread.start()
    for thread in writers:
        thread.join()
    writes_done.set()
    for thread in reconcilers:
        thread.join()
    assert errors == []
    assert {f"pod-{i}-{r}" for i in range(3) for r in range(3)} <= pod_names(playground)
    # Every change after the scenario's first state (recorded an object at a time) is recorded once, none missing.
    versions = list(SandboxChange.objects.filter(sandbox=playground).exclude(actor="scenario")
                    .order_by("resource_version").values_list("resource_version", flat=True))
    assert versions == list(range(versions[0], versions[-1] + 1))
    playground.refresh_from_db()
    assert versions[-1] == playground.resource_version


def _reads_the_state(queries) -> bool:
    return any(query["sql"].startswith("SELECT") and '"state"' in query["sql"].split(" FROM ")[0]
               for query in queries)


@pytest.mark.django_db(transaction=True)
def test_a_reconcile_reuses_the_engine_it_stored_until_someone_else_writes(learner, playground):
    services.sandbox_reconcile(sandbox_id=playground.pk)
    with CaptureQueriesContext(connection) as queries:
        services.sandbox_reconcile(sandbox_id=playground.pk)
    assert not _reads_the_state(queries.captured_queries)

    services.sandbox_apply_yaml(sandbox_id=playground.pk, user=learner, text=POD_YAML)
    with CaptureQueriesContext(connection) as queries:
        services.sandbox_reconcile(sandbox_id=playground.pk)
    assert _reads_the_state(queries.captured_queries)  # the learner's write moved the version: read it
    assert "web" in pod_names(playground)


@pytest.mark.django_db
def test_too_many_commands_are_refused(learner, playground, monkeypatch):
    monkeypatch.setattr(services, "COMMANDS_PER_MINUTE", 2)
    services.sandbox_apply_yaml(sandbox_id=playground.pk, user=learner, text=POD_YAML, dry_run=True)
    services.sandbox_apply_yaml(sandbox_id=playground.pk, user=learner, text=POD_YAML, dry_run=True)
    with pytest.raises(Status) as refused:
        services.sandbox_apply_yaml(sandbox_id=playground.pk, user=learner, text=POD_YAML, dry_run=True)
    assert refused.value.code == 429


@pytest.mark.django_db
def test_reset_rebuilds_from_the_scenario(learner, playground):
    services.sandbox_apply_yaml(sandbox_id=playground.pk, user=learner, text=POD_YAML)
    rv_before = Sandbox.objects.get(pk=playground.pk).resource_version
    services.sandbox_reset(sandbox=playground)
    assert "web" not in pod_names(playground)
    assert Sandbox.objects.get(pk=playground.pk).resource_version > rv_before


@pytest.mark.django_db
def test_pod_quota_is_refused_with_the_quota_message_and_changes_nothing(learner, playground):
    sandbox = Sandbox.objects.get(pk=playground.pk)
    pods_now = len(engine.list_objects(engine.load(sandbox.state), "Pod"))
    sandbox.state["limits"] = {"pods": pods_now}  # as a lesson's scenario could set them
    sandbox.save()
    before = frozen(playground)
    with pytest.raises(Status) as refused:
        services.sandbox_apply_yaml(sandbox_id=playground.pk, user=learner, text=POD_YAML)
    assert refused.value.code == 403
    assert "exceeded quota: sandbox-limits, requested: pods=1" in refused.value.message
    assert frozen(playground) == before


def test_warm_up_freezes_what_is_loaded_and_makes_collections_rare():
    previous = gc.get_threshold()
    collections: list[int] = []

    def record(phase: str, info: dict) -> None:
        if phase == "start":
            collections.append(info["generation"])

    try:
        engine.warm_up()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == engine.GC_THRESHOLDS
        gc.callbacks.append(record)
        # At Python's default threshold (700) these allocations would set off about a dozen collections.
        allocated = [[] for _ in range(10_000)]
        assert collections == []
        del allocated
    finally:
        if record in gc.callbacks:
            gc.callbacks.remove(record)
        gc.unfreeze()
        gc.set_threshold(*previous)


def test_a_loaded_engine_is_freed_without_a_garbage_collection(playground):
    """Rare collections are safe only because an engine is no reference cycle."""
    collected_before = gc.get_stats()[2]["collections"]
    gc.disable()
    try:
        cluster = engine.load(Sandbox.objects.get(pk=playground.pk).state)
        engine.list_objects(cluster, "Pod")  # decode a kind, build the indexes
        cluster.store.uids  # noqa: B018
        freed = weakref.ref(cluster)
        del cluster
        assert freed() is None
    finally:
        gc.enable()
    assert gc.get_stats()[2]["collections"] == collected_before


def _replayed(sandbox: Sandbox) -> dict[str, str]:
    """The objects (uid -> resourceVersion) the whole change log builds when replayed from an empty cluster,
    read a page at a time as the lesson page's timeline reads it."""
    objects: dict[str, str] = {}
    after = 0
    while True:
        page = replies.sandbox_history(sandbox_id=sandbox.pk, after=after, until=None, limit=50)
        for event in page["events"]:
            meta = event["object"]["metadata"]
            if event["type"] == "DELETED":
                objects.pop(meta.get("uid"), None)
            else:
                objects[meta["uid"]] = meta["resourceVersion"]
        after = int(page["last"])
        if not page["more"]:
            return objects


def _current(sandbox: Sandbox) -> dict[str, str]:
    sandbox.refresh_from_db()
    snapshot = engine.snapshot(engine.load(sandbox.state))
    return {obj["metadata"]["uid"]: obj["metadata"]["resourceVersion"] for obj in snapshot["objects"]}


@pytest.mark.django_db
def test_the_change_log_replays_from_an_empty_cluster_to_now_and_again_after_a_reset(learner):
    sandbox = services.sandbox_get_or_create(owner=learner)
    first = SandboxChange.objects.filter(sandbox=sandbox).order_by("resource_version").first()
    assert (first.actor, first.verb, first.event_type) == ("scenario", "create", "ADDED")
    services.sandbox_apply_yaml(sandbox_id=sandbox.pk, user=learner, text=POD_YAML)
    services.sandbox_reconcile(sandbox_id=sandbox.pk)
    assert _replayed(sandbox) == _current(sandbox)

    services.sandbox_reset(sandbox=sandbox)
    assert _replayed(sandbox) == _current(sandbox)
    assert not SandboxChange.objects.filter(sandbox=sandbox, name="web").exists()

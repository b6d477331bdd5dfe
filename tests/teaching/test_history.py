"""A sandbox's past from its change log: the pure rebuild (`teaching.history`), the replay feed of a real session,
and regrading stored attempts at the resourceVersion they read, or on the sandbox now when that is impossible."""

from __future__ import annotations

import pytest

from cluster_engine import engine
from cluster_engine import selectors as sandbox_selectors
from cluster_engine import services as sandbox_services
from cluster_engine.models import Sandbox
from lessons import services as lesson_services
from lessons import solutions
from lessons.models import Attempt, Exercise, ExerciseProgress
from teaching import history, services
from teaching.history import Logged


def obj(kind: str, name: str, rv: int, namespace: str = "default", **extra) -> dict:
    metadata = {"name": name, "resourceVersion": str(rv), **({"namespace": namespace} if namespace else {})}
    return {"kind": kind, "metadata": metadata, **extra}


def logged(rv: int, kind_of_change: str, body: dict, *, actor: str = "user:ada", at: float = 0.0) -> Logged:
    meta = body["metadata"]
    return Logged(rv, kind_of_change, body["kind"], meta.get("namespace", ""), meta["name"], sim_time=at, actor=actor,
                  _object=body)


# ------------------------------------------------------------------ pure

def test_going_back_undoes_every_later_change():
    d5, d7, p8 = obj("Deployment", "web", 5, spec={"replicas": 1}), obj("Deployment", "web", 7, spec={"replicas": 3}), \
        obj("Pod", "web-1", 8)
    log = [logged(5, "ADDED", d5), logged(7, "MODIFIED", d7), logged(8, "ADDED", p8), logged(9, "DELETED", p8)]
    current = [d7]

    def at(rv: int, **kwargs) -> dict | None:
        found = history.objects_at(current, log, rv, history_from=4, **kwargs)
        return None if found is None else {key: value["metadata"]["resourceVersion"] for key, value in found.items()}

    assert at(9) == {("Deployment", "default", "web"): "7"}
    assert at(8) == {("Deployment", "default", "web"): "7", ("Pod", "default", "web-1"): "8"}
    assert at(6) == {("Deployment", "default", "web"): "5"}
    assert at(4) == {}
    assert at(3) is None  # before the log begins (a reset, a pruned log)
    assert history.objects_at(current, log, 6, history_from=None) is None  # where it begins is unknown
    assert at(6, kinds={"Pod"}) == {}


def test_an_object_older_than_the_log_cannot_be_taken_back_but_other_kinds_can():
    node = obj("Node", "worker-1", 3, namespace="", status={"ready": False})
    pod = obj("Pod", "web", 6)
    log = [logged(5, "MODIFIED", node), logged(6, "ADDED", pod)]
    assert history.objects_at([node, pod], log, 4, history_from=4) is None
    assert history.objects_at([node, pod], log, 4, history_from=4, kinds={"Pod"}) == {}


def test_the_replay_starts_from_the_objects_the_log_never_mentions():
    built = obj("Node", "worker-1", 2, namespace="")
    touched = obj("Node", "worker-2", 6, namespace="")
    pod = obj("Pod", "web", 7)
    log = [logged(6, "MODIFIED", touched, actor="kubelet/worker-2", at=1.0), logged(7, "ADDED", pod, at=2.0),
           logged(8, "MODIFIED", obj("Pod", "web", 8), actor="kubelet/worker-1", at=2.0),
           logged(9, "MODIFIED", obj("Pod", "web", 9), actor="kubelet/worker-1", at=2.0)]
    base = history.replay_base([built, touched, obj("Pod", "web", 8)], log, history_from=5, resource_version=8)
    assert [item["metadata"]["name"] for item in base.objects] == ["worker-1", "worker-2"]
    assert base.resource_version == 5
    assert base.exact is False  # worker-2's version before 6 is unknown
    clean = history.replay_base([built, obj("Pod", "web", 8)], log[1:], history_from=5, resource_version=8)
    assert clean.exact is True
    # One step per actor and simulated moment: the kubelet's two updates at 2.0 s are one.
    assert [len(step) for step in history.replay_steps(log)] == [1, 1, 2]


# ------------------------------------------------------------------ a real session

pytestmark_db = pytest.mark.django_db


@pytest.fixture
def desired(course) -> Exercise:
    return Exercise.objects.get(lesson__slug="what-is-kubernetes", slug="desired-state")


def replayed(feed: dict) -> dict:
    objects = {history.key_of(item): item for item in feed["base"]["objects"]}
    previous = feed["base"]["resourceVersion"]
    for step in feed["steps"]:
        assert step["previousResourceVersion"] == previous
        for event in step["events"]:
            key = history.key_of(event["object"])
            if event["type"] == "DELETED":
                objects.pop(key, None)
            else:
                objects[key] = event["object"]
        previous = step["resourceVersion"]
    return {key: value["metadata"]["resourceVersion"] for key, value in objects.items()}


@pytestmark_db
def test_the_replay_feed_ends_exactly_where_the_sandbox_is(desired, cohort, learner):
    sandbox = lesson_services.lesson_sandbox(learner=learner, lesson=desired.lesson, exercise=desired)
    solutions.run_steps(sandbox=sandbox, learner=learner, steps=desired.solution["steps"])
    solutions.run_steps(sandbox=sandbox, learner=learner,
                        steps=[{"run": "kubectl scale deployment hello --replicas=1"}, {"wait": 20}])
    feed = services.sandbox_history(sandbox=Sandbox.objects.get(pk=sandbox.pk))
    current, cluster = sandbox_selectors.sandbox_with_engine(sandbox_id=sandbox.pk)
    now = {history.key_of(item): item["metadata"]["resourceVersion"] for item in engine.snapshot(cluster)["objects"]}
    assert replayed(feed) == now
    assert feed["resourceVersion"] == str(current.resource_version)
    assert feed["steps"][-1]["resourceVersion"] == str(current.resource_version)
    assert [command["text"].split("\n")[0] for command in feed["commands"]] == [
        "kubectl apply -f -", "kubectl scale deployment hello --replicas=1"]
    assert any(change["actor"] == f"user:{learner.get_username()}" and change["kind"] == "Deployment"
               for step in feed["steps"] for change in step["changes"])


@pytestmark_db
def test_a_regrade_reads_each_attempt_at_its_own_version_then_on_the_sandbox_after_a_reset(desired, cohort, learner,
                                                                                            instructor):
    sandbox = lesson_services.lesson_sandbox(learner=learner, lesson=desired.lesson, exercise=desired)
    solutions.run_steps(sandbox=sandbox, learner=learner, steps=desired.solution["steps"])
    graded = lesson_services.attempt_grade(learner=learner, exercise=desired)
    assert graded.attempt.passed
    # The learner moves on: the Deployment is gone now.
    solutions.run_steps(sandbox=sandbox, learner=learner, steps=[{"run": "kubectl delete deployment hello"},
                                                                 {"wait": 10}])
    same = services.attempts_regrade(exercise=desired, by=instructor, cohort=cohort)
    assert (same.attempts, same.at_version, same.on_current, same.changed) == (1, 1, 0, 0)
    assert Attempt.objects.get(pk=graded.attempt.pk).passed  # graded on the cluster as it was, not as it is

    # The author fixes a check: the exercise wanted 4 replicas all along. The stored attempt no longer passes.
    checks = desired.checks
    next(check for check in checks if check["id"] == "replicas")["object"]["equals"] = 4
    Exercise.objects.filter(pk=desired.pk).update(checks=checks)
    desired.refresh_from_db()
    fixed = services.attempts_regrade(exercise=desired, by=instructor, cohort=cohort)
    assert (fixed.at_version, fixed.changed) == (1, 1)
    attempt = Attempt.objects.get(pk=graded.attempt.pk)
    assert (attempt.passed, attempt.score, attempt.failed_check_ids()) == (False, 5, ["replicas"])
    assert fixed.details[0]["before"] == {"score": 6, "max_score": 6, "passed": True}
    assert fixed.details[0]["basis"] == "at-version"
    progress = ExerciseProgress.objects.get(learner=learner, exercise=desired)
    assert (progress.best_score, progress.first_passed_at, progress.failed_attempts_in_a_row) == (5, None, 1)

    # After a reset the history is gone: the attempt is graded on the sandbox as it is now (nothing there).
    sandbox_services.sandbox_reset(sandbox=Sandbox.objects.get(pk=sandbox.pk))
    after_reset = services.attempts_regrade(exercise=desired, by=instructor, cohort=cohort)
    assert (after_reset.at_version, after_reset.on_current) == (0, 1)
    assert Attempt.objects.get(pk=graded.attempt.pk).score == 0


@pytestmark_db
def test_checks_reading_runtime_state_are_regraded_on_the_sandbox_now(course, cohort, learner, instructor):
    exercise = Exercise.objects.filter(checks__icontains='"component"').first() or Exercise.objects.filter(
        checks__icontains='"http"').first()
    if exercise is None:
        pytest.skip("no exercise with a component or http check in the course")
    lesson_services.attempt_grade(learner=learner, exercise=exercise)
    regrade = services.attempts_regrade(exercise=exercise, by=instructor, cohort=cohort)
    assert (regrade.at_version, regrade.on_current) == (0, 1)


@pytestmark_db
def test_a_regrade_of_another_cohort_leaves_these_attempts_alone(desired, cohort, learner, other_instructor,
                                                                 instructor):
    lesson_services.attempt_grade(learner=learner, exercise=desired)
    theirs = services.cohort_create(owner=other_instructor, name="Other")
    assert services.attempts_regrade(exercise=desired, by=other_instructor, cohort=theirs).attempts == 0
    assert services.attempts_regrade(exercise=desired, by=instructor, cohort=cohort).attempts == 1
    sandbox = Sandbox.objects.get(owner=learner, key=desired.sandbox_key)
    sandbox.delete()
    gone = services.attempts_regrade(exercise=desired, by=instructor, cohort=cohort)
    assert (gone.skipped, gone.changed) == (1, 0)

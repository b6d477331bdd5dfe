"""Status conditions: one per type, the transition time kept while the status holds, replaced in place or moved last."""

from __future__ import annotations

from cluster_engine.sim.conditions import condition_of, find_condition, remove_condition, set_condition


def _condition(kind: str, status: str, stamp: str, reason: str = "") -> dict[str, str]:
    return {"type": kind, "status": status, "lastTransitionTime": stamp, "reason": reason}


def test_a_new_condition_is_appended_and_found():
    status: dict = {}
    set_condition(status, _condition("Ready", "True", "t1"))
    assert status["conditions"] == [_condition("Ready", "True", "t1")]
    assert find_condition(status, "Ready") == _condition("Ready", "True", "t1")
    assert condition_of({"status": status}, "Available") is None


def test_the_transition_time_moves_only_with_the_status():
    status = {"conditions": [_condition("Ready", "True", "t1", "A")]}
    set_condition(status, _condition("Ready", "True", "t2", "B"))
    assert status["conditions"] == [_condition("Ready", "True", "t1", "B")]
    set_condition(status, _condition("Ready", "False", "t3", "C"))
    assert status["conditions"] == [_condition("Ready", "False", "t3", "C")]


def test_in_place_keeps_the_order_and_move_to_end_puts_it_last_in_a_new_list():
    first, second = _condition("A", "True", "t1"), _condition("B", "True", "t1")
    status = {"conditions": [first, second]}
    set_condition(status, _condition("A", "False", "t2"))
    assert [c["type"] for c in status["conditions"]] == ["A", "B"]
    before = status["conditions"]
    set_condition(status, _condition("A", "True", "t3"), move_to_end=True)
    assert [c["type"] for c in status["conditions"]] == ["B", "A"]
    assert [c["type"] for c in before] == ["A", "B"]
    assert first == _condition("A", "True", "t1")  # an old condition is never changed


def test_removing_the_last_condition_drops_the_field():
    status = {"conditions": [_condition("A", "True", "t1")]}
    remove_condition(status, "A")
    assert "conditions" not in status

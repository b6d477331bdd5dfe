from cluster_engine.sim.clock import Clock, Timers


def test_clock_follows_wall_time_at_its_speed():
    clock = Clock(1000.0, speed=2.0, wall=50.0)
    assert clock.target(60.0) == 1020.0
    clock.set_speed(10.0, 60.0)
    assert clock.now == 1020.0
    assert clock.target(61.0) == 1030.0


def test_paused_clock_does_not_move_until_resumed():
    clock = Clock(0.0, wall=0.0)
    clock.set_paused(True, 5.0)
    assert clock.target(100.0) == 5.0
    clock.set_paused(False, 100.0)
    assert clock.target(101.0) == 6.0


def test_speed_is_bounded_from_one_to_sixty():
    clock = Clock(0.0)
    for good in (1, 2.5, 60):
        clock.set_speed(good, 0.0)
        assert clock.speed == good
    for bad in (0, 0.5, -1, 61):
        try:
            clock.set_speed(bad, 0.0)
        except ValueError:
            continue
        raise AssertionError(f"speed {bad} accepted")


def test_wall_time_of_a_simulated_instant():
    clock = Clock(100.0, speed=4.0, wall=10.0)
    assert clock.wall_for(140.0) == 20.0


def test_timers_fire_in_time_priority_sequence_order():
    timers = Timers()
    timers.schedule(5.0, "b", "x")
    timers.schedule(5.0, "a", "y", priority=-1)
    timers.schedule(1.0, "c", "z")
    timers.schedule(5.0, "a", "w")
    fired = []
    while (timer := timers.pop_due(10.0)) is not None:
        fired.append((timer.owner, timer.key))
    assert fired == [("c", "z"), ("a", "y"), ("b", "x"), ("a", "w")]


def test_rescheduling_a_key_keeps_the_earliest_unless_told_otherwise():
    timers = Timers()
    timers.schedule(5.0, "k", "p")
    timers.schedule(9.0, "k", "p")
    assert timers.pending("k", "p") == 5.0
    timers.schedule(9.0, "k", "p", earliest=False)
    assert timers.pending("k", "p") == 9.0
    assert timers.pop_due(6.0) is None
    assert len(timers) == 1


def test_timers_round_trip_through_json():
    timers = Timers()
    timers.schedule(3.0, "a", "1")
    timers.schedule(2.0, "b", "2")
    timers.cancel("a", "1")
    copy = Timers.from_json(timers.to_json())
    assert copy.to_json() == timers.to_json()
    assert copy.pop_due(5.0).key == "2"
    assert copy.pop_due(5.0) is None

"""The shared timestamp helpers of `sim/util.py`: every part of the simulation parses API timestamps through
`parse_rfc3339`, so the forms the API writes must all read back to the same second."""

from __future__ import annotations

from cluster_engine.sim.util import parse_rfc3339, rfc3339


def test_a_written_timestamp_reads_back_to_the_same_second() -> None:
    assert parse_rfc3339(rfc3339(1767603600.7)) == 1767603600.0


def test_micro_time_keeps_its_fraction() -> None:
    assert parse_rfc3339("2026-01-05T09:00:00.250000Z") == parse_rfc3339("2026-01-05T09:00:00Z") + 0.25


def test_an_offset_is_the_same_moment_as_utc() -> None:
    assert parse_rfc3339("2026-01-05T10:00:00+01:00") == parse_rfc3339("2026-01-05T09:00:00Z")

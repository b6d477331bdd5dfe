"""The engines a worker process keeps between reconciles: within their memory budget, by version."""

import time

from cluster_engine import engine, kept_engines


def test_kept_engines_stay_within_their_memory_budget():
    cluster = engine.new_cluster(engine.default_scenario(), seed=1, wall_now=time.time())
    kept = kept_engines.KeptEngines(budget_bytes=3 * 1000 * kept_engines.KeptEngines.MEMORY_PER_STORED_BYTE)
    for index in range(5):
        kept.keep(f"sandbox-{index}", 1, cluster, stored_bytes=1000)
    assert len(kept) == 3  # the two stored first went
    assert kept.take("sandbox-0", 1) is None
    assert kept.take("sandbox-4", 1) is cluster
    kept.keep("huge", 1, cluster, stored_bytes=10_000)  # more than the whole budget: not kept at all
    assert kept.version_of("huge") is None
    assert len(kept) == 2
    assert kept.take("sandbox-3", 2) is None  # another version was stored since: not this engine

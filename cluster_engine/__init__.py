"""Sandboxes: the Django app around the pure simulated cluster in `cluster_engine.sim`."""

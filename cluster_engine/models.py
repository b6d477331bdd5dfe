"""Sandbox models (see services.py for every write)."""

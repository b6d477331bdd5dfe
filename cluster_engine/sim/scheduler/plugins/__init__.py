"""Scheduler plugins, one module per upstream plugin, each with its upstream name and reason wordings."""

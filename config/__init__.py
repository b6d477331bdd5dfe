"""Podlab's Django project package (named `config`, not `platform`, so the standard library's module stays visible)."""

from config.celery_app import app as celery_app

__all__ = ["celery_app"]

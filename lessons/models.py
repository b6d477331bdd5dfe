"""Lesson models."""

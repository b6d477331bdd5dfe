"""Courses, lessons and exercises in Russian and English; instructors and cohorts."""

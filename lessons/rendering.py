"""Lesson Markdown to HTML, one way for the page and the API."""

from __future__ import annotations

import functools

import markdown


@functools.lru_cache(maxsize=256)
def markdown_html(text: str) -> str:
    """HTML of lesson Markdown (fenced code, tables). Lessons are written by the project and its instructors
    (staff), so the HTML is trusted as the page's own."""
    return markdown.markdown(text, extensions=["fenced_code", "tables", "sane_lists", "attr_list"])

"""Template tags: durations for the gradebook, and the instructors' comments on a learner's lesson page."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from teaching import selectors

register = template.Library()


@register.filter
def duration(seconds: Any) -> str:
    """`1 h 05 min`, `12 min`, `40 s`; empty for nothing."""
    if seconds in (None, ""):
        return ""
    seconds = int(float(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": f"{minutes:02d}"}
    if minutes:
        return _("%(minutes)s min") % {"minutes": minutes}
    return _("%(seconds)s s") % {"seconds": secs}


@register.filter
def percent(value: Any) -> int:
    return round(100 * float(value or 0))


@register.filter
def cell(row: Any, key: str) -> Any:
    return row.cells.get(key)


@register.inclusion_tag("teaching/_lesson_comments.html", takes_context=True)
def lesson_comments(context: template.Context, lesson_slug: str) -> dict[str, Any]:
    """The instructors' comments on the signed-in learner's attempts in this lesson (nothing to show: nothing)."""
    from lessons.models import Lesson

    request = context.get("request")
    user = getattr(request, "user", None)
    lesson = Lesson.objects.filter(slug=lesson_slug).first() if lesson_slug else None
    if user is None or not user.is_authenticated or lesson is None:
        return {"comments": []}
    return {"comments": selectors.learner_comments(learner=user, lesson=lesson)}

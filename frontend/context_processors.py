"""Template context shared by every page."""

from django.http import HttpRequest

from frontend.roles import is_instructor


def roles(request: HttpRequest) -> dict[str, bool]:
    user = getattr(request, "user", None)
    return {"user_is_instructor": bool(user and is_instructor(user))}

"""Roles: every account is a learner; instructors are a group; staff reach the Django admin."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def is_instructor(user: AbstractBaseUser | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    return user.groups.filter(name=settings.INSTRUCTOR_GROUP).exists()

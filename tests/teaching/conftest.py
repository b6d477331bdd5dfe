"""Fixtures of the teaching tests: the course, instructors, a cohort with one learner."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def course(db):
    from lessons import services

    services.lessons_load()


def _instructor(django_user_model, username: str):
    user = django_user_model.objects.create_user(username=username, password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=settings.INSTRUCTOR_GROUP)[0])
    return user


@pytest.fixture
def instructor(django_user_model):
    return _instructor(django_user_model, "ines")


@pytest.fixture
def other_instructor(django_user_model):
    return _instructor(django_user_model, "olga")


@pytest.fixture
def cohort(instructor, learner):
    from teaching import services

    cohort = services.cohort_create(owner=instructor, name="Spring class")
    services.cohort_join(learner=learner, code=cohort.invite_code)
    return cohort

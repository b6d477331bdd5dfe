"""`python manage.py sandbox_kubeconfig --user ada [--lesson pods-101]`: print a kubeconfig for that sandbox."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cluster_engine import services, tokens
from cluster_engine.kubeapi.views import kubeconfig_ca
from lessons import services as lesson_services
from lessons.models import Lesson


class Command(BaseCommand):
    help = ("Print a kubeconfig for a learner's sandbox (the playground unless --lesson is given), creating the "
            "sandbox if needed. It carries a fresh token: the sandbox's older tokens stop working.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="username of the learner")
        parser.add_argument("--lesson", default="", help="lesson slug (default: the playground)")
        parser.add_argument("--server", default="", help="API base URL instead of KUBE_API_PUBLIC_URL")

    def handle(self, *args: object, **options: str) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no user named {options['user']!r}")
        lesson = None
        if options["lesson"]:
            lesson = Lesson.objects.filter(slug=options["lesson"]).first()
            if lesson is None:
                raise CommandError(f"no lesson with the slug {options['lesson']!r}")
        sandbox = (lesson_services.lesson_sandbox(learner=user, lesson=lesson) if lesson is not None
                   else services.sandbox_get_or_create(owner=user))
        self.stdout.write(tokens.sandbox_kubeconfig(sandbox=sandbox, ca_pem=kubeconfig_ca(),
                                                      base_url=options["server"] or None), ending="")

"""Page views: they translate HTTP into calls of services and render templates."""

import json
from pathlib import Path

import markdown
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from frontend.assets import IMPORT_MAP, VENDOR_STYLESHEETS, vendor_static_path
from frontend.forms import SignUpForm
from lessons.models import Lesson

FAVICON = Path(__file__).resolve().parent / "static" / "frontend" / "favicon.ico"

PLAYGROUND_EXAMPLES = [
    (_("A Deployment of three web servers"), """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: nginx
          image: nginx:1.27
          ports:
            - containerPort: 80
          resources:
            requests:
              cpu: 100m
              memory: 64Mi
"""),
    (_("A Service in front of the web pods"), """apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: 80
"""),
    (_("A single pod"), """apiVersion: v1
kind: Pod
metadata:
  name: hello
  labels:
    app: hello
spec:
  containers:
    - name: hello
      image: busybox:1.36
      command: ["sh", "-c", "echo hello; sleep 3600"]
"""),
]


@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """`/favicon.ico`, which browsers ask for on every site whatever the page names (the pages name an SVG)."""
    return HttpResponse(FAVICON.read_bytes(), content_type="image/x-icon")


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/home.html")


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("home")
    return render(request, "frontend/accounts/signup.html", {"form": form})


def _import_map() -> str:
    """The page's import map (bare module names -> vendored files), safe to place inside a <script>."""
    imports = {name: static(vendor_static_path(path)) for name, path in IMPORT_MAP.items()}
    # json.dumps leaves "<" alone; escape it so no value can close the script element.
    return mark_safe(json.dumps({"imports": imports}).replace("<", "\\u003c"))  # noqa: S308


def _lesson_page(request: HttpRequest, *, lesson: Lesson | None) -> HttpResponse:
    """The lesson page around the learner's own sandbox for `lesson` (their playground when None)."""
    # Imported on use: the engine behind the service is heavy, and no other page needs it.
    from cluster_engine.services import sandbox_get_or_create

    sandbox = sandbox_get_or_create(owner=request.user, lesson=lesson)
    lesson_context = None
    if lesson is not None:
        # Lesson text is written by the project and its instructors (staff), so its HTML is trusted.
        html = markdown.markdown(lesson.body, extensions=["fenced_code", "tables", "sane_lists"])
        lesson_context = {"slug": lesson.slug, "title": lesson.title, "html": html, "exercises": []}
    config = {
        "wsPath": f"/ws/sandboxes/{sandbox.id}/",
        "sandboxId": str(sandbox.id),
        "kubeconfigUrl": reverse("sandbox-kubeconfig", kwargs={"sandbox_id": sandbox.id}),
        "resetUrl": reverse("sandbox-reset", kwargs={"sandbox_id": sandbox.id}),
        "historyUrl": reverse("sandbox-history", kwargs={"sandbox_id": sandbox.id}),
        "csrfToken": get_token(request),
        "language": get_language(),
        "lesson": {"slug": lesson.slug, "title": lesson.title} if lesson is not None else None,
        "examples": [{"title": str(title), "yaml": text} for title, text in PLAYGROUND_EXAMPLES],
    }
    return render(request, "frontend/lesson.html", {
        "config": config,
        "lesson": lesson_context,
        "import_map": _import_map(),
        "vendor_stylesheets": [vendor_static_path(name) for name in VENDOR_STYLESHEETS],
    })


@login_required
def playground(request: HttpRequest) -> HttpResponse:
    """The learner's playground: the lesson page around their own sandbox, with no lesson."""
    return _lesson_page(request, lesson=None)


@login_required
def lesson_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A lesson: its text in the learner's language beside their sandbox for it."""
    return _lesson_page(request, lesson=get_object_or_404(Lesson, slug=slug))

"""Page views: they translate HTTP into calls of services and render templates."""

from pathlib import Path

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from frontend.assets import VENDOR_STYLESHEETS, import_map_json, vendor_static_path
from frontend.forms import SignUpForm
from lessons import selectors as lesson_selectors
from lessons.api import exercise_json, question_json
from lessons.models import Exercise, Lesson
from lessons.rendering import markdown_html

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
    """The landing page; for a learner, the course with their progress."""
    lessons = lesson_selectors.lessons_with_progress(learner=request.user)
    return render(request, "frontend/home.html", {"lessons": _lesson_cards(lessons),
                                                  "course": lesson_selectors.course_progress(lessons)})


def _lesson_cards(lessons: list[lesson_selectors.LessonProgress]) -> list[dict[str, object]]:
    return [{"lesson": item.lesson, "progress": item,
             "open": lesson_selectors.lesson_is_open(lessons=lessons, lesson=item.lesson)} for item in lessons]


@login_required
def lesson_list(request: HttpRequest) -> HttpResponse:
    """Every lesson of the course in order, with the learner's progress."""
    lessons = lesson_selectors.lessons_with_progress(learner=request.user)
    return render(request, "frontend/lesson_list.html", {"lessons": _lesson_cards(lessons),
                                                         "course": lesson_selectors.course_progress(lessons)})


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
    return import_map_json()


def _lesson_page(request: HttpRequest, *, lesson: Lesson | None, exercise: Exercise | None = None) -> HttpResponse:
    """The lesson page around the learner's own sandbox for `lesson` (their playground when None); an exercise
    with a starting cluster of its own gets the page around that sandbox."""
    # Imported on use: the engine behind the services is heavy, and no other page needs it.
    from cluster_engine.services import sandbox_get_or_create
    from lessons.services import lesson_sandbox

    lesson_context = None
    if lesson is None:
        sandbox = sandbox_get_or_create(owner=request.user)
    else:
        sandbox = lesson_sandbox(learner=request.user, lesson=lesson, exercise=exercise)
        progress = lesson_selectors.lesson_with_progress(learner=request.user, lesson=lesson)
        states = progress.exercises
        shared = [s.exercise for s in states if not s.exercise.has_own_sandbox]
        current = exercise or next((s.exercise for s in states if s.status != "passed" and
                                    not s.exercise.has_own_sandbox), None) or (shared[0] if shared else None)
        exercises = []
        for state in states:
            item = exercise_json(state)
            item["max_score"] = state.exercise.max_score
            item["current"] = current is not None and state.exercise.pk == current.pk
            # An exercise with a cluster of its own is worked on at its own address; the others share the lesson's.
            item["url"] = (reverse("lesson-exercise", kwargs={"slug": lesson.slug, "exercise_id": state.exercise.slug})
                           if state.exercise.has_own_sandbox else reverse("lesson", kwargs={"slug": lesson.slug}))
            # Whether the exercise is worked on in this page's sandbox.
            item["here"] = (state.exercise.pk == exercise.pk) if exercise is not None \
                else not state.exercise.has_own_sandbox
            exercises.append(item)
        lesson_context = {"slug": lesson.slug, "title": lesson.title, "html": markdown_html(lesson.body),
                          "exercises": exercises, "quiz": [question_json(q) for q in lesson.quiz],
                          "progress": progress, "exercise": exercise}
    config = {
        "wsPath": f"/ws/sandboxes/{sandbox.id}/",
        "sandboxId": str(sandbox.id),
        "kubeconfigUrl": reverse("sandbox-kubeconfig", kwargs={"sandbox_id": sandbox.id}),
        "resetUrl": reverse("sandbox-reset", kwargs={"sandbox_id": sandbox.id}),
        "historyUrl": reverse("sandbox-history", kwargs={"sandbox_id": sandbox.id}),
        "csrfToken": get_token(request),
        "language": get_language(),
        "lesson": {
            "slug": lesson.slug, "title": lesson.title,
            "currentExercise": next((e["id"] for e in lesson_context["exercises"] if e["current"]), None),
            "exercises": [{"id": e["id"], "here": e["here"], "url": e["url"]} for e in lesson_context["exercises"]],
            "api": f"/api/lessons/{lesson.slug}/",
        } if lesson is not None and lesson_context is not None else None,
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


def _open_lesson_or_404(request: HttpRequest, slug: str) -> Lesson:
    lesson = get_object_or_404(Lesson, slug=slug)
    lessons = lesson_selectors.lessons_with_progress(learner=request.user)
    if not lesson_selectors.lesson_is_open(lessons=lessons, lesson=lesson):
        raise Http404(_("This lesson opens once you have completed the one before it."))
    return lesson


@login_required
def lesson_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A lesson: its text, exercises and quiz in the learner's language beside their sandbox for it."""
    return _lesson_page(request, lesson=_open_lesson_or_404(request, slug))


@login_required
def lesson_exercise_page(request: HttpRequest, slug: str, exercise_id: str) -> HttpResponse:
    """A lesson around the sandbox of one of its exercises (its own cluster, when it has one)."""
    lesson = _open_lesson_or_404(request, slug)
    exercise = get_object_or_404(Exercise, lesson=lesson, slug=exercise_id)
    if not exercise.has_own_sandbox:
        return redirect("lesson", slug=slug)
    return _lesson_page(request, lesson=lesson, exercise=exercise)

"""The lesson page and the playground: who may open them, their language and their config blob."""

import json
import re
import sys
import types
import uuid
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import translation

SANDBOX_ID = uuid.UUID("00000000-0000-4000-8000-000000000042")


def url_in(language: str, name: str) -> str:
    with translation.override(language):
        return reverse(name)


@pytest.fixture
def fake_sandbox_service():
    """The lead's service stands in for itself: this unit test checks template rendering only."""
    service = mock.Mock(return_value=types.SimpleNamespace(id=SANDBOX_ID))
    try:
        import cluster_engine.services as real
    except ImportError:  # the service module is still being written: stand in for all of it
        real = None
    if real is not None:
        with mock.patch.object(real, "sandbox_get_or_create", service):
            yield service
        return
    module = types.ModuleType("cluster_engine.services")
    module.sandbox_get_or_create = service
    module.__getattr__ = lambda name: mock.MagicMock(name=name)
    with mock.patch.dict(sys.modules, {"cluster_engine.services": module}):
        yield service


def page_config(text: str) -> dict:
    match = re.search(r'<script id="podlab-config" type="application/json">(.*?)</script>', text, re.S)
    assert match, "the config blob is missing"
    return json.loads(match.group(1))


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru"])
def test_playground_renders_for_a_learner_in_their_language(client, learner, fake_sandbox_service, language):
    client.force_login(learner)
    response = client.get(url_in(language, "playground"))
    assert response.status_code == 200
    text = response.content.decode()
    assert f'<html lang="{language}">' in text
    words = {"en": ["Your playground", "Terminal", "YAML editor", "Dry run"],
             "ru": ["Ваша песочница", "Терминал", "Редактор YAML", "Пробный запуск"]}[language]
    for word in words:
        assert word in text
    if language == "ru":
        assert "Your playground" not in text
    fake_sandbox_service.assert_called_once_with(owner=learner)


@pytest.mark.django_db
def test_playground_config_blob_names_the_sandbox_socket(client, learner, fake_sandbox_service):
    client.force_login(learner)
    config = page_config(client.get(url_in("ru", "playground")).content.decode())
    assert config["wsPath"] == f"/ws/sandboxes/{SANDBOX_ID}/"
    assert config["sandboxId"] == str(SANDBOX_ID)
    assert config["language"] == "ru"
    assert config["lesson"] is None
    assert str(SANDBOX_ID) in config["kubeconfigUrl"]
    assert config["examples"]
    assert all(set(example) == {"title", "yaml"} for example in config["examples"])
    assert "kind: Deployment" in config["examples"][0]["yaml"]


@pytest.mark.django_db
def test_playground_page_loads_its_modules_through_an_import_map(client, learner, fake_sandbox_service):
    client.force_login(learner)
    text = client.get(url_in("en", "playground")).content.decode()
    match = re.search(r'<script type="importmap">(.*?)</script>', text, re.S)
    assert match
    imports = json.loads(match.group(1))["imports"]
    assert imports["@xterm/xterm"].startswith("/static/vendor/")
    assert imports["@codemirror/view"].startswith("/static/vendor/")
    assert '<script type="module" src="/static/frontend/js/app.js"></script>' in text
    assert f'<script src="{url_in("en", "javascript-catalog")}"></script>' in text


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(url_in("en", "playground"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(url_in("en", "login"))
    assert "next=/en/playground/" in response.headers["Location"]


@pytest.mark.django_db
def test_home_page_leads_to_the_course_and_the_playground(client, learner):
    client.force_login(learner)
    text = client.get(url_in("en", "home")).content.decode()
    assert f'href="{url_in("en", "lesson-list-page")}" data-testid="start-learning"' in text
    assert f'href="{url_in("en", "playground")}"' in text


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru"])
def test_javascript_catalogue_answers_in_each_language(client, language):
    response = client.get(url_in(language, "javascript-catalog"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "django.gettext" in text
    # The catalogue is JSON with non-ASCII characters escaped.
    assert (json.dumps("Подключено к вашему кластеру")[1:-1] in text) == (language == "ru")


def test_russian_javascript_catalogue_is_complete():
    import polib
    from django.conf import settings

    catalogue = polib.pofile(str(settings.BASE_DIR / "locale/ru/LC_MESSAGES/djangojs.po"))
    assert len(catalogue) > 50
    assert catalogue.untranslated_entries() == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []


def test_every_vendored_module_is_in_the_import_map_and_vendor_list():
    from frontend.assets import IMPORT_MAP, VENDOR_FILES

    assert set(IMPORT_MAP.values()) <= set(VENDOR_FILES.values())


@pytest.mark.django_db
def test_a_lesson_page_renders_its_markdown_in_the_learners_language(client, learner):
    from lessons.models import Lesson

    Lesson.objects.create(
        slug="pods", title_en="Pods", title_ru="Поды",
        body_en="A **pod** runs containers.\n\n```\nkubectl get pods\n```\n",
        body_ru="**Под** запускает контейнеры.\n\n```\nkubectl get pods\n```\n")
    client.force_login(learner)
    english = client.get("/en/lessons/pods/").content.decode()
    assert "<strong>pod</strong> runs containers" in english
    assert "<pre><code>kubectl get pods" in english
    russian = client.get("/ru/lessons/pods/").content.decode()
    assert "<strong>Под</strong> запускает контейнеры" in russian
    assert "<h1 id=\"lesson-title\">Поды</h1>" in russian
    assert client.get("/en/lessons/nope/").status_code == 404

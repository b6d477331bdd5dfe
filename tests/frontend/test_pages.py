"""Every page answers under /en/ and /ru/, in that language."""

import pytest
from django.urls import reverse
from django.utils import translation

PUBLIC_PAGES = ["home", "login", "signup"]
PRIVATE_PAGES = ["password_change", "password_change_done"]
RUSSIAN_WORDS = {"home": "Изучайте Kubernetes", "login": "Войти", "signup": "Создайте учётную запись",
                 "password_change": "Сменить пароль", "password_change_done": "Пароль изменён"}
ENGLISH_WORDS = {"home": "Learn Kubernetes by doing", "login": "Log in", "signup": "Create your account",
                 "password_change": "Change password", "password_change_done": "Password changed"}


def url_in(language: str, name: str) -> str:
    with translation.override(language):
        return reverse(name)


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_PAGES)
@pytest.mark.parametrize("language", ["en", "ru"])
def test_public_page_answers_in_its_language(client, name, language):
    url = url_in(language, name)
    assert url.startswith(f"/{language}/")
    response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert f'<html lang="{language}">' in text
    words = RUSSIAN_WORDS if language == "ru" else ENGLISH_WORDS
    assert words[name] in text
    if language == "ru":
        assert "Learn Kubernetes by doing" not in text


@pytest.mark.django_db
@pytest.mark.parametrize("name", PRIVATE_PAGES)
@pytest.mark.parametrize("language", ["en", "ru"])
def test_account_page_answers_in_its_language(client, learner, name, language):
    client.force_login(learner)
    response = client.get(url_in(language, name))
    assert response.status_code == 200
    words = RUSSIAN_WORDS if language == "ru" else ENGLISH_WORDS
    assert words[name] in response.content.decode()


@pytest.mark.django_db
def test_first_visit_chooses_language_from_accept_language(client):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9,en;q=0.5").headers["Location"] == "/ru/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8").headers["Location"] == "/en/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE").headers["Location"] == "/en/"


@pytest.mark.django_db
def test_language_switcher_keeps_the_current_page(client):
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/en/accounts/login/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/ru/accounts/login/"
    # The choice sticks: the next unprefixed visit goes to Russian whatever the browser says.
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en").headers["Location"] == "/ru/"


@pytest.mark.django_db
def test_every_page_offers_the_switcher_with_both_languages(client):
    text = client.get("/en/").content.decode()
    assert 'value="ru"' in text
    assert "Русский" in text
    assert 'value="en"' in text


def test_russian_catalogue_is_complete():
    import polib
    from django.conf import settings

    catalogue = polib.pofile(str(settings.BASE_DIR / "locale/ru/LC_MESSAGES/django.po"))
    assert catalogue.untranslated_entries() == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []


def test_every_marked_string_is_in_the_russian_catalogues():
    """Extract every marked string again (into a scratch copy) and require a translation for each.

    The copy sits directly in the project folder: makemessages files each source under the first locale
    path whose parent contains it."""
    import os
    import shutil
    import subprocess
    import sys

    import polib
    from django.conf import settings

    if not shutil.which("xgettext"):
        pytest.skip("GNU gettext (xgettext) is not installed")
    scratch = settings.BASE_DIR / f".catalogue-check-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(settings.BASE_DIR / "locale", scratch)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "PODLAB_LOCALE_DIR": str(scratch)}
    skipped = (".venv/*", ".catalogue-check-*", "locale/*", "frontend/node_modules/*", "frontend/static/vendor/*",
               "staticfiles/*", "benchmarks/*", "tests/*")
    ignore = [argument for pattern in skipped for argument in ("--ignore", pattern)]
    try:
        for domain in ("django", "djangojs"):
            subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "ru", "-d", domain, *ignore],
                           cwd=settings.BASE_DIR, env=env, check=True, capture_output=True, timeout=120)
            catalogue = polib.pofile(str(scratch / "ru/LC_MESSAGES" / f"{domain}.po"))
            missing = [entry.msgid for entry in catalogue.untranslated_entries() + catalogue.fuzzy_entries()]
            assert missing == [], f"untranslated in {domain}.po: {missing}"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

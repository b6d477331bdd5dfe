"""The home page in a real browser: language chosen, switched, and kept on the same page."""

import pytest
from playwright.sync_api import Page, expect


@pytest.mark.django_db(transaction=True)
def test_home_page_switches_language(page: Page, asgi_server: str, screenshot_dir):
    page.set_extra_http_headers({"Accept-Language": "en-US,en;q=0.9"})
    page.goto(f"{asgi_server}/")
    expect(page).to_have_url(f"{asgi_server}/en/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Learn Kubernetes by doing")
    page.screenshot(path=str(screenshot_dir / "home-en.png"), full_page=True)

    page.get_by_test_id("lang-ru").click()
    expect(page).to_have_url(f"{asgi_server}/ru/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Изучайте Kubernetes на практике")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.screenshot(path=str(screenshot_dir / "home-ru.png"), full_page=True)

    # The switcher keeps the current page: from the Russian log-in form back to the English one.
    page.get_by_role("link", name="Войти").first.click()
    expect(page).to_have_url(f"{asgi_server}/ru/accounts/login/")
    page.get_by_test_id("lang-en").click()
    expect(page).to_have_url(f"{asgi_server}/en/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    page.screenshot(path=str(screenshot_dir / "login-en.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_sign_up_in_the_browser(page: Page, asgi_server: str, screenshot_dir):
    page.goto(f"{asgi_server}/ru/accounts/signup/")
    page.get_by_label("Имя пользователя").fill("margaret")
    page.locator("#id_password1").fill("correct-horse-battery-9")
    page.locator("#id_password2").fill("correct-horse-battery-9")
    page.get_by_test_id("submit").click()
    expect(page).to_have_url(f"{asgi_server}/ru/")
    expect(page.get_by_text("Вы вошли как margaret")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "signed-up-ru.png"), full_page=True)

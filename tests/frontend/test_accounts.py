"""Sign up, log in, log out, change password; the admin is for staff only."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from frontend.roles import is_instructor

PASSWORD = "correct-horse-battery-9"


@pytest.mark.django_db
def test_sign_up_creates_a_learner_and_logs_in(client):
    response = client.post("/en/accounts/signup/", {
        "username": "linus", "email": "", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    user = get_user_model().objects.get(username="linus")
    assert not user.is_staff
    assert not is_instructor(user)
    assert "Signed in as linus" in client.get("/en/").content.decode()


@pytest.mark.django_db
def test_sign_up_with_mismatched_passwords_shows_the_error_in_russian(client):
    response = client.post("/ru/accounts/signup/", {
        "username": "linus", "password1": PASSWORD, "password2": PASSWORD + "x"})
    assert response.status_code == 200
    assert "Введенные пароли не совпадают" in response.content.decode()
    assert not get_user_model().objects.filter(username="linus").exists()


@pytest.mark.django_db
def test_log_in_and_log_out(client, learner):
    response = client.post("/en/accounts/login/", {"username": "ada", "password": PASSWORD})
    assert response.status_code == 302
    assert "Signed in as ada" in client.get("/en/").content.decode()
    response = client.post("/en/accounts/logout/")
    assert response.status_code == 302
    assert "Signed in as" not in client.get("/en/").content.decode()


@pytest.mark.django_db
def test_wrong_password_is_refused(client, learner):
    response = client.post("/en/accounts/login/", {"username": "ada", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


@pytest.mark.django_db
def test_change_password(client, learner):
    client.force_login(learner)
    response = client.post("/en/accounts/password/", {
        "old_password": PASSWORD, "new_password1": "another-long-phrase-7", "new_password2": "another-long-phrase-7"})
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.check_password("another-long-phrase-7")


@pytest.mark.django_db
def test_password_change_needs_login(client):
    response = client.get("/en/accounts/password/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/en/accounts/login/")


@pytest.mark.django_db
def test_admin_only_for_staff(client, learner, staff_user):
    assert client.get("/admin/").status_code == 302
    client.force_login(learner)
    response = client.get("/admin/")
    assert response.status_code == 302  # a learner is sent to the admin's login form
    assert "/admin/login/" in response.headers["Location"]
    client.force_login(staff_user)
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_instructor_role_is_a_group(learner):
    assert not is_instructor(learner)
    learner.groups.add(Group.objects.get(name="instructors"))
    assert is_instructor(learner)

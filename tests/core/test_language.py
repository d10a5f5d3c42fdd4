import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_an_english_browser_still_gets_chinese(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "登录" in page


@pytest.mark.django_db
def test_the_user_can_switch_to_english_and_back(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Log in" in client.get(reverse("login")).content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "登录" in client.get(reverse("login")).content.decode()

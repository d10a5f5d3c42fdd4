"""`vanguard api-token USERNAME [--rotate]` and the token it prints."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from vanguard import cli
from vanguard.core.models import AuditEntry

URL = "/api/v1/people/"


def run(*args):
    out = io.StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue().strip()


def token_audits(user):
    return AuditEntry.objects.filter(model="core.user", object_id=str(user.pk)).order_by("id")


def test_prints_the_same_token_twice_and_audits_once(world):
    first = run("office")
    assert len(first) == 40 and run("office") == first
    assert Token.objects.get(user=world.office).key == first
    rows = list(token_audits(world.office))
    assert [(r.action, r.verb, r.actor_name) for r in rows] == [("action", "create API token", "system")]
    assert rows[0].centre == world.centre
    assert first not in str(rows[0].changes)  # the key never goes to the audit trail


def test_rotate_replaces_the_token(world):
    old = run("office")
    new = run("office", "--rotate")
    assert new != old and run("office") == new
    assert not Token.objects.filter(key=old).exists()
    assert [r.verb for r in token_audits(world.office)] == ["create API token", "rotate API token"]
    client = APIClient()
    assert client.get(URL, HTTP_AUTHORIZATION=f"Token {old}").status_code == 401
    assert client.get(URL, HTTP_AUTHORIZATION=f"Token {new}").status_code == 200


def test_unknown_user_is_an_error(world):
    with pytest.raises(CommandError) as excinfo, translation.override("zh-hans"):
        run("nobody")
    with translation.override("zh-hans"):
        assert str(excinfo.value) == gettext("There is no user “%(username)s”.") % {"username": "nobody"}
    assert not Token.objects.exists()


def test_unknown_user_exits_non_zero_through_the_console_command(world, capsys):
    with pytest.raises(SystemExit) as excinfo:
        cli.main(["vanguard", "api-token", "nobody"])
    assert excinfo.value.code != 0
    assert "nobody" in capsys.readouterr().err


def test_disabled_user_gets_no_token(world):
    world.liaison.is_active = False
    world.liaison.save()
    with pytest.raises(CommandError):
        run("liaison")
    assert not Token.objects.filter(user=world.liaison).exists()


def test_token_authenticates_as_its_user(world):
    key = run("secretary")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    names = {row["name"] for row in client.get(URL).json()["results"]}
    assert names == {p.name for p in world.branch1_members}

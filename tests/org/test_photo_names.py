"""Staff photos are public files (media/public/), so their names must not be
guessable (issue 11, point 16): uploads get a random name; older files are renamed."""

import re

import pytest
from django.apps import apps

from vanguard.core.uploads_migration import rename_public_files
from vanguard.org import services
from vanguard.org.avatars import avatar
from vanguard.org.models import Person

RANDOM = re.compile(r"^public/people/[0-9a-f]{32}\.jpg$")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.django_db
def test_an_uploaded_photo_gets_a_random_name(world, media):
    person = services.update_person(world.office, world.member_person, photo=avatar("李", 1))
    assert RANDOM.match(person.photo.name), person.photo.name
    other = services.update_person(world.office, world.secretary_person, photo=avatar("王", 1))
    assert other.photo.name != person.photo.name  # same upload name, different stored names


@pytest.mark.django_db
def test_older_photos_are_renamed(world, media):
    person = world.member_person
    (media / "public" / "people").mkdir(parents=True)
    (media / "public" / "people" / "lidangyuan.jpg").write_bytes(b"jpeg")
    Person.objects.filter(pk=person.pk).update(photo="public/people/lidangyuan.jpg")
    rename_public_files(apps, "org", "Person", "photo", "public/people")
    person.refresh_from_db()
    assert RANDOM.match(person.photo.name)
    assert (media / person.photo.name).read_bytes() == b"jpeg"
    assert not (media / "public" / "people" / "lidangyuan.jpg").exists()

"""Photos are checked in the services (not only a page's form): JPEG or PNG by their bytes,
at most settings.PHOTO_MAX_BYTES, and at most settings.PHOTO_MAX_PIXELS: a small file can
declare a picture of a hundred million pixels that the public pages' phones cannot draw."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from vanguard.org import services
from vanguard.org.avatars import avatar
from vanguard.posts import services as post_services


def _picture(size, kind="PNG", mode="1"):
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, kind)
    return SimpleUploadedFile(f"photo.{kind.lower()}", buffer.getvalue())


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_photo_of_too_many_pixels_is_refused_in_chinese(world, media):
    huge = _picture((10_000, 10_000))  # 100 million pixels in a few kilobytes
    assert huge.size < 100_000
    with pytest.raises(ValidationError) as excinfo:
        services.update_person(world.office, world.member_person, photo=huge)
    assert "10000 × 10000" in str(excinfo.value) and "像素" in str(excinfo.value)
    world.member_person.refresh_from_db()
    assert not world.member_person.photo


def test_only_jpeg_and_png_within_the_size_are_kept(world, media, settings):
    with pytest.raises(ValidationError):
        services.update_person(world.office, world.member_person, photo=_picture((20, 20), "GIF", "P"))
    settings.PHOTO_MAX_BYTES = 100
    with pytest.raises(ValidationError):
        services.update_person(world.office, world.member_person, photo=_picture((200, 200), "JPEG", "RGB"))
    settings.PHOTO_MAX_BYTES = 5 * 1024 * 1024
    person = services.update_person(world.office, world.member_person, photo=avatar("李", 1))
    assert person.photo.name.startswith("public/people/")


def test_a_post_photo_is_checked_as_well(world, media):
    from ..posts.conftest import make_post

    post = make_post(world)
    with pytest.raises(ValidationError) as excinfo:
        post_services.update_post(world.office, post, photo=_picture((10_000, 10_000)))
    assert "像素" in str(excinfo.value)
    post.refresh_from_db()
    assert not post.photo

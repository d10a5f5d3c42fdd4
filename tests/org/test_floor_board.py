"""The public branch board of a floor: no login, names and photos, no phone numbers."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from vanguard.org import services
from vanguard.org.models import CommitteeMember

from .pages import text

pytestmark = pytest.mark.django_db


def board(floor):
    return reverse("org:floor-board", args=[floor.pk])


def test_anyone_reads_the_board_without_phone_numbers(world, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    services.set_committee_member(world.admin, world.branch1, world.branch1_members[2],
                                  role=CommitteeMember.Role.DEPUTY, sort_order=1)
    services.update_organization(world.admin, world.branch1, guide=world.branch2_members[0])
    world.secretary_person.photo.save("sec.png", ContentFile(b"\x89PNG fake"), save=True)
    response = client.get(board(world.floor1))
    assert response.status_code == 200
    page = text(response)
    assert board(world.floor1) == f"/b/{world.floor1.pk}/"
    for expected in ("一层党支部", "测试区政务服务中心", "王书记", "书记", "副书记", "阿依古丽·买买提", "李党员",
                     "宣传委员", "张二层", "党建工作指导员", world.secretary_person.photo.url, "010-12345"):
        assert expected in page, expected
    # Names and photos only: no phone number, masked or not, and no other member.
    for person in world.branch1_members + world.branch2_members:
        assert person.mobile not in page and person.masked_mobile not in page
    assert "陈群众" not in page
    assert "public" in response["Cache-Control"]
    # The secretary comes first.
    assert page.index("王书记") < page.index("阿依古丽·买买提") < page.index("李党员")


def test_a_logged_in_user_sees_the_same_board(world, login):
    assert "王书记" in text(login(world.outsider).get(board(world.floor1)))


def test_a_floor_without_a_branch_says_so(world, client):
    services.update_organization(world.admin, world.branch2, floor=None)
    page = text(client.get(board(world.floor2)))
    assert "二层大厅" in page and "尚未成立党支部" in page


def test_unknown_floor_is_404(world, client):
    assert client.get("/b/999999/").status_code == 404


def test_board_is_light(world, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        client.get(board(world.floor1))


def test_large_type_and_hall_screen(world, client):
    assert 'class="large"' in text(client.get(board(world.floor1) + "?large=1"))
    assert 'http-equiv="refresh"' in text(client.get(board(world.floor1) + "?screen=1"))

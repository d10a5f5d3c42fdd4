"""Floors and windows: the list, one floor with its windows and branch, and
the office's forms."""

import pytest
from django.urls import reverse

from vanguard.core.models import AuditEntry
from vanguard.org import services
from vanguard.org.models import Floor, Window

from .pages import assert_login_redirect, audit_rows, text

pytestmark = pytest.mark.django_db

FLOORS = reverse("org:floor-list")


def detail(floor):
    return reverse("org:floor-detail", args=[floor.pk])


def test_office_lists_floors_with_branch_and_counts(world, login):
    page = text(login(world.office).get(FLOORS))
    assert "一层大厅" in page and "二层大厅" in page and "一层党支部" in page
    assert reverse("org:floor-create") in page
    assert reverse("org:floor-board", args=[world.floor1.pk]) in page


@pytest.mark.parametrize("role", ["secretary", "scorer", "liaison", "handler", "member"])
def test_roles_in_the_centre_read_floors(world, login, role):
    client = login(getattr(world, role))
    page = text(client.get(FLOORS))
    assert "一层大厅" in page and reverse("org:floor-create") not in page
    response = client.get(detail(world.floor1))
    assert response.status_code == 200
    assert "A01" in text(response) and reverse("org:window-create", args=[world.floor1.pk]) not in text(response)


def test_outsider_sees_no_floor_of_ours(world, login):
    client = login(world.outsider)
    assert "一层大厅" not in text(client.get(FLOORS))
    assert client.get(detail(world.floor1)).status_code == 404
    assert client.get(reverse("org:floor-edit", args=[world.floor1.pk])).status_code == 404
    assert client.get(reverse("org:window-edit", args=[world.window1.pk])).status_code == 404


def test_the_administrator_sees_the_floors_of_one_centre_at_a_time(world, login, django_assert_max_num_queries):
    services.create_floor(world.admin, world.other_centre, number=1, name="别区大厅")
    client = login(world.admin)
    page = text(client.get(FLOORS))
    # Without a choice: the first centre by name (别区 before 测试区), never both.
    assert 'name="centre"' in page and "别区大厅" in page and "一层大厅" not in page
    with django_assert_max_num_queries(12):
        page = text(client.get(FLOORS + f"?centre={world.centre.pk}"))
    assert "一层大厅" in page and "二层大厅" in page and "别区大厅" not in page
    assert 'name="centre"' not in text(login(world.office).get(FLOORS))


def test_anonymous_is_sent_to_login(world, client):
    for url in (FLOORS, detail(world.floor1), reverse("org:floor-create"),
                reverse("org:window-edit", args=[world.window1.pk])):
        assert_login_redirect(client.get(url))


def test_floor_page_shows_windows_staff_and_branch_committee(world, login):
    page = text(login(world.office).get(detail(world.floor1)))
    for expected in ("A01", "企业开办", "区市场监管局", "综合窗口科", "企业设立登记", "变更登记", "李党员", "陈群众",
                     "一层党支部", "王书记", "宣传委员"):
        assert expected in page
    assert "B01" not in page


def test_a_liaison_sees_only_the_staff_they_may_see(world, login):
    page = text(login(world.liaison).get(detail(world.floor2)))
    assert "B01" in page and "张二层" not in page


def test_office_creates_and_edits_a_floor_with_audit_rows(world, login):
    client = login(world.office)
    response = client.post(reverse("org:floor-create"), {"number": 3, "name": "三层大厅", "description": ""})
    assert response.status_code == 302
    floor = Floor.objects.get(name="三层大厅")
    assert floor.centre == world.centre
    assert audit_rows(world.office, floor, AuditEntry.Action.CREATE).exists()
    response = client.post(reverse("org:floor-edit", args=[floor.pk]),
                           {"number": 3, "name": "三层社会事务大厅", "description": "社保、民政"})
    assert response.status_code == 302
    assert audit_rows(world.office, floor, AuditEntry.Action.UPDATE).get().changes["name"] == [
        "三层大厅", "三层社会事务大厅"]


def test_floor_errors_are_in_chinese(world, login):
    client = login(world.office)
    response = client.post(reverse("org:floor-create"), {"number": 1, "name": "重复的一层"})
    assert response.status_code == 200
    assert "已经存在" in text(response)
    response = client.post(reverse("org:floor-create"), {"number": "一", "name": ""})
    assert "输入整数" in text(response) and "必填" in text(response)
    assert not Floor.objects.filter(name="重复的一层").exists()


def test_office_adds_and_edits_a_window(world, login):
    client = login(world.office)
    url = reverse("org:window-create", args=[world.floor2.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"floor": world.floor2.pk, "number": "B02", "name": "医保业务",
                                 "unit": world.home_unit2.pk, "department": world.department.pk,
                                 "service_items": "医保参保登记\n异地就医备案"})
    assert response.status_code == 302
    window = Window.objects.get(number="B02")
    assert window.service_item_list == ["医保参保登记", "异地就医备案"]
    assert audit_rows(world.office, window, AuditEntry.Action.CREATE).exists()
    response = client.post(reverse("org:window-edit", args=[window.pk]), {
        "floor": world.floor2.pk, "number": "B02", "name": "医疗保障", "unit": world.home_unit2.pk,
        "department": "", "service_items": "医保参保登记"})
    assert response.status_code == 302
    window.refresh_from_db()
    assert window.name == "医疗保障" and window.department is None
    assert audit_rows(world.office, window, AuditEntry.Action.UPDATE).exists()


def test_window_errors_are_in_chinese(world, login):
    client = login(world.office)
    url = reverse("org:window-create", args=[world.floor1.pk])
    data = {"floor": world.floor1.pk, "number": "A01", "unit": world.home_unit.pk, "department": ""}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "已经存在" in text(response)  # A01 is taken
    # A home unit is no supervising department.
    assert "选择一个有效的选项" in text(client.post(url, {**data, "number": "A09", "department": world.home_unit.pk}))
    assert "必填" in text(client.post(url, {**data, "number": "A09", "unit": ""}))
    assert Window.objects.filter(number__in=["A01", "A09"]).count() == 1


@pytest.mark.parametrize("role", ["secretary", "scorer", "liaison", "member"])
def test_other_roles_may_not_write_floors_or_windows(world, login, role):
    client = login(getattr(world, role))
    assert client.get(reverse("org:floor-create")).status_code == 403
    assert client.post(reverse("org:floor-edit", args=[world.floor1.pk]), {"number": 1, "name": "x"}).status_code == 403
    assert client.get(reverse("org:window-create", args=[world.floor1.pk])).status_code == 403
    assert client.get(reverse("org:window-edit", args=[world.window1.pk])).status_code == 403
    world.floor1.refresh_from_db()
    assert world.floor1.name == "一层大厅"

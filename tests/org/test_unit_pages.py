"""Units: the filtered list, one unit with its windows, and the office's forms."""

import pytest
from django.urls import reverse

from vanguard.core.models import AuditEntry
from vanguard.org import services
from vanguard.org.models import Unit

from .pages import assert_login_redirect, audit_rows, text

pytestmark = pytest.mark.django_db

UNITS = reverse("org:unit-list")


def detail(unit):
    return reverse("org:unit-detail", args=[unit.pk])


def test_office_lists_units_and_filters_by_kind_and_search(world, login):
    client = login(world.office)
    page = text(client.get(UNITS))
    assert "区市场监管局" in page and "综合窗口科" in page and reverse("org:unit-create") in page
    assert "别区税务局" not in page
    page = text(client.get(UNITS, {"kind": "department"}))
    assert "综合窗口科" in page and "区市场监管局" not in page
    page = text(client.get(UNITS, {"q": "人力"}))
    assert "区人力社保局" in page and "区市场监管局" not in page


@pytest.mark.parametrize("role", ["secretary", "scorer", "liaison", "handler", "member"])
def test_roles_in_the_centre_read_units(world, login, role):
    client = login(getattr(world, role))
    page = text(client.get(UNITS))
    assert "区市场监管局" in page and reverse("org:unit-create") not in page
    response = client.get(detail(world.home_unit))
    assert response.status_code == 200
    assert "A01" in text(response)
    assert reverse("org:unit-edit", args=[world.home_unit.pk]) not in text(response)


def test_outsider_and_anonymous(world, login, client):
    assert_login_redirect(client.get(UNITS))
    assert_login_redirect(client.get(detail(world.home_unit)))
    client = login(world.outsider)
    page = text(client.get(UNITS))
    assert "区市场监管局" not in page and "别区税务局" in page
    assert client.get(detail(world.home_unit)).status_code == 404
    assert client.get(reverse("org:unit-edit", args=[world.home_unit.pk])).status_code == 404


def test_unit_page_shows_windows_and_people_count(world, login):
    page = text(login(world.office).get(detail(world.home_unit)))
    assert "A01" in page and "企业开办" in page and "一层大厅" in page
    # 王书记, 李党员, 阿依古丽·买买提 and 陈群众 work for the home unit.
    assert f'?unit={world.home_unit.pk}">4</a>' in page
    department = text(login(world.office).get(detail(world.department)))
    assert "A01" in department  # the window it supervises


def test_office_creates_and_edits_a_unit_with_audit_rows(world, login):
    client = login(world.office)
    response = client.post(reverse("org:unit-create"), {"name": "区税务局", "short_name": "税务",
                                                        "kind": "home", "contact_phone": "", "address": ""})
    assert response.status_code == 302
    unit = Unit.objects.get(name="区税务局", centre=world.centre)
    assert audit_rows(world.office, unit, AuditEntry.Action.CREATE).exists()
    response = client.post(reverse("org:unit-edit", args=[unit.pk]), {
        "name": "国家税务总局测试区税务局", "short_name": "税务", "kind": "home", "contact_phone": "010-1",
        "address": ""})
    assert response.status_code == 302
    assert audit_rows(world.office, unit, AuditEntry.Action.UPDATE).get().changes["name"][1] == "国家税务总局测试区税务局"


def test_unit_errors_are_in_chinese(world, login):
    client = login(world.office)
    response = client.post(reverse("org:unit-create"), {"name": "区市场监管局", "kind": "home"})
    assert response.status_code == 200
    assert "已经存在" in text(response)
    response = client.post(reverse("org:unit-create"), {"name": "新单位", "kind": "nonsense"})
    assert "选择一个有效的选项" in text(response)
    assert Unit.objects.filter(name="区市场监管局").count() == 1 and not Unit.objects.filter(name="新单位").exists()


@pytest.mark.parametrize("role", ["secretary", "scorer", "liaison", "member"])
def test_other_roles_may_not_write_units(world, login, role):
    client = login(getattr(world, role))
    assert client.get(reverse("org:unit-create")).status_code == 403
    assert client.post(reverse("org:unit-edit", args=[world.home_unit.pk]),
                       {"name": "改名", "kind": "home"}).status_code == 403
    world.home_unit.refresh_from_db()
    assert world.home_unit.name == "区市场监管局"


def test_admin_chooses_the_centre(world, login):
    client = login(world.admin)
    page = text(client.get(reverse("org:unit-create")))
    assert "别区政务服务中心" in page
    response = client.post(reverse("org:unit-create"), {"centre": world.other_centre.pk, "name": "别区民政局",
                                                        "kind": "home"})
    assert response.status_code == 302
    assert Unit.objects.get(name="别区民政局").centre == world.other_centre
    services.create_unit(world.admin, world.centre, name="测试民政局")
    assert "测试民政局" in text(client.get(UNITS))

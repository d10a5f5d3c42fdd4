"""/api/v1/windows/: read by the centre's staff, written by its office; a secretary gets 403."""

import pytest

from vanguard.core.models import AuditEntry
from vanguard.org.models import Window

from .helpers import audit_rows, check_non_editors_cannot_write, check_reads_by_role, ids

URL = "/api/v1/windows/"


def detail(obj):
    return f"{URL}{obj.pk}/"


def payload(world, **extra):
    return {"floor": world.floor2.pk, "number": "B02", "name": "医保业务", "unit": world.home_unit2.pk,
            "department": world.department.pk, "service_items": "医保登记\n医保转移", **extra}


def test_read_by_role(api, world):
    check_reads_by_role(api, world, URL, Window, world.window1)
    data = api(world.scorer).get(detail(world.window1)).json()
    assert (data["floor"], data["floor_name"]) == (world.floor1.pk, world.floor1.name)
    assert (data["unit"], data["unit_name"]) == (world.home_unit.pk, world.home_unit.name)
    assert (data["department"], data["department_name"]) == (world.department.pk, world.department.name)


def test_filters(api, world):
    client = api(world.office)
    assert ids(client.get(URL, {"floor": world.floor2.pk})) == {world.window2.pk}
    assert ids(client.get(URL, {"unit": world.home_unit.pk})) == {world.window1.pk}
    assert ids(client.get(URL, {"department": world.department.pk})) == {world.window1.pk}


def test_anonymous(api, world):
    client = api()
    assert client.get(URL).status_code == 401
    assert client.get(detail(world.window1)).status_code == 401
    assert client.post(URL, payload(world), format="json").status_code == 401
    assert client.patch(detail(world.window1), {"name": "x"}, format="json").status_code == 401


@pytest.mark.parametrize("role", ["admin", "office"])
def test_owner_creates_and_updates(api, world, role):
    user = getattr(world, role)
    client = api(user)
    data = payload(world, centre=world.centre.pk) if role == "admin" else payload(world)
    response = client.post(URL, data, format="json")
    assert response.status_code == 201, response.content
    window = Window.objects.get(pk=response.json()["id"])
    assert window.service_item_list == ["医保登记", "医保转移"]
    assert audit_rows(user, window, AuditEntry.Action.CREATE).exists()
    response = client.patch(detail(window), {"department": None}, format="json")
    assert response.status_code == 200 and response.json()["department_name"] is None
    window.refresh_from_db()
    assert window.department is None
    assert audit_rows(user, window, AuditEntry.Action.UPDATE).exists()


def test_others_cannot_write(api, world):
    check_non_editors_cannot_write(api, world, URL, world.window1, payload(world), {"name": "改名"})


def test_outsider(api, world):
    client = api(world.outsider)
    response = client.post(URL, payload(world, centre=world.centre.pk), format="json")
    assert response.status_code == 400
    assert {"centre", "floor", "unit", "department"} <= set(response.json())
    assert client.patch(detail(world.window1), {"name": "改名"}, format="json").status_code == 404


def test_department_must_be_a_business_department(api, world):
    response = api(world.office).post(URL, payload(world, department=world.home_unit.pk), format="json")
    assert response.status_code == 400 and list(response.json()) == ["department"]
    assert not Window.objects.filter(number="B02").exists()


def test_required_fields(api, world):
    response = api(world.office).post(URL, {"name": "无号窗口"}, format="json")
    assert response.status_code == 400
    assert {"floor", "number", "unit"} <= set(response.json())

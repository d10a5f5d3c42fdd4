"""/api/v1/floors/: read by the centre's staff, written by its office."""

import pytest
from django.utils import translation
from django.utils.text import capfirst

from vanguard.core.models import AuditEntry
from vanguard.org.models import Floor

from .helpers import audit_rows, check_non_editors_cannot_write, check_reads_by_role, has_chinese, ids

URL = "/api/v1/floors/"


def detail(obj):
    return f"{URL}{obj.pk}/"


def test_read_by_role(api, world):
    check_reads_by_role(api, world, URL, Floor, world.floor1)
    data = api(world.member).get(detail(world.floor1)).json()
    assert data["number"] == world.floor1.number and data["centre_name"] == world.centre.name
    assert ids(api(world.admin).get(URL, {"centre": world.centre.pk})) == {world.floor1.pk, world.floor2.pk}


def test_anonymous(api, world):
    client = api()
    assert client.get(URL).status_code == 401
    assert client.get(detail(world.floor1)).status_code == 401
    assert client.post(URL, {"number": 5, "name": "五层"}, format="json").status_code == 401
    assert client.patch(detail(world.floor1), {"name": "x"}, format="json").status_code == 401


@pytest.mark.parametrize("role", ["admin", "office"])
def test_owner_creates_and_updates(api, world, role):
    user = getattr(world, role)
    client = api(user)
    payload = {"number": 3, "name": "三层办事大厅"}
    if role == "admin":
        payload["centre"] = world.centre.pk
    response = client.post(URL, payload, format="json")
    assert response.status_code == 201, response.content
    floor = Floor.objects.get(pk=response.json()["id"])
    assert floor.centre == world.centre
    assert audit_rows(user, floor, AuditEntry.Action.CREATE).exists()

    response = client.patch(detail(floor), {"description": "不动产登记"}, format="json")
    assert response.status_code == 200, response.content
    response = client.put(detail(floor), {"number": 4, "name": "四层"}, format="json")
    assert response.status_code == 200, response.content
    floor.refresh_from_db()
    assert (floor.number, floor.name, floor.centre) == (4, "四层", world.centre)
    assert audit_rows(user, floor, AuditEntry.Action.UPDATE).count() == 2


def test_others_cannot_write(api, world):
    check_non_editors_cannot_write(api, world, URL, world.floor1, {"number": 9, "name": "九层"}, {"name": "改名"})


def test_outsider_cannot_write_into_the_centre(api, world):
    client = api(world.outsider)
    response = client.post(URL, {"centre": world.centre.pk, "number": 9, "name": "九层"}, format="json")
    assert response.status_code == 400 and "centre" in response.json()
    assert client.patch(detail(world.floor1), {"name": "改名"}, format="json").status_code == 404
    # In their own centre they are the office.
    response = client.post(URL, {"number": 1, "name": "一层"}, format="json")
    assert response.status_code == 201
    assert Floor.objects.get(pk=response.json()["id"]).centre == world.other_centre


def test_duplicate_number_is_a_chinese_error(api, world):
    response = api(world.office).post(URL, {"number": world.floor1.number, "name": "重复"}, format="json")
    assert response.status_code == 400
    message = response.json()["non_field_errors"][0]
    with translation.override("zh-hans"):
        assert str(capfirst(Floor._meta.get_field("number").verbose_name)) in message
    assert has_chinese(message)

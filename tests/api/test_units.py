"""/api/v1/units/: read by the centre's staff, written by its office; a secretary gets 403."""

import pytest

from vanguard.core.models import AuditEntry
from vanguard.org.models import Unit

from .helpers import audit_rows, check_non_editors_cannot_write, check_reads_by_role, has_chinese, ids

URL = "/api/v1/units/"


def detail(obj):
    return f"{URL}{obj.pk}/"


def test_read_by_role(api, world):
    check_reads_by_role(api, world, URL, Unit, world.department)
    data = api(world.liaison).get(detail(world.department)).json()
    assert data["kind"] == "department" and data["kind_display"] == str(Unit.Kind.DEPARTMENT.label)


def test_filter_by_kind(api, world):
    assert ids(api(world.office).get(URL, {"kind": "department"})) == {world.department.pk}


def test_anonymous(api, world):
    client = api()
    assert client.get(URL).status_code == 401
    assert client.get(detail(world.home_unit)).status_code == 401
    assert client.post(URL, {"name": "区税务局"}, format="json").status_code == 401
    assert client.put(detail(world.home_unit), {"name": "x"}, format="json").status_code == 401


@pytest.mark.parametrize("role", ["admin", "office"])
def test_owner_creates_and_updates(api, world, role):
    user = getattr(world, role)
    client = api(user)
    payload = {"name": "区税务局", "kind": "home", "contact_phone": "010-6999"}
    if role == "admin":
        payload["centre"] = world.centre.pk
    response = client.post(URL, payload, format="json")
    assert response.status_code == 201, response.content
    unit = Unit.objects.get(pk=response.json()["id"])
    assert audit_rows(user, unit, AuditEntry.Action.CREATE).exists()
    response = client.patch(detail(unit), {"short_name": "税务"}, format="json")
    assert response.status_code == 200 and response.json()["short_name"] == "税务"
    unit.refresh_from_db()
    assert unit.short_name == "税务"
    assert audit_rows(user, unit, AuditEntry.Action.UPDATE).get().changes["short_name"] == ["", "税务"]


def test_others_cannot_write(api, world):
    check_non_editors_cannot_write(api, world, URL, world.home_unit, {"name": "新单位"}, {"name": "改名"})


def test_outsider(api, world):
    client = api(world.outsider)
    response = client.post(URL, {"centre": world.centre.pk, "name": "新单位"}, format="json")
    assert response.status_code == 400 and "centre" in response.json()
    assert client.patch(detail(world.home_unit), {"name": "改名"}, format="json").status_code == 404


def test_validation(api, world):
    client = api(world.office)
    response = client.post(URL, {"name": "", "kind": "ministry"}, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"name", "kind"} and all(has_chinese(m[0]) for m in errors.values())
    response = client.post(URL, {"name": world.home_unit.name}, format="json")
    assert response.status_code == 400 and has_chinese(response.json()["non_field_errors"][0])

"""/api/v1/units/: read by the centre's staff, written by its office; a secretary gets 403."""

import pytest

from vanguard.core.models import AuditEntry
from vanguard.org.models import Unit

from .helpers import NON_EDITORS, ROLES, audit_rows, has_chinese, ids, reference_ids

URL = "/api/v1/units/"


def detail(obj):
    return f"{URL}{obj.pk}/"


@pytest.mark.parametrize("role", ROLES)
def test_list(api, world, role):
    got = ids(api(getattr(world, role)).get(URL))
    assert got == reference_ids(world, Unit, role)
    ours = {world.home_unit.pk, world.home_unit2.pk, world.department.pk}
    assert not got & ours if role == "outsider" else ours <= got


def test_filter_by_kind(api, world):
    assert ids(api(world.office).get(URL, {"kind": "department"})) == {world.department.pk}


@pytest.mark.parametrize("role", ROLES)
def test_detail(api, world, role):
    response = api(getattr(world, role)).get(detail(world.department))
    if role == "outsider":
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert response.json()["kind"] == "department" and response.json()["kind_display"]


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


@pytest.mark.parametrize("role", NON_EDITORS)
def test_others_cannot_write(api, world, role):
    client = api(getattr(world, role))
    assert client.post(URL, {"name": "新单位"}, format="json").status_code == 403
    assert client.patch(detail(world.home_unit), {"name": "改名"}, format="json").status_code == 403
    assert client.put(detail(world.home_unit), {"name": "改名"}, format="json").status_code == 403
    assert not Unit.objects.filter(name__in=["新单位", "改名"]).exists()


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

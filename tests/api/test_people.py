"""/api/v1/people/: list, detail, create, update, by role; masking; filters; N+1."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from vanguard.core.models import AuditEntry
from vanguard.org import services
from vanguard.org.models import Person

from .helpers import ROLES, audit_rows, has_chinese, ids

URL = "/api/v1/people/"


def detail(person):
    return f"{URL}{person.pk}/"


def visible_ids(world, role):
    everyone = set(Person.objects.values_list("pk", flat=True))
    centre = set(Person.objects.filter(centre=world.centre).values_list("pk", flat=True))
    branch1 = {p.pk for p in world.branch1_members}
    return {
        "admin": everyone,
        "office": centre,
        "secretary": branch1,
        # Unit roles see the home unit's staff (the scorer: the windows it supervises).
        "scorer": branch1 | {world.public_person.pk},
        "liaison": branch1 | {world.public_person.pk},
        "handler": branch1 | {world.public_person.pk},
        "member": {world.member_person.pk},
        "outsider": {world.other_person.pk},
    }[role]


# Reading ------------------------------------------------------------------------------

def test_read_by_role(api, world):
    # One world for all roles: building it is most of a test's time.
    everyone = list(Person.objects.all())
    for role in ROLES:
        client, visible = api(getattr(world, role)), visible_ids(world, role)
        assert ids(client.get(URL)) == visible, role
        for person in everyone:
            expected = 200 if person.pk in visible else 404
            assert client.get(detail(person)).status_code == expected, (role, person.name)


def test_outsider_sees_nothing_of_the_centre(api, world):
    got = ids(api(world.outsider).get(URL))
    assert not got & set(Person.objects.filter(centre=world.centre).values_list("pk", flat=True))


def test_anonymous_is_refused(api, world):
    client = api()
    assert client.get(URL).status_code == 401
    assert client.get(detail(world.member_person)).status_code == 401
    assert client.post(URL, {"name": "某人"}, format="json").status_code == 401
    assert client.patch(detail(world.member_person), {"job": "x"}, format="json").status_code == 401
    assert client.put(detail(world.member_person), {"name": "x"}, format="json").status_code == 401


def test_foreign_keys_are_ids_with_names(api, world):
    data = api(world.office).get(detail(world.member_person)).json()
    assert data["unit"] == world.home_unit.pk and data["unit_name"] == world.home_unit.name
    assert data["branch"] == world.branch1.pk and data["branch_name"] == world.branch1.name
    assert data["window"] == world.window1.pk and data["window_name"] == str(world.window1)
    assert data["centre"] == world.centre.pk and data["centre_name"] == world.centre.name
    assert data["political_status"] == "full"
    with translation.override("zh-hans"):
        assert data["political_status_display"] == str(Person.Status.FULL.label)
    public = api(world.office).get(detail(world.public_person)).json()
    assert public["branch"] is None and public["branch_name"] is None


def test_mobile_full_only_for_editors(api, world):
    full = {"admin": True, "office": True, "secretary": True,
            "scorer": False, "liaison": False, "handler": False, "member": False}
    for role, shown in full.items():
        data = api(getattr(world, role)).get(detail(world.member_person)).json()
        assert data["mobile"] == ("13800000002" if shown else "138****0002"), role
        assert data["can_edit"] is shown, role


def test_secretary_sees_masked_numbers_in_the_list_only_outside_branch(api, world):
    rows = api(world.liaison).get(URL).json()["results"]
    assert rows and all("****" in row["mobile"] for row in rows)
    rows = api(world.secretary).get(URL).json()["results"]
    assert all("****" not in row["mobile"] for row in rows)


# Filters ------------------------------------------------------------------------------

def test_filters(api, world):
    client = api(world.office)
    assert ids(client.get(URL, {"branch": world.branch2.pk})) == {p.pk for p in world.branch2_members}
    assert ids(client.get(URL, {"unit": world.home_unit2.pk})) == {p.pk for p in world.branch2_members}
    assert world.public_person.pk in ids(client.get(URL, {"window": world.window1.pk}))
    assert world.public_person.pk not in ids(client.get(URL, {"window": world.window2.pk}))
    assert ids(client.get(URL, {"political_status": "public"})) == {world.public_person.pk}
    services.deactivate_person(world.admin, world.public_person)
    assert ids(client.get(URL, {"is_active": "false"})) == {world.public_person.pk}
    assert world.public_person.pk not in ids(client.get(URL, {"is_active": "true"}))
    assert ids(client.get(URL, {"search": "二层"})) == {p.pk for p in world.branch2_members}
    assert ids(client.get(URL, {"search": "0000005"})) == {world.branch2_members[1].pk}
    # Full-width digits as typed by an IME.
    assert ids(client.get(URL, {"search": "１３８００００００05"})) == {world.branch2_members[1].pk}


def test_search_by_number_only_where_the_number_is_shown(api, world):
    # The liaison sees 138****0002; searching digits must not reveal the hidden ones.
    assert ids(api(world.liaison).get(URL, {"search": "13800000002"})) == set()
    assert ids(api(world.liaison).get(URL, {"search": "李党员"})) == {world.member_person.pk}
    assert ids(api(world.secretary).get(URL, {"search": "13800000002"})) == {world.member_person.pk}


def test_filter_by_object_outside_scope_is_rejected(api, world):
    response = api(world.outsider).get(URL, {"branch": world.branch1.pk})
    assert response.status_code == 400
    assert "branch" in response.json()


def test_list_query_count_does_not_grow_with_rows(api, world):
    client = api(world.secretary)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL)
        assert response.status_code == 200
        return len(ctx), len(response.json()["results"])

    client.get(URL)  # warm the per-user scope
    before, rows_before = count()
    for i in range(15):
        services.create_person(world.admin, world.centre, name=f"新党员{i}", mobile=f"1370000{i:04d}",
                               political_status=Person.Status.FULL, branch=world.branch1,
                               unit=world.home_unit, window=world.window1)
    after, rows_after = count()
    assert rows_after == rows_before + 15
    assert after == before
    assert after <= 4, "count + page + scope lookups"


# Creating -----------------------------------------------------------------------------

def new_person(world, **extra):
    return {"name": "新同志", "mobile": "+86 139-0000-1234", "political_status": "full",
            "joined_party_on": "2020-07-01", "branch": world.branch1.pk, "unit": world.home_unit.pk,
            "window": world.window1.pk, "job": "受理员", **extra}


@pytest.mark.parametrize("role", ["admin", "office", "secretary"])
def test_editors_create(api, world, role):
    user = getattr(world, role)
    payload = new_person(world)
    if role == "admin":
        payload["centre"] = world.centre.pk  # an administrator spans centres and must name one
    response = api(user).post(URL, payload, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    person = Person.objects.get(pk=data["id"])
    assert person.centre == world.centre and person.mobile == "13900001234"
    assert data["mobile"] == "13900001234"
    assert audit_rows(user, person, AuditEntry.Action.CREATE).count() == 1


def test_admin_must_name_the_centre(api, world):
    response = api(world.admin).post(URL, new_person(world), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["centre"]


def test_readers_cannot_create(api, world):
    before = Person.objects.count()
    for role in ["scorer", "liaison", "handler", "member"]:
        response = api(getattr(world, role)).post(URL, new_person(world), format="json")
        assert response.status_code == 403, role
        with translation.override("zh-hans"):
            assert response.json()["detail"] == gettext("You are not allowed to do this.")
    assert Person.objects.count() == before


def test_secretary_cannot_create_in_another_branch(api, world):
    before, audits = Person.objects.count(), AuditEntry.objects.count()
    response = api(world.secretary).post(URL, new_person(world, branch=world.branch2.pk), format="json")
    assert response.status_code == 403
    with translation.override("zh-hans"):
        assert response.json()["detail"] == gettext("You may only add people to your own branch.")
    # Nothing half-applied: the row saved before the check is rolled back with its audit.
    assert Person.objects.count() == before and AuditEntry.objects.count() == audits


def test_outsider_cannot_create_in_the_centre(api, world):
    before = Person.objects.count()
    payload = new_person(world, centre=world.centre.pk)
    response = api(world.outsider).post(URL, payload, format="json")
    assert response.status_code == 400
    assert {"centre", "branch", "unit", "window"} <= set(response.json())
    assert Person.objects.count() == before


def test_bad_mobile_is_a_chinese_error_on_the_field(api, world):
    before = Person.objects.count()
    response = api(world.office).post(URL, new_person(world, mobile="12345"), format="json")
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == ["mobile"]
    assert "12345" in errors["mobile"][0] and has_chinese(errors["mobile"][0])
    assert Person.objects.count() == before


def test_missing_name_and_bad_choice(api, world):
    response = api(world.office).post(URL, {"political_status": "cadre"}, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"name", "political_status"}
    assert has_chinese(errors["name"][0]) and has_chinese(errors["political_status"][0])


def test_model_rules_come_back_per_field(api, world):
    # A member of the public has no branch: the model's rule, raised by the service.
    response = api(world.office).post(URL, new_person(world, political_status="public", joined_party_on=None),
                                      format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"branch"}


def test_duplicate_mobile_is_rejected(api, world):
    before = Person.objects.count()
    response = api(world.office).post(URL, new_person(world, mobile="138 0000 0002"), format="json")
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == ["mobile"] and "13800000002" in errors["mobile"][0] and has_chinese(errors["mobile"][0])
    assert Person.objects.count() == before


# Updating -----------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["admin", "office", "secretary"])
def test_editors_update(api, world, role):
    user = getattr(world, role)
    person = world.member_person
    response = api(user).patch(detail(person), {"job": "综合受理", "mobile": "139 0000 8888"}, format="json")
    assert response.status_code == 200, response.content
    person.refresh_from_db()
    assert person.job == "综合受理" and person.mobile == "13900008888"
    row = audit_rows(user, person, AuditEntry.Action.UPDATE).first()  # newest first
    assert row.changes["job"] == ["窗口受理员", "综合受理"]


def test_put_replaces_and_keeps_the_centre(api, world):
    person = world.member_person
    payload = new_person(world, name="李党员", mobile="13800000002", centre=world.other_centre.pk)
    response = api(world.admin).put(detail(person), payload, format="json")
    assert response.status_code == 200, response.content
    person.refresh_from_db()
    assert person.centre == world.centre and person.job == "受理员"


def test_readers_cannot_update(api, world):
    # Each of them can see the member, and may not change them.
    for role in ["scorer", "liaison", "handler", "member"]:
        client = api(getattr(world, role))
        assert client.patch(detail(world.member_person), {"job": "x"}, format="json").status_code == 403, role
        payload = new_person(world, name="李党员", mobile="13800000002")
        assert client.put(detail(world.member_person), payload, format="json").status_code == 403, role
    world.member_person.refresh_from_db()
    assert world.member_person.job == "窗口受理员"


def test_secretary_cannot_reach_other_branches_or_move_people_out(api, world):
    client = api(world.secretary)
    assert client.patch(detail(world.branch2_members[0]), {"job": "x"}, format="json").status_code == 404
    response = client.patch(detail(world.member_person), {"branch": world.branch2.pk}, format="json")
    assert response.status_code == 403
    with translation.override("zh-hans"):
        assert response.json()["detail"] == gettext("You may only move people within your own branch.")
    world.member_person.refresh_from_db()
    assert world.member_person.branch == world.branch1


def test_outsider_gets_404_on_update(api, world):
    response = api(world.outsider).patch(detail(world.member_person), {"job": "x"}, format="json")
    assert response.status_code == 404


def test_update_validation_error_changes_nothing(api, world):
    audits = AuditEntry.objects.count()
    response = api(world.office).patch(detail(world.member_person), {"mobile": "电话"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["mobile"]
    world.member_person.refresh_from_db()
    assert world.member_person.mobile == "13800000002" and AuditEntry.objects.count() == audits


def test_delete_is_not_offered(api, world):
    assert api(world.admin).delete(detail(world.member_person)).status_code == 405


def test_page_size(api, world):
    client = api(world.office)
    data = client.get(URL, {"page_size": 2}).json()
    assert data["count"] == Person.objects.filter(centre=world.centre).count() and len(data["results"]) == 2
    assert data["next"] and "page=2" in data["next"]
    assert len(client.get(URL, {"page_size": 10000}).json()["results"]) == data["count"]  # capped at 500

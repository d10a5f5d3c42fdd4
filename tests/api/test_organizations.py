"""/api/v1/organizations/: the party tree, with ?parent= and ?subtree= filters."""

import pytest

from vanguard.core.models import AuditEntry
from vanguard.org.models import Organization

from .helpers import audit_rows, check_non_editors_cannot_write, check_reads_by_role, ids

URL = "/api/v1/organizations/"


def detail(obj):
    return f"{URL}{obj.pk}/"


def test_read_by_role(api, world):
    check_reads_by_role(api, world, URL, Organization, world.branch1)


def test_list_is_depth_first(api, world):
    rows = api(world.office).get(URL).json()["results"]
    assert [r["id"] for r in rows] == [world.root.pk, world.branch1.pk, world.branch2.pk]
    assert rows[1]["parent"] == world.root.pk and rows[1]["parent_name"] == world.root.name
    assert rows[1]["floor"] == world.floor1.pk and rows[1]["floor_name"] == world.floor1.name
    assert rows[1]["path"] == world.branch1.path and rows[1]["depth"] == 1


def test_parent_and_subtree_filters(api, world):
    client = api(world.office)
    group = client.post(URL, {"parent": world.branch1.pk, "name": "一层第一党小组", "kind": "group"},
                        format="json").json()
    assert ids(client.get(URL, {"parent": world.root.pk})) == {world.branch1.pk, world.branch2.pk}
    assert ids(client.get(URL, {"subtree": world.branch1.pk})) == {world.branch1.pk, group["id"]}
    assert ids(client.get(URL, {"subtree": world.root.pk})) == {world.root.pk, world.branch1.pk,
                                                                 world.branch2.pk, group["id"]}
    assert ids(client.get(URL, {"depth": 0})) == {world.root.pk}
    assert ids(client.get(URL, {"kind": "branch"})) == {world.branch1.pk, world.branch2.pk}


def test_subtree_outside_scope_is_rejected(api, world):
    response = api(world.outsider).get(URL, {"subtree": world.root.pk})
    assert response.status_code == 400 and "subtree" in response.json()


def test_anonymous(api, world):
    client = api()
    assert client.get(URL).status_code == 401
    assert client.get(detail(world.root)).status_code == 401
    assert client.post(URL, {"name": "x", "kind": "branch"}, format="json").status_code == 401
    assert client.patch(detail(world.root), {"name": "x"}, format="json").status_code == 401


@pytest.mark.parametrize("role", ["admin", "office"])
def test_owner_creates_updates_and_moves(api, world, role):
    user = getattr(world, role)
    client = api(user)
    data = {"parent": world.root.pk, "name": "三层党支部", "kind": "branch"}
    if role == "admin":
        data["centre"] = world.centre.pk
    response = client.post(URL, data, format="json")
    assert response.status_code == 201, response.content
    org = Organization.objects.get(pk=response.json()["id"])
    assert org.path == f"{world.root.path}{org.pk}/" and response.json()["path"] == org.path
    assert audit_rows(user, org, AuditEntry.Action.CREATE).exists()

    # Move branch2 under the new branch: the whole subtree's paths follow.
    response = client.patch(detail(world.branch2), {"parent": org.pk}, format="json")
    assert response.status_code == 200, response.content
    world.branch2.refresh_from_db()
    assert world.branch2.path == f"{org.path}{world.branch2.pk}/" and world.branch2.depth == 2
    assert response.json()["path"] == world.branch2.path
    assert audit_rows(user, world.branch2, AuditEntry.Action.UPDATE).exists()


def test_cannot_move_under_itself(api, world):
    response = api(world.office).patch(detail(world.root), {"parent": world.branch1.pk}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["parent"]
    world.root.refresh_from_db()
    assert world.root.parent is None


def test_floor_only_for_branches(api, world):
    response = api(world.office).post(URL, {"parent": world.root.pk, "name": "党小组", "kind": "group",
                                            "floor": world.floor2.pk}, format="json")
    assert response.status_code == 400 and "floor" in response.json()


def test_others_cannot_write(api, world):
    check_non_editors_cannot_write(api, world, URL, world.branch1,
                                   {"parent": world.branch1.pk, "name": "党小组", "kind": "group"}, {"name": "改名"})


def test_outsider(api, world):
    client = api(world.outsider)
    response = client.post(URL, {"parent": world.root.pk, "name": "x", "kind": "branch"}, format="json")
    assert response.status_code == 400 and "parent" in response.json()
    assert client.patch(detail(world.branch1), {"name": "改名"}, format="json").status_code == 404

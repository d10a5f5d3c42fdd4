"""The party tree page and one organisation's page: reading by role, editing
by the office, committee seats by the office or the branch's own secretary."""

import pytest
from django.urls import reverse

from vanguard.core.models import AuditEntry
from vanguard.org import services
from vanguard.org.models import CommitteeMember, Organization, Person

from .pages import assert_login_redirect, audit_rows, text

pytestmark = pytest.mark.django_db

TREE = reverse("org:organization-list")


def detail(org):
    return reverse("org:organization-detail", args=[org.pk])


# The tree ----------------------------------------------------------------------------


def test_office_sees_the_tree_with_secretary_guide_floor_and_counts(world, login):
    services.update_organization(world.admin, world.branch1, guide=world.branch2_members[0])
    page = text(login(world.office).get(TREE))
    for expected in ("测试局党组", "一层党支部", "二层党支部", "王书记", "张二层", "一层大厅", "3名党员", "党支部"):
        assert expected in page
    assert reverse("org:organization-create") in page
    assert "别区局党组" not in page


@pytest.mark.parametrize("role", ["secretary", "scorer", "liaison", "handler", "member"])
def test_roles_in_the_centre_read_the_tree_without_edit_links(world, login, role):
    response = login(getattr(world, role)).get(TREE)
    assert response.status_code == 200
    assert "一层党支部" in text(response)
    assert reverse("org:organization-create") not in text(response)


def test_outsider_sees_only_their_own_tree(world, login):
    page = text(login(world.outsider).get(TREE))
    assert "别区局党组" in page
    assert "测试局党组" not in page and "一层党支部" not in page


def test_anonymous_is_sent_to_login(world, client):
    assert_login_redirect(client.get(TREE))


def test_tree_query_count_does_not_grow_with_rows(world, login, django_assert_max_num_queries):
    client = login(world.office)
    with django_assert_max_num_queries(12):
        client.get(TREE)
    for i in range(15):
        group = services.create_organization(world.admin, world.centre, parent=world.branch2,
                                             name=f"第{i}党小组", kind=Organization.Kind.GROUP)
        assert group.depth == 2
    for i in range(10):
        services.create_person(world.admin, world.centre, name=f"新党员{i}", political_status=Person.Status.FULL,
                               branch=world.branch2, mobile=f"1370000{i:04d}")
    with django_assert_max_num_queries(12):
        page = text(client.get(TREE))
    assert "第14党小组" in page and "12名党员" in page


# One organisation ------------------------------------------------------------------


def test_office_sees_committee_guide_members_and_edit_forms(world, login):
    services.update_organization(world.admin, world.branch1, guide=world.branch2_members[0])
    page = text(login(world.office).get(detail(world.branch1)))
    for expected in ("王书记", "书记", "李党员", "宣传委员", "阿依古丽·买买提", "张二层", "党建工作指导员"):
        assert expected in page
    assert reverse("org:organization-edit", args=[world.branch1.pk]) in page
    assert reverse("org:organization-create-child", args=[world.branch1.pk]) in page
    assert reverse("org:committee-add", args=[world.branch1.pk]) in page


def test_secretary_edits_own_committee_but_not_the_tree(world, login):
    client = login(world.secretary)
    page = text(client.get(detail(world.branch1)))
    assert reverse("org:committee-add", args=[world.branch1.pk]) in page
    assert reverse("org:organization-edit", args=[world.branch1.pk]) not in page
    assert f"{reverse('org:person-create')}?branch={world.branch1.pk}" in page
    other = text(client.get(detail(world.branch2)))
    assert reverse("org:committee-add", args=[world.branch2.pk]) not in other
    assert f"{reverse('org:person-create')}?branch={world.branch2.pk}" not in other
    # Members of another branch are not the secretary's to see.
    assert "张二层" not in other


@pytest.mark.parametrize("role", ["scorer", "liaison", "handler", "member"])
def test_read_only_roles_see_no_forms(world, login, role):
    response = login(getattr(world, role)).get(detail(world.branch1))
    assert response.status_code == 200
    assert "王书记" in text(response)
    assert reverse("org:committee-add", args=[world.branch1.pk]) not in text(response)


def test_outsider_and_anonymous_cannot_open_an_organisation(world, login, client):
    assert_login_redirect(client.get(detail(world.branch1)))
    assert login(world.outsider).get(detail(world.branch1)).status_code == 404
    assert client.get(reverse("org:organization-edit", args=[world.branch1.pk])).status_code == 404


# Editing the tree ----------------------------------------------------------------------


def test_office_renames_an_organisation_with_an_audit_row(world, login):
    client = login(world.office)
    url = reverse("org:organization-edit", args=[world.branch1.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "第一党支部", "kind": "branch", "parent": world.root.pk,
                                 "floor": world.floor1.pk, "guide": "", "sort_order": 1})
    assert response.status_code == 302
    world.branch1.refresh_from_db()
    assert world.branch1.name == "第一党支部"
    row = audit_rows(world.office, world.branch1, AuditEntry.Action.UPDATE).get()
    assert row.changes["name"] == ["一层党支部", "第一党支部"]


def test_edit_errors_are_in_chinese_and_nothing_is_saved(world, login):
    client = login(world.office)
    url = reverse("org:organization-edit", args=[world.root.pk])
    response = client.post(url, {"name": "", "kind": "group", "floor": world.floor2.pk, "sort_order": 0})
    page = text(response)
    assert response.status_code == 200
    assert "必填" in page
    response = client.post(url, {"name": "测试局党组", "kind": "group", "floor": world.floor2.pk, "sort_order": 0})
    assert "只有党支部才能关联楼层" in text(response)
    world.root.refresh_from_db()
    assert world.root.kind == Organization.Kind.LEADING_GROUP and world.root.floor_id is None
    assert not audit_rows(world.office, world.root, AuditEntry.Action.UPDATE).exists()


def test_office_creates_a_child_under_a_branch(world, login):
    client = login(world.office)
    response = client.post(reverse("org:organization-create-child", args=[world.branch1.pk]),
                           {"name": "受理党小组", "kind": "group", "sort_order": 0})
    assert response.status_code == 302
    group = Organization.objects.get(name="受理党小组")
    assert group.parent == world.branch1 and group.path == f"{world.branch1.path}{group.pk}/"
    assert audit_rows(world.office, group, AuditEntry.Action.CREATE).exists()


def test_office_creates_a_top_level_organisation(world, login):
    response = login(world.office).post(reverse("org:organization-create"),
                                        {"name": "机关党委", "kind": "committee", "sort_order": 0})
    assert response.status_code == 302
    org = Organization.objects.get(name="机关党委")
    assert org.centre == world.centre and org.parent is None and org.depth == 0


@pytest.mark.parametrize("role", ["secretary", "scorer", "liaison", "member"])
def test_other_roles_may_not_edit_the_tree(world, login, role):
    client = login(getattr(world, role))
    assert client.get(reverse("org:organization-edit", args=[world.branch1.pk])).status_code == 403
    assert client.get(reverse("org:organization-create-child", args=[world.branch1.pk])).status_code == 403
    assert client.post(reverse("org:organization-create"), {"name": "x", "kind": "group"}).status_code == 403
    assert not Organization.objects.filter(name="x").exists()


def test_outsider_cannot_create_under_our_tree(world, login):
    response = login(world.outsider).post(reverse("org:organization-create-child", args=[world.root.pk]),
                                          {"name": "渗透支部", "kind": "branch"})
    assert response.status_code == 404
    assert not Organization.objects.filter(name="渗透支部").exists()


# Committee seats ----------------------------------------------------------------------


def seat_data(person, role="member", duty="组织委员"):
    return {"seat-person": person.pk, "seat-role": role, "seat-duty": duty, "seat-sort_order": 3}


def test_secretary_adds_a_seat_with_htmx_and_an_audit_row(world, login):
    client = login(world.secretary)
    newcomer = world.branch1_members[2]
    response = client.post(reverse("org:committee-add", args=[world.branch1.pk]), seat_data(newcomer),
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = text(response)
    assert "<html" not in page and "阿依古丽·买买提" in page and "组织委员" in page
    seat = CommitteeMember.objects.get(organization=world.branch1, person=newcomer)
    assert audit_rows(world.secretary, seat, AuditEntry.Action.CREATE).exists()


def test_a_second_secretary_is_refused_in_chinese(world, login):
    response = login(world.office).post(reverse("org:committee-add", args=[world.branch1.pk]),
                                        seat_data(world.member_person, role="secretary"), HTTP_HX_REQUEST="true")
    assert "王书记已是书记" in text(response)
    assert CommitteeMember.objects.get(person=world.member_person).role == CommitteeMember.Role.MEMBER


def test_a_non_member_cannot_be_chosen(world, login):
    response = login(world.office).post(reverse("org:committee-add", args=[world.branch1.pk]),
                                        seat_data(world.public_person), HTTP_HX_REQUEST="true")
    assert "选择一个有效的选项" in text(response)
    assert not CommitteeMember.objects.filter(person=world.public_person).exists()


def test_committee_writes_are_refused_outside_scope(world, login):
    url = reverse("org:committee-add", args=[world.branch2.pk])
    assert login(world.secretary).post(url, seat_data(world.branch2_members[0])).status_code == 403
    assert login(world.liaison).post(reverse("org:committee-add", args=[world.branch1.pk]),
                                     seat_data(world.branch1_members[2])).status_code == 403
    assert login(world.outsider).post(url, seat_data(world.branch2_members[0])).status_code == 404
    assert not CommitteeMember.objects.filter(organization=world.branch2).exists()


def test_secretary_removes_a_seat(world, login):
    seat = CommitteeMember.objects.get(person=world.member_person)
    client = login(world.secretary)
    response = client.post(reverse("org:committee-remove", args=[seat.pk]))
    assert response.status_code == 302
    assert not CommitteeMember.objects.filter(pk=seat.pk).exists()
    assert AuditEntry.objects.filter(actor=world.secretary, model="org.committeemember",
                                     action=AuditEntry.Action.DELETE).exists()


def test_remove_is_refused_to_read_only_roles_and_outsiders(world, login, client):
    seat = CommitteeMember.objects.get(person=world.member_person)
    url = reverse("org:committee-remove", args=[seat.pk])
    assert_login_redirect(client.post(url))
    assert login(world.liaison).post(url).status_code == 403
    assert login(world.outsider).post(url).status_code == 404
    assert CommitteeMember.objects.filter(pk=seat.pk).exists()

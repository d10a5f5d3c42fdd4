"""People: the list (search, filters, htmx), one person's record, and the
forms of the office and of a secretary for their own branch."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from vanguard.core.models import AuditEntry
from vanguard.org import services
from vanguard.org.models import Person

from .pages import assert_login_redirect, audit_rows, text

pytestmark = pytest.mark.django_db

PEOPLE = reverse("org:person-list")
NEW = reverse("org:person-create")


def detail(person):
    return reverse("org:person-detail", args=[person.pk])


def edit(person):
    return reverse("org:person-edit", args=[person.pk])


def form_data(world, **overrides):
    data = {"name": "刘新人", "gender": "F", "mobile": "13912345678", "political_status": "full",
            "joined_party_on": "2015-07-01", "unit": world.home_unit.pk, "branch": world.branch1.pk,
            "transferred_in": "on", "window": world.window1.pk, "job": "窗口受理员", "is_active": "on"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def png(size=(40, 50)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "#c8102e").save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


# The list --------------------------------------------------------------------------------


def test_office_sees_everyone_in_the_centre_with_full_numbers(world, login):
    page = text(login(world.office).get(PEOPLE))
    for person in world.branch1_members + world.branch2_members + [world.public_person]:
        assert person.name in page and person.mobile in page
    assert "外人" not in page
    assert "导入/导出花名册" in page and reverse("org:roster") in page
    assert "<th" in page and "姓名" in page and "在岗" in page
    assert NEW in page


def test_liaison_sees_own_unit_with_masked_numbers_and_no_roster_link(world, login):
    page = text(login(world.liaison).get(PEOPLE))
    assert "李党员" in page and "138****0002" in page and "13800000002" not in page
    assert "张二层" not in page
    assert "导入/导出花名册" not in page and NEW not in page


def test_secretary_sees_own_branch_with_full_numbers(world, login):
    page = text(login(world.secretary).get(PEOPLE))
    assert "13800000003" in page and "阿依古丽·买买提" in page
    assert "张二层" not in page and "陈群众" not in page


def test_member_sees_only_themselves(world, login):
    page = text(login(world.member).get(PEOPLE))
    assert "李党员" in page and "王书记" not in page
    assert "138****0002" in page  # a member does not edit their own record


def test_outsider_sees_none_of_ours_and_anonymous_logs_in(world, login, client):
    assert_login_redirect(client.get(PEOPLE))
    page = text(login(world.outsider).get(PEOPLE))
    assert "外人" in page and "李党员" not in page


def test_search_by_name_with_a_middle_dot_and_by_number(world, login):
    client = login(world.office)
    page = text(client.get(PEOPLE, {"q": "阿依古丽"}))
    assert "阿依古丽·买买提" in page and "李党员" not in page
    page = text(client.get(PEOPLE, {"q": "１３８-0000-0004"}))
    assert "张二层" in page and "赵二层" not in page


def test_search_by_number_cannot_reveal_a_masked_number(world, login):
    page = text(login(world.liaison).get(PEOPLE, {"q": "13800000002"}))
    assert "李党员" not in page


def test_filters(world, login):
    client = login(world.office)
    page = text(client.get(PEOPLE, {"political_status": "probationary"}))
    assert "阿依古丽·买买提" in page and "王书记" not in page
    page = text(client.get(PEOPLE, {"branch": world.branch2.pk}))
    assert "张二层" in page and "王书记" not in page
    page = text(client.get(PEOPLE, {"window": world.window1.pk, "political_status": "public"}))
    assert "陈群众" in page and "李党员" not in page
    page = text(client.get(PEOPLE, {"unit": world.home_unit2.pk}))
    assert "赵二层" in page and "陈群众" not in page
    services.deactivate_person(world.admin, world.branch2_members[1])
    page = text(client.get(PEOPLE, {"is_active": "false"}))
    assert "赵二层" in page and "张二层" not in page


def test_a_filter_outside_scope_finds_nothing(world, login):
    page = text(login(world.secretary).get(PEOPLE, {"branch": world.branch2.pk}))
    assert "张二层" not in page and "13800000001" not in page and "没有符合条件的人员" in page


def test_live_search_returns_the_table_alone(world, login):
    page = text(login(world.office).get(PEOPLE))
    assert 'type="search"' in page and f'hx-get="{PEOPLE}"' in page and 'hx-target="#people-table"' in page
    response = login(world.office).get(PEOPLE, {"q": "二层"}, HTTP_HX_REQUEST="true",
                                       HTTP_HX_TARGET="people-table")
    page = text(response)
    assert "<html" not in page and 'id="people-table"' in page
    assert "张二层" in page and "王书记" not in page


def test_people_list_query_count_does_not_grow(world, login, django_assert_max_num_queries):
    client = login(world.office)
    with django_assert_max_num_queries(14):
        client.get(PEOPLE)
    for i in range(40):
        services.create_person(world.admin, world.centre, name=f"新人{i:02d}", mobile=f"1370000{i:04d}",
                               political_status=Person.Status.FULL, branch=world.branch2, unit=world.home_unit2,
                               window=world.window2)
    with django_assert_max_num_queries(14):
        page = text(client.get(PEOPLE))
    assert "新人39" in page


def test_paginated(world, login):
    for i in range(55):
        services.create_person(world.admin, world.centre, name=f"批量{i:02d}", political_status=Person.Status.PUBLIC)
    client = login(world.office)
    first, second = text(client.get(PEOPLE)), text(client.get(PEOPLE, {"page": 2}))
    assert "批量00" in first and "批量54" not in first
    assert "批量54" in second


# One person ------------------------------------------------------------------------------


def test_office_sees_the_full_record(world, login):
    page = text(login(world.office).get(detail(world.member_person)))
    for expected in ("李党员", "13800000002", "一层党支部", "区市场监管局", "A01", "宣传委员", "member",
                     edit(world.member_person)):
        assert expected in page


def test_member_sees_own_record_masked_and_no_one_else(world, login):
    client = login(world.member)
    page = text(client.get(detail(world.member_person)))
    assert "李党员" in page and "138****0002" in page and "13800000002" not in page
    assert edit(world.member_person) not in page
    assert client.get(detail(world.secretary_person)).status_code == 404
    assert client.get(edit(world.member_person)).status_code == 403


def test_liaison_reads_masked(world, login):
    page = text(login(world.liaison).get(detail(world.public_person)))
    assert "138****0006" in page and "13800000006" not in page


def test_outsider_and_anonymous(world, login, client):
    assert_login_redirect(client.get(detail(world.member_person)))
    client = login(world.outsider)
    assert client.get(detail(world.member_person)).status_code == 404
    assert client.get(edit(world.member_person)).status_code == 404


# Creating and editing -------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["+86 139-1234-5678", "0086 139 1234 5678", "１３９１２３４５６７８", "139 1234 5678"])
def test_office_adds_a_person_typing_the_number_any_way(world, login, typed):
    response = login(world.office).post(NEW, form_data(world, mobile=typed))
    assert response.status_code == 302
    person = Person.objects.get(name="刘新人")
    assert person.mobile == "13912345678" and person.branch == world.branch1
    assert audit_rows(world.office, person, AuditEntry.Action.CREATE).exists()


def test_a_name_with_a_middle_dot_is_kept(world, login):
    client = login(world.office)
    assert client.post(NEW, form_data(world, name="热依拉·艾力")).status_code == 302
    assert Person.objects.filter(name="热依拉·艾力").exists()
    # Look-alike dots from other input methods become the middle dot.
    assert client.post(NEW, form_data(world, name="古丽娜尔•阿不都", mobile="13912345679")).status_code == 302
    assert Person.objects.filter(name="古丽娜尔·阿不都").exists()


def test_person_errors_are_in_chinese_and_nothing_is_saved(world, login):
    client = login(world.office)
    page = text(client.post(NEW, form_data(world, mobile="12345")))
    assert "不是中国大陆手机号" in page
    page = text(client.post(NEW, form_data(world, mobile="13800000002")))
    assert "已登记" in page
    page = text(client.post(NEW, form_data(world, political_status="public")))
    assert "只有党员" in page
    page = text(client.post(NEW, form_data(world, name="")))
    assert "必填" in page
    assert not Person.objects.filter(name="刘新人").exists()


def test_photo_upload_and_bad_photo(world, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(world.office)
    page = text(client.post(NEW, {**form_data(world), "photo": SimpleUploadedFile("x.png", b"not an image")}))
    assert "有效图片" in page
    assert client.post(NEW, {**form_data(world), "photo": png()}).status_code == 302
    person = Person.objects.get(name="刘新人")
    assert person.photo.name.startswith("public/people/")
    assert (tmp_path / person.photo.name).exists()


def test_office_links_a_login_account(world, login):
    client = login(world.office)
    public = world.public_person
    data = form_data(world, name=public.name, mobile=public.mobile, political_status="public",
                     joined_party_on="", branch="", user="liaison")
    assert client.post(edit(public), data).status_code == 302
    public.refresh_from_db()
    assert public.user == world.liaison
    page = text(client.post(edit(public), {**data, "user": "nobody"}))
    assert "没有用户名为“nobody”的账号" in page
    page = text(client.post(edit(public), {**data, "user": "member"}))
    assert "已存在" in page


def test_secretary_adds_and_edits_members_of_own_branch(world, login):
    client = login(world.secretary)
    page = text(client.get(NEW))
    assert "一层党支部" in page and "二层党支部" not in page
    assert 'name="user"' not in page  # linking accounts is the office's
    assert client.post(NEW, form_data(world)).status_code == 302
    person = Person.objects.get(name="刘新人")
    assert audit_rows(world.secretary, person, AuditEntry.Action.CREATE).exists()
    response = client.post(edit(world.member_person), form_data(
        world, name="李党员", mobile="+86 13800000002", job="窗口负责人"))
    assert response.status_code == 302
    row = audit_rows(world.secretary, world.member_person, AuditEntry.Action.UPDATE).get()
    assert row.changes["job"] == ["窗口受理员", "窗口负责人"]
    assert "mobile" not in row.changes


def test_secretary_cannot_register_into_another_branch(world, login):
    client = login(world.secretary)
    page = text(client.post(NEW, form_data(world, branch=world.branch2.pk)))
    assert "选择一个有效的选项" in page
    assert client.get(edit(world.branch2_members[0])).status_code == 404
    assert not Person.objects.filter(name="刘新人").exists()


def test_edit_writes_an_audit_row_with_the_change(world, login):
    client = login(world.office)
    person = world.branch2_members[0]
    data = form_data(world, name="张二层", mobile="138 0000 0004", branch=world.branch2.pk,
                     unit=world.home_unit2.pk, window=world.window2.pk, is_active=None)
    assert client.post(edit(person), data).status_code == 302
    person.refresh_from_db()
    assert person.is_active is False
    assert audit_rows(world.office, person, AuditEntry.Action.UPDATE).get().changes["is_active"] == [True, False]


@pytest.mark.parametrize("role", ["scorer", "liaison", "handler", "member"])
def test_read_only_roles_may_not_add_or_edit(world, login, role):
    client = login(getattr(world, role))
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form_data(world)).status_code == 403
    assert not Person.objects.filter(name="刘新人").exists()


def test_every_sort_of_the_people_list_ends_in_name_and_id(client, world):
    """Each sort is an index's order (models.Person's sort indexes): a column's value, then name, then id,
    so equal values page the same way every time; both directions."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.office)
    for column in ("name", "political_status", "unit", "branch", "window", "job", "is_active"):
        for sort in (column, f"-{column}"):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(PEOPLE, {"sort": sort})
            assert response.status_code == 200, sort
            rows = [q["sql"] for q in ctx.captured_queries if 'FROM "org_person"' in q["sql"] and "LIMIT" in q["sql"]
                    and "COUNT" not in q["sql"]]
            order = rows[-1].split("ORDER BY")[1]
            assert '"org_person"."name"' in order and '"org_person"."id"' in order, (sort, order)
            assert "org_unit" not in order and "org_organization" not in order and "org_window" not in order, sort

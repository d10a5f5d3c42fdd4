import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from vanguard.core.models import AuditEntry
from vanguard.org.models import Person
from vanguard.org.roster import import_roster

from .roster_files import roster_file, row

PAGE = reverse("org:roster")
TEMPLATE = reverse("org:roster-template")
EXPORT = reverse("org:roster-export")


def exported_people(response):
    ws = load_workbook(io.BytesIO(response.content))["花名册"]
    return [r for r in ws.iter_rows(min_row=2, values_only=True) if any(r)]


def test_anonymous_is_sent_to_login(client):
    for url in (PAGE, TEMPLATE, EXPORT):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]


def test_office_sees_upload_form_and_links(world, login):
    response = login(world.office).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert f"{TEMPLATE}?centre=test" in html and f"{EXPORT}?centre=test" in html


def test_secretary_may_export_but_not_import(world, login):
    client = login(world.secretary)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' not in response.content.decode()
    assert client.get(TEMPLATE).status_code == 200
    response = client.post(PAGE, {"centre": world.centre.pk, "file": roster_file(world.centre, [row()])})
    assert response.status_code == 403
    assert not Person.objects.filter(mobile="13900001111").exists()
    names = {r[0] for r in exported_people(client.get(EXPORT))}
    assert names == {p.name for p in world.branch1_members}


@pytest.mark.parametrize("who", ["member", "liaison", "scorer"])
def test_members_and_unit_roles_are_refused(world, login, who):
    client = login(getattr(world, who))
    for url in (PAGE, TEMPLATE, EXPORT):
        assert client.get(url).status_code == 403
    assert client.post(PAGE, {"file": roster_file(world.centre, [row()])}).status_code == 403


def test_outsider_cannot_reach_the_centre(world, login):
    client = login(world.outsider)
    assert client.get(f"{PAGE}?centre=test").status_code == 404
    assert client.get(f"{TEMPLATE}?centre=test").status_code == 404
    assert client.get(f"{EXPORT}?centre=test").status_code == 404
    # Their own centre's export holds only their own people.
    names = {r[0] for r in exported_people(client.get(EXPORT))}
    assert names == {world.other_person.name}
    # Posting into the other centre is not a choice they have.
    response = client.post(PAGE, {"centre": world.centre.pk, "file": roster_file(world.centre, [row()])})
    assert response.status_code == 200 and response.context["form"].errors["centre"]
    assert not Person.objects.filter(mobile="13900001111").exists()


def test_upload_success_redirects_and_saves(world, login):
    client = login(world.office)
    response = client.post(PAGE, {"centre": world.centre.pk, "file": roster_file(world.centre, [row()])})
    assert response.status_code == 302 and response["Location"] == f"{PAGE}?centre=test"
    assert Person.objects.get(mobile="13900001111").name == "新同志"
    assert AuditEntry.objects.filter(action="import", actor=world.office).count() == 1
    messages = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert any("1" in m for m in messages)


def test_upload_with_errors_shows_the_table_and_keeps_nothing(world, login):
    people, audits = Person.objects.count(), AuditEntry.objects.count()
    response = login(world.office).post(PAGE, {"centre": world.centre.pk, "file": roster_file(world.centre, [
        row(), row(手机号码="123"), row(手机号码="13900001113", 所在党支部="九层党支部")])})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="roster-errors"' in html
    table = html.split('id="roster-errors"')[1].split("</table>")[0]
    assert table.count("<tr>") == 3  # header + two problems
    assert "<td>3</td><td>C 手机号码</td><td>123</td>" in table
    assert "<td>4</td><td>G 所在党支部</td><td>九层党支部</td>" in table
    assert (Person.objects.count(), AuditEntry.objects.count()) == (people, audits)


def test_upload_of_a_non_xlsx_file_is_explained(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = login(world.office).post(PAGE, {"centre": world.centre.pk,
                                               "file": SimpleUploadedFile("花名册.xls", b"\xd0\xcf\x11\xe0")})
    assert response.status_code == 200
    assert "花名册.xls" in response.content.decode() and 'id="roster-errors"' in response.content.decode()


def test_dry_run_from_the_page(world, login):
    response = login(world.office).post(PAGE, {"centre": world.centre.pk, "dry_run": "on",
                                               "file": roster_file(world.centre, [row()])})
    assert response.status_code == 200 and response.context["result"].ok
    assert not Person.objects.filter(mobile="13900001111").exists()


def test_download_names_and_type(world, login):
    response = login(world.office).get(TEMPLATE)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]


def test_export_reimports_cleanly(world, login):
    """Round trip: what the office exports imports back with no change and no error."""
    import_roster(world.office, world.centre, roster_file(world.centre, [
        row(), row(姓名="无窗口", 手机号码="13900001112", 窗口编号=None, 派驻单位=None, 性别=None, 岗位=None,
                   入党时间=None, 政治面貌="预备党员", 所在党支部="二层党支部")]))
    from vanguard.org import services

    services.create_person(world.admin, world.centre, name="无手机", political_status=Person.Status.PUBLIC)
    response = login(world.office).get(EXPORT)
    assert response.status_code == 200
    rows = exported_people(response)
    centre_people = Person.objects.filter(centre=world.centre, is_active=True)
    assert len(rows) == centre_people.count()
    by_mobile = {r[2]: r for r in rows}
    assert by_mobile[None][0] == "无手机"
    assert by_mobile["13900001111"][:4] == ("新同志", "女", "13900001111", "中共党员")
    assert by_mobile["13900001112"][3] == "中共预备党员"
    assert by_mobile[world.public_person.mobile][3] == "群众"
    before = {p.pk: (p.name, p.gender, p.political_status, p.joined_party_on, p.unit_id, p.branch_id, p.window_id,
                     p.job) for p in centre_people}
    audits = AuditEntry.objects.exclude(action="import").count()
    from django.core.files.uploadedfile import SimpleUploadedFile

    result = import_roster(world.office, world.centre, SimpleUploadedFile("export.xlsx", response.content))
    assert result.ok, [str(e) for e in result.errors]
    assert (result.created, result.updated, result.unchanged) == (0, 0, len(rows))
    after = {p.pk: (p.name, p.gender, p.political_status, p.joined_party_on, p.unit_id, p.branch_id, p.window_id,
                    p.job) for p in Person.objects.filter(centre=world.centre, is_active=True)}
    assert after == before
    assert AuditEntry.objects.exclude(action="import").count() == audits


def test_export_query_count_does_not_grow_with_people(world, login, django_assert_max_num_queries):
    import_roster(world.office, world.centre, roster_file(world.centre, [
        row(手机号码=f"1390000{i:04d}", 姓名=f"人{i}") for i in range(40)]))
    client = login(world.office)
    with django_assert_max_num_queries(15):
        assert len(exported_people(client.get(EXPORT))) == 46

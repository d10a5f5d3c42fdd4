import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from vanguard.core.models import AuditEntry
from vanguard.org.models import Person
from vanguard.org.roster import import_roster
from vanguard.org.roster import reading as roster_reading

from .roster_files import GOOD, roster_file, row


def places(result):
    return [(e.row, e.column, e.header, e.code) for e in result.errors]


def only_error(result):
    assert len(result.errors) == 1, [str(e) for e in result.errors]
    return result.errors[0]


def assert_placed(error, row_number, column, header):
    """The message itself names the row, the column letter and the header."""
    text = str(error)
    assert (error.row, error.column, error.header) == (row_number, column, header)
    assert str(row_number) in text and column in text and header in text, text


def test_good_rows_are_created_with_audit(world):
    before = Person.objects.count()
    result = import_roster(world.office, world.centre, roster_file(world.centre, [
        row(),
        row(姓名="刘群众", 性别="男", 手机号码="13900001112", 政治面貌="群众", 入党时间=None, 所在党支部=None,
            窗口编号="B01", 派驻单位="区人力社保局", 岗位=None),
    ]))
    assert result.ok, [str(e) for e in result.errors]
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert Person.objects.count() == before + 2
    p = Person.objects.get(mobile="13900001111")
    assert (p.name, p.gender, p.political_status, p.joined_party_on) == (
        "新同志", "F", Person.Status.FULL, datetime.date(2015, 7, 1))
    assert (p.unit, p.branch, p.window, p.job) == (world.home_unit, world.branch1, world.window1, "受理员")
    q = Person.objects.get(mobile="13900001112")
    assert q.political_status == Person.Status.PUBLIC and q.branch is None and q.window == world.window2
    creates = AuditEntry.objects.filter(model="org.person", action="create", object_id__in=[str(p.pk), str(q.pk)])
    assert creates.count() == 2
    assert creates.get(object_id=str(p.pk)).changes["name"] == [None, "新同志"]
    summary = AuditEntry.objects.get(action="import")
    assert summary.centre_id == world.centre.pk and summary.actor == world.office
    assert (summary.changes["created"], summary.changes["rows"]) == (2, 2)


@pytest.mark.parametrize("raw", ["139 0000 1111", "139-0000-1111", "+86 139 0000 1111", "+8613900001111",
                                 "0086 13900001111", "１３９００００１１１１", 13900001111, 13900001111.0])
def test_phone_spellings_are_accepted_and_normalised(world, raw):
    result = import_roster(world.office, world.centre, roster_file(world.centre, [row(手机号码=raw)]))
    assert result.ok, [str(e) for e in result.errors]
    assert Person.objects.filter(centre=world.centre, mobile="13900001111").exists()


@pytest.mark.parametrize(("raw", "code"), [(None, "mobile_missing"), ("12345", "mobile_invalid"),
                                           ("1390000111", "mobile_invalid"), ("电话13900001111", "mobile_invalid"),
                                           ("010-12345678", "mobile_invalid")])
def test_missing_or_bad_phone(world, raw, code):
    result = import_roster(world.office, world.centre, roster_file(world.centre, [row(), row(手机号码=raw)]))
    error = only_error(result)
    assert error.code == code
    assert_placed(error, 3, "C", "手机号码")


def test_missing_name(world):
    result = import_roster(world.office, world.centre, roster_file(world.centre, [row(姓名="  ")]))
    error = only_error(result)
    assert error.code == "name_missing"
    assert_placed(error, 2, "A", "姓名")


@pytest.mark.parametrize(("header", "column", "value", "code"), [
    ("派驻单位", "F", "区不存在局", "unit_unknown"),
    ("所在党支部", "G", "九层党支部", "branch_unknown"),
    ("窗口编号", "H", "Z99", "window_unknown"),
])
def test_unknown_unit_branch_window_names_the_value(world, header, column, value, code):
    result = import_roster(world.office, world.centre, roster_file(world.centre, [row(**{header: value})]))
    error = only_error(result)
    assert error.code == code and error.value == value
    assert value in str(error)
    assert_placed(error, 2, column, header)


def test_unit_short_name_and_full_width_brackets_match(world):
    from vanguard.org import services

    services.update_unit(world.admin, world.home_unit, name="区市场监管局（知识产权局）", short_name="市场监管")
    result = import_roster(world.office, world.centre, roster_file(world.centre, [
        row(派驻单位="区市场监管局(知识产权局)"), row(手机号码="13900001112", 派驻单位="市场监管")]))
    assert result.ok, [str(e) for e in result.errors]
    assert Person.objects.filter(unit=world.home_unit, mobile__in=["13900001111", "13900001112"]).count() == 2


def test_branch_of_another_centre_is_unknown(world):
    result = import_roster(world.office, world.centre, roster_file(world.centre, [row(所在党支部="别区党支部")]))
    assert only_error(result).code == "branch_unknown"


def test_same_phone_twice_in_file_names_both_rows(world):
    result = import_roster(world.office, world.centre, roster_file(world.centre, [
        row(), row(手机号码="13900001112"), row(姓名="另一人", 手机号码="+86 139-0000-1111")]))
    error = only_error(result)
    assert error.code == "mobile_twice"
    assert_placed(error, 4, "C", "手机号码")
    assert "2" in error.reason and "4" in error.reason and "13900001111" in error.reason
    assert not Person.objects.filter(mobile="13900001112").exists()


def test_phone_already_in_database_updates_that_person(world):
    person = world.member_person
    result = import_roster(world.office, world.centre, roster_file(world.centre, [
        row(姓名="李党员", 手机号码=person.mobile, 所在党支部="二层党支部", 窗口编号="B01", 派驻单位="区人力社保局",
            岗位="综合受理"),
    ]))
    assert result.ok, [str(e) for e in result.errors]
    assert (result.created, result.updated) == (0, 1)
    person.refresh_from_db()
    assert (person.branch, person.window, person.job, person.user) == (
        world.branch2, world.window2, "综合受理", world.member)
    entry = AuditEntry.objects.get(model="org.person", action="update", object_id=str(person.pk),
                                   verb__isnull=False, changes__has_key="branch")
    assert entry.changes["job"] == ["窗口受理员", "综合受理"]
    assert set(entry.changes) <= {"name", "gender", "political_status", "joined_party_on", "unit", "branch",
                                  "window", "job"}


def test_same_phone_in_another_centre_is_a_new_person(world):
    result = import_roster(world.office, world.centre, roster_file(world.centre, [
        row(手机号码=world.other_person.mobile)]))
    assert result.created == 1
    assert Person.objects.filter(mobile=world.other_person.mobile).count() == 2


@pytest.mark.parametrize("raw", ["2010-07-01", "2010/7/1", "2010.7.1", "2010年7月1日", "2010年7月", "20100701",
                                 20100701, "2010-07-01 00:00:00", datetime.datetime(2010, 7, 1),
                                 datetime.date(2010, 7, 1), "２０１０年７月１日"])
def test_date_spellings(world, raw):
    result = import_roster(world.office, world.centre, roster_file(world.centre, [row(入党时间=raw)]))
    assert result.ok, [str(e) for e in result.errors]
    assert Person.objects.get(mobile="13900001111").joined_party_on == datetime.date(2010, 7, 1)


@pytest.mark.parametrize(("raw", "code"), [("2010-13-01", "date_invalid"), ("2010年2月30日", "date_invalid"),
                                           ("去年七月", "date_invalid"), ("2999-01-01", "date_future"),
                                           ("1900-01-01", "date_too_early")])
def test_bad_dates(world, raw, code):
    result = import_roster(world.office, world.centre, roster_file(world.centre, [row(入党时间=raw)]))
    error = only_error(result)
    assert error.code == code
    assert_placed(error, 2, "E", "入党时间")


def test_public_with_party_date_or_branch(world):
    result = import_roster(world.office, world.centre, roster_file(world.centre, [
        row(政治面貌="群众", 所在党支部=None),
        row(手机号码="13900001112", 政治面貌="群众", 入党时间=None),
    ]))
    assert places(result) == [(2, "E", "入党时间", "public_with_date"), (3, "G", "所在党支部", "public_with_branch")]


@pytest.mark.parametrize("status", ["中共党员", "中共预备党员", "正式党员", "预备党员"])
def test_party_member_without_branch(world, status):
    result = import_roster(world.office, world.centre, roster_file(world.centre, [
        row(政治面貌=status, 所在党支部=None)]))
    error = only_error(result)
    assert error.code == "member_without_branch"
    assert_placed(error, 2, "G", "所在党支部")


@pytest.mark.parametrize(("status", "expected"), [("正式党员", Person.Status.FULL),
                                                  ("预备党员", Person.Status.PROBATIONARY),
                                                  ("中共预备党员", Person.Status.PROBATIONARY)])
def test_status_spellings(world, status, expected):
    assert import_roster(world.office, world.centre, roster_file(world.centre, [row(政治面貌=status)])).ok
    assert Person.objects.get(mobile="13900001111").political_status == expected


def test_unknown_gender_and_status(world):
    result = import_roster(world.office, world.centre, roster_file(world.centre, [
        row(性别="M"), row(手机号码="13900001112", 政治面貌="党外人士"), row(手机号码="13900001113", 政治面貌=None)]))
    assert places(result) == [(2, "B", "性别", "gender_unknown"), (3, "D", "政治面貌", "status_unknown"),
                              (4, "D", "政治面貌", "status_missing")]
    assert "M" in str(result.errors[0]) and "党外人士" in str(result.errors[1])


def test_every_problem_is_reported_and_nothing_is_written(world):
    people, audits = Person.objects.count(), AuditEntry.objects.count()
    result = import_roster(world.office, world.centre, roster_file(world.centre, [
        row(),
        row(姓名=None, 手机号码="12", 派驻单位="没有这个局"),
        row(手机号码="13900001113"),
        row(手机号码="13900001114", 窗口编号="Z9", 入党时间="明年"),
    ]))
    assert not result.ok and result.created == 0
    assert places(result) == [
        (3, "A", "姓名", "name_missing"), (3, "C", "手机号码", "mobile_invalid"), (3, "F", "派驻单位", "unit_unknown"),
        (5, "E", "入党时间", "date_invalid"), (5, "H", "窗口编号", "window_unknown"),
    ]
    assert Person.objects.count() == people
    assert AuditEntry.objects.count() == audits


def test_blank_rows_are_skipped_and_rows_keep_their_excel_numbers(world):
    result = import_roster(world.office, world.centre, roster_file(world.centre, [
        row(), [None] * 9, ["", " ", None, None, None, None, None, None, None], row(手机号码="1")]))
    assert places(result) == [(5, "C", "手机号码", "mobile_invalid")]
    assert result.rows == 2


def test_dry_run_checks_and_writes_nothing(world):
    people, audits = Person.objects.count(), AuditEntry.objects.count()
    result = import_roster(world.office, world.centre, roster_file(world.centre, [
        row(), row(手机号码=world.member_person.mobile, 姓名="李党员改")]), dry_run=True)
    assert result.ok and not result.saved
    assert (result.created, result.updated) == (1, 1)
    assert (Person.objects.count(), AuditEntry.objects.count()) == (people, audits)
    world.member_person.refresh_from_db()
    assert world.member_person.name == "李党员"


def test_reordered_columns_are_read_by_header(world):
    headers = ["手机号码", "姓名", "性别", "政治面貌", "入党时间", "派驻单位", "所在党支部", "窗口编号", "岗位"]
    values = [GOOD[2], GOOD[0], *GOOD[1:2], *GOOD[3:]]
    assert import_roster(world.office, world.centre, roster_file(world.centre, [values], headers=headers)).ok
    assert Person.objects.get(mobile="13900001111").name == "新同志"


def test_wrong_headers_are_named(world):
    headers = ["姓名", "性别", "手机号", "政治面貌", "入党时间", "派驻单位", "所在党支部", "窗口编号"]
    result = import_roster(world.office, world.centre, roster_file(world.centre, [GOOD[:8]], headers=headers))
    assert places(result) == [(1, "", "", "header_missing"), (1, "C", "手机号", "header_unknown")]
    assert "手机号码" in str(result.errors[0]) and "岗位" in str(result.errors[0])
    assert "手机号" in str(result.errors[1])


@pytest.mark.parametrize(("name", "content"), [
    ("roster.xls", b"\xd0\xcf\x11\xe0 old excel"),
    ("roster.csv", "姓名,手机号码\n张三,13900001111\n".encode()),
    ("roster.xlsx", "姓名,手机号码\n".encode()),
    ("roster.xlsx", b"PK\x03\x04 broken zip"),
])
def test_files_that_are_not_xlsx_are_refused(world, name, content):
    result = import_roster(world.office, world.centre, SimpleUploadedFile(name, content))
    assert only_error(result).code == "not_xlsx"
    assert "xlsx" in str(result.errors[0])


def test_oversized_file_is_refused(world, monkeypatch):
    monkeypatch.setattr(roster_reading, "MAX_BYTES", 1000)
    result = import_roster(world.office, world.centre, roster_file(world.centre, [row()]))
    assert only_error(result).code == "file_too_big"


def test_too_many_rows_are_refused(world, monkeypatch):
    monkeypatch.setattr(roster_reading, "MAX_ROWS", 2)
    result = import_roster(world.office, world.centre, roster_file(world.centre, [
        row(), row(手机号码="13900001112"), row(手机号码="13900001113")]))
    assert only_error(result).code == "too_many_rows"
    assert not Person.objects.filter(mobile="13900001111").exists()


def test_empty_roster_is_an_error(world):
    assert only_error(import_roster(world.office, world.centre, roster_file(world.centre, []))).code == "empty"


@pytest.mark.parametrize("who", ["secretary", "member", "liaison", "outsider"])
def test_only_the_office_or_admin_may_import(world, who):
    with pytest.raises(PermissionDenied):
        import_roster(getattr(world, who), world.centre, roster_file(world.centre, [row()]))
    assert not Person.objects.filter(mobile="13900001111").exists()


def test_admin_may_import(world):
    assert import_roster(world.admin, world.centre, roster_file(world.centre, [row()])).created == 1


def test_bulk_audit_rows_match_the_services_format(world):
    """The bulk-written audit rows carry what audit.record_create would have written."""
    from vanguard.core import audit

    import_roster(world.office, world.centre, roster_file(world.centre, [row()]))
    person = Person.objects.get(mobile="13900001111")
    entry = AuditEntry.objects.get(model="org.person", action="create", object_id=str(person.pk))
    expected = {k: [None, v] for k, v in audit.snapshot(person).items() if v not in (None, "")}
    assert entry.changes == expected
    assert (entry.actor, entry.actor_name, entry.centre_id, entry.object_repr) == (
        world.office, "office", world.centre.pk, "新同志")


def test_deactivated_person_listed_again_is_active_again(world):
    from vanguard.org import services

    services.deactivate_person(world.admin, world.public_person)
    result = import_roster(world.office, world.centre, roster_file(world.centre, [
        row(姓名="陈群众", 手机号码=world.public_person.mobile, 政治面貌="群众", 入党时间=None, 所在党支部=None,
            岗位=None, 性别=None)]))
    assert (result.created, result.updated) == (0, 1)
    world.public_person.refresh_from_db()
    assert world.public_person.is_active
    entry = AuditEntry.objects.filter(action="update", object_id=str(world.public_person.pk)).first()
    assert entry.changes["is_active"] == [False, True]


def test_people_not_in_the_file_are_left_alone(world):
    before = list(Person.objects.filter(centre=world.centre).values_list("pk", "name", "is_active", "updated_at"))
    import_roster(world.office, world.centre, roster_file(world.centre, [row()]))
    after = list(Person.objects.filter(centre=world.centre).exclude(mobile="13900001111")
                 .values_list("pk", "name", "is_active", "updated_at"))
    assert sorted(after) == sorted(before)


def test_person_saved_without_a_phone_is_matched_by_name(world):
    """The model allows a person without a number; their exported row has none and must import back."""
    from vanguard.org import services

    person = services.create_person(world.admin, world.centre, name="无手机", political_status=Person.Status.PUBLIC)
    file = roster_file(world.centre, [row(姓名="无手机", 手机号码=None, 政治面貌="群众", 入党时间=None,
                                          所在党支部=None, 岗位="保洁")])
    result = import_roster(world.office, world.centre, file)
    assert result.ok, [str(e) for e in result.errors]
    assert (result.created, result.updated) == (0, 1)
    person.refresh_from_db()
    assert (person.job, person.mobile) == ("保洁", "")


def test_phoneless_name_twice_or_ambiguous_is_an_error(world):
    from vanguard.org import services

    services.create_person(world.admin, world.centre, name="无手机", political_status=Person.Status.PUBLIC)
    blank = {"手机号码": None, "政治面貌": "群众", "入党时间": None, "所在党支部": None}
    result = import_roster(world.office, world.centre, roster_file(world.centre, [
        row(姓名="无手机", **blank), row(姓名="无手机", **blank)]))
    assert places(result) == [(3, "C", "手机号码", "mobile_twice")]
    services.create_person(world.admin, world.centre, name="无手机", political_status=Person.Status.PUBLIC)
    result = import_roster(world.office, world.centre, roster_file(world.centre, [row(姓名="无手机", **blank)]))
    assert places(result) == [(2, "C", "手机号码", "mobile_missing")]

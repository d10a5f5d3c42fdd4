"""`vanguard pledges import`: a workbook from paper, all or nothing, every bad row named."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from vanguard.pledges.models import Pledge

from .conftest import deadline, this_year


def workbook(tmp_path, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(["手机号", "年度", "承诺事项", "完成时限", "可衡量的结果"])
    for row in rows:
        sheet.append(row)
    path = tmp_path / "pledges.xlsx"
    book.save(path)
    return path


def test_import_all_or_nothing(world, tmp_path):
    good = ["13800000002", this_year(), "帮老人网上办事", deadline(), "20位"]
    bad = ["13800000003", this_year(), "学习业务", deadline().isoformat(), ""]
    path = workbook(tmp_path, [good, bad, ["13900000000", this_year(), "x", deadline(), "y"]])
    with pytest.raises(CommandError) as e:
        call_command("pledges", "import", str(path), "--centre", "test", "--user", "secretary")
    assert "第3行" in str(e.value) and "第4行" in str(e.value)
    assert not Pledge.objects.exists()
    path = workbook(tmp_path, [good, [*bad[:4], "考试90分"]])
    out = io.StringIO()
    call_command("pledges", "import", str(path), "--centre", "test", "--user", "secretary", stdout=out)
    assert Pledge.objects.filter(source="paper").count() == 2
    out = io.StringIO()
    call_command("pledges", "figures", "--centre", "test", stdout=out)
    assert "2" in out.getvalue()


def test_import_refuses_what_is_not_a_workbook(world, tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"not a workbook")
    with pytest.raises(CommandError):
        call_command("pledges", "import", str(path), "--centre", "test")


def test_figures_in_harbin_shape(world):
    """Members, pledges made and kept; units and leaders who signed letters, as Harbin reports them."""
    from django.utils import timezone, translation

    from vanguard.pledges import services
    from vanguard.pledges.models import Letter, Result

    from .conftest import make

    kept = services.review_pledge(world.secretary, make(world), approve=True)
    services.review_pledge(world.secretary, make(world, what="学习业务知识"), approve=True)
    services.review_pledge(world.secretary, make(world, person=world.secretary_person), approve=True)
    services.judge_pledge(world.secretary, kept, stage=services.YEAR_END, result=Result.KEPT, reason="已兑现")
    targets = [{"section": "party", "text": "三会一课", "measure": "按时召开", "weight": 100}]
    for kind, leader in ((Letter.Kind.UNIT, None), (Letter.Kind.LEADER, world.secretary_person)):
        letter = services.create_letter(world.office, world.centre, year=this_year(), unit=world.home_unit,
                                        kind=kind, leader=leader, targets=targets)
        services.send_letter(world.office, letter)
        letter.refresh_from_db()
        services.sign_letter(world.office, letter, signatory="张局长", signed_on=timezone.localdate())
    # A letter sent but not signed does not count.
    services.send_letter(world.office, services.create_letter(world.office, world.centre, year=this_year(),
                                                              unit=world.home_unit2, targets=targets))
    out = io.StringIO()
    with translation.override("en"):
        call_command("pledges", "figures", "--centre", "test", "--year", str(this_year()), stdout=out)
    assert out.getvalue().splitlines() == [
        "2 party members made 3 pledges, of which 1 were kept.",
        "1 units signed target responsibility letters, with 1 leaders."]

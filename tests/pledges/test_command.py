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

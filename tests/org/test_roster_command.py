import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vanguard.core.models import AuditEntry
from vanguard.org.models import Person

from .roster_files import roster_file, row, zh_catalogue  # noqa: F401 (fixture)


@pytest.fixture
def xlsx(tmp_path, world):
    def write(rows, name="roster.xlsx"):
        path = tmp_path / name
        path.write_bytes(roster_file(world.centre, rows).read())
        return str(path)

    return write


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_roster", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_as_office_user(world, xlsx):
    out, _err = run(xlsx([row(), row(手机号码="13900001112", 姓名="第二人")]), "--centre", "test", "--user", "office")
    assert Person.objects.filter(mobile__in=["13900001111", "13900001112"]).count() == 2
    assert AuditEntry.objects.get(action="import").actor == world.office
    assert "2" in out


def test_errors_exit_1_and_print_every_problem(world, xlsx):
    path = xlsx([row(), row(手机号码="12"), row(手机号码="13900001113", 派驻单位="没有这个局")])
    with pytest.raises(CommandError) as e:
        run(path, "--centre", "test")
    assert e.value.returncode == 1
    assert not Person.objects.filter(mobile="13900001111").exists()


@pytest.mark.usefixtures("zh_catalogue")
def test_errors_are_printed_in_chinese(world, xlsx):
    path = xlsx([row(), row(手机号码="12"), row(手机号码="13900001113", 派驻单位="没有这个局")])
    err = io.StringIO()
    with pytest.raises(CommandError) as e:
        call_command("import_roster", path, "--centre", "test", stderr=err)
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("第3行") and "C列" in lines[0] and "手机号码" in lines[0]
    assert lines[1].startswith("第4行") and "F列" in lines[1] and "没有这个局" in lines[1]
    assert "未保存" in str(e.value) or "没有保存" in str(e.value)


def test_dry_run_saves_nothing(world, xlsx):
    out, _err = run(xlsx([row()]), "--dry-run", "--centre", "test")
    assert not Person.objects.filter(mobile="13900001111").exists()
    assert not AuditEntry.objects.filter(action="import").exists()
    assert "1" in out


def test_dry_run_with_errors_exits_1(world, xlsx):
    with pytest.raises(CommandError) as e:
        run(xlsx([row(姓名=None)]), "--dry-run", "--centre", "test")
    assert e.value.returncode == 1


def test_centre_is_required_when_there_are_several(world, xlsx):
    with pytest.raises(CommandError) as e:
        run(xlsx([row()]))
    assert "test" in str(e.value) and "other" in str(e.value)


def test_office_user_defaults_to_their_centre_and_is_refused_elsewhere(world, xlsx):
    run(xlsx([row()]), "--user", "office")
    assert Person.objects.filter(mobile="13900001111", centre=world.centre).exists()
    with pytest.raises(CommandError):
        run(xlsx([row(手机号码="13900001112")]), "--user", "outsider", "--centre", "test")
    with pytest.raises(CommandError):
        run(xlsx([row(手机号码="13900001112")]), "--user", "member", "--centre", "test")
    assert not Person.objects.filter(mobile="13900001112").exists()


def test_missing_file_and_unknown_user(world, tmp_path):
    with pytest.raises(CommandError):
        run(str(tmp_path / "none.xlsx"), "--centre", "test")
    with pytest.raises(CommandError):
        run(str(tmp_path / "none.xlsx"), "--centre", "test", "--user", "nobody")


def test_vanguard_cli_exit_code(world, xlsx, tmp_path, monkeypatch):
    """Through the console script's entry point, as an operator runs it: status 1 on a bad file."""
    from vanguard.cli import main

    path = xlsx([row(手机号码="12")])
    with pytest.raises(SystemExit) as e:
        main(["vanguard", "import-roster", path, "--centre", "test", "--skip-checks"])
    assert e.value.code == 1

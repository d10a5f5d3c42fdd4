"""A plain `pip install` shows Chinese: the wheel carries the compiled catalogues,
built by setup.py's build step in plain Python (no GNU gettext needed)."""

import gettext
import importlib.util
import io
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
POS = sorted(ROOT.glob("vanguard/*/locale/zh_Hans/LC_MESSAGES/django.po"))


def _setup_module():
    spec = importlib.util.spec_from_file_location("vanguard_setup", ROOT / "setup.py")
    module = importlib.util.module_from_spec(spec)
    # setup.py calls setup() at import; only its functions are wanted here.
    source = (ROOT / "setup.py").read_text(encoding="utf-8").replace(
        'setup(cmdclass={"build_py": BuildWithCatalogues})', "")
    exec(compile(source, str(ROOT / "setup.py"), "exec"), module.__dict__)  # noqa: S102 - our own file
    return module


def _catalogue(mo_bytes):
    return gettext.GNUTranslations(io.BytesIO(mo_bytes))


def test_the_python_compiler_reads_every_catalogue_like_msgfmt(tmp_path):
    compile_po = _setup_module().compile_po
    msgfmt = shutil.which("msgfmt")
    for po in POS:
        ours = _catalogue(compile_po(po.read_text(encoding="utf-8")))
        assert ours.gettext("Home") in ("首页", "Home")
        if msgfmt:
            out = tmp_path / f"{po.parts[-5]}.mo"
            subprocess.run([msgfmt, "-o", str(out), str(po)], check=True)
            theirs = _catalogue(out.read_bytes())._catalog
            # msgfmt drops POT-Creation-Date from the header; every message is the same.
            assert {k: v for k, v in ours._catalog.items() if k} == {k: v for k, v in theirs.items() if k}, \
                po.parts[-5]
            assert ours.info()["plural-forms"] == _catalogue(out.read_bytes()).info()["plural-forms"]
    core = _catalogue(compile_po((ROOT / "vanguard/core/locale/zh_Hans/LC_MESSAGES/django.po").read_text("utf-8")))
    assert core.pgettext("audit", "named") == "命名"  # contexts
    assert core.gettext("Please choose") == "请选择"


@pytest.mark.slow
def test_a_wheel_built_from_the_tree_carries_the_catalogues(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".venv", "var", ".git", "*.mo", "__pycache__", "build", "*.egg-info", "tests", "benchmarks", "node_modules"))
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                          "-w", str(tmp_path / "dist"), str(source)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    (wheel,) = (tmp_path / "dist").glob("vanguard-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for po in POS:
        mo = str(po.relative_to(ROOT).with_suffix(".mo"))
        assert mo in names, mo
    mo = zipfile.ZipFile(wheel).read("vanguard/core/locale/zh_Hans/LC_MESSAGES/django.mo")
    assert _catalogue(mo).gettext("To do now") == "现在要办的事"

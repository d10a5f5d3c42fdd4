"""Layering: the API reads through each app's selectors and services, never through its page views."""

import ast
from pathlib import Path

APPS = Path(__file__).resolve().parents[1] / "vanguard"


def _imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            yield ("." * node.level) + (node.module or ""), [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []


def test_api_modules_never_import_page_views():
    offenders = []
    for api in sorted(APPS.glob("*/api*.py")):
        for module, names in _imported_modules(api):
            last = module.rsplit(".", 1)[-1]
            if module.startswith("rest_framework") or module.startswith("drf_spectacular"):
                continue
            if last.startswith("views") or (module.strip(".") == "" and any(n.startswith("views") for n in names)):
                offenders.append(f"{api.relative_to(APPS)}: {module} {names}")
    assert not offenders, offenders


def test_the_check_sees_an_offender(tmp_path):
    bad = tmp_path / "api.py"
    bad.write_text("from .views import HOLDERS\nfrom . import views_public\n", encoding="utf-8")
    found = [m for m, names in _imported_modules(bad) if m.rsplit(".", 1)[-1].startswith("views")
             or any(n.startswith("views") for n in names)]
    assert len(found) == 2

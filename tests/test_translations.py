"""Every app's Chinese translation is complete and current with the code, and the
interface really is Chinese by default with English one switch away.

The .po files are refreshed with makemessages in a temporary copy of each app
(never in the working tree), so a string added to the code but not to the .po
fails here just like an empty or fuzzy msgstr."""

import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

import vanguard

VANGUARD_DIR = Path(vanguard.__file__).resolve().parent
LOCALE_APPS = sorted(p.parent.name for p in VANGUARD_DIR.glob("*/locale") if p.is_dir())
PO_NAME = Path("locale", "zh_Hans", "LC_MESSAGES", "django.po")

needs_gettext = pytest.mark.skipif(
    shutil.which("xgettext") is None or shutil.which("msgmerge") is None,
    reason="GNU gettext (xgettext, msgmerge) is not installed: run scripts/install-system-deps.sh",
)


def _unquote(line):
    """The string literal of a .po line: `msgid "a\\"b"` -> `a"b`."""
    literal = line[line.index('"') + 1 : line.rindex('"')]
    return re.sub(r'\\(["\\nt])', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), literal)


def parse_po(text):
    """Entries of a .po file as dicts: msgid, msgid_plural, msgstrs (list), fuzzy, line.
    Enough of the format for checking completeness; obsolete (#~) entries are skipped."""
    entries, entry, field = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            entry, field = None, None
            continue
        if line.startswith("#~"):
            continue
        if entry is None:
            entry = {"msgstrs": {}, "fuzzy": False, "line": number, "msgctxt": None, "msgid_plural": None}
        if line.startswith("#,"):
            entry["fuzzy"] = entry["fuzzy"] or "fuzzy" in line[2:].replace(" ", "").split(",")
        elif line.startswith("#"):
            continue
        elif line.startswith(("msgctxt ", "msgid ", "msgid_plural ")):
            if line.startswith("msgid ") and "msgid" in entry:  # no blank line between entries
                finish()
                entry = {"msgstrs": {}, "fuzzy": False, "line": number, "msgctxt": None, "msgid_plural": None}
            field = line.split(" ", 1)[0]
            entry[field] = _unquote(line)
        elif line.startswith("msgstr"):
            index = re.match(r"msgstr(?:\[(\d+)\])?", line).group(1) or "0"
            field = ("msgstr", index)
            entry["msgstrs"][index] = _unquote(line)
        elif line.startswith('"') and field is not None:
            if isinstance(field, tuple):
                entry["msgstrs"][field[1]] += _unquote(line)
            else:
                entry[field] += _unquote(line)
    finish()
    return entries


def problems(entries):
    """'untranslated: …' / 'fuzzy: …' lines for every entry that is not done."""
    found = []
    for e in entries:
        if e["msgid"] == "":  # the header
            continue
        label = repr(e["msgid"]) + (f" (context {e['msgctxt']!r})" if e["msgctxt"] else "")
        if e["fuzzy"]:
            found.append(f"fuzzy: {label} (line {e['line']})")
        elif not e["msgstrs"] or any(not s.strip() for s in e["msgstrs"].values()):
            found.append(f"untranslated: {label} (line {e['line']})")
    return found


def test_parser_finds_untranslated_fuzzy_and_plural_gaps():
    po = '''msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

#: a.py:1
msgid "Log in"
msgstr "登录"

#, fuzzy, python-format
msgid "Hello %(name)s"
msgstr "你好 %(name)s"

msgid ""
"Multi "
"line"
msgstr ""

msgid "one"
msgid_plural "many"
msgstr[0] "个"
msgstr[1] ""

#~ msgid "Gone"
#~ msgstr ""
'''
    entries = parse_po(po)
    assert [e["msgid"] for e in entries] == ["", "Log in", "Hello %(name)s", "Multi line", "one"]
    assert problems(entries) == [
        "fuzzy: 'Hello %(name)s' (line 9)",
        "untranslated: 'Multi line' (line 13)",
        "untranslated: 'one' (line 18)",
    ]


@needs_gettext
@pytest.mark.parametrize("app", LOCALE_APPS)
def test_app_translation_is_complete_and_current(app, tmp_path, monkeypatch):
    copy = tmp_path / app
    shutil.copytree(VANGUARD_DIR / app, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "*.pyc"))
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["zh_Hans"], no_obsolete=True, verbosity=0)
    po = copy / PO_NAME
    if not po.exists():
        return  # makemessages writes no .po while the app has no translatable string
    found = problems(parse_po(po.read_text(encoding="utf-8")))
    committed = VANGUARD_DIR / app / PO_NAME
    hint = (f"\nRefresh and fill it: cd vanguard/{app} && vanguard makemessages -l zh_Hans --no-obsolete"
            f"{'' if committed.exists() else f' (vanguard/{app}/{PO_NAME} does not exist yet)'}")
    assert not found, f"{app}: {len(found)} msgid(s) not translated:\n  " + "\n  ".join(found) + hint


def _visible_text(html):
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    text = re.sub(r"(?s)<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", text)


def _compiled_core_catalogue_or_fail():
    po = VANGUARD_DIR / "core" / PO_NAME
    mo = po.with_suffix(".mo")
    if po.exists() and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
        pytest.fail("vanguard/core's translations are not compiled (or older than the .po): "
                    "run `make compilemessages`")


@pytest.mark.django_db
def test_login_page_is_chinese_by_default(client):
    _compiled_core_catalogue_or_fail()
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert response.status_code == 200
    text = _visible_text(response.content.decode())
    assert "登录" in text
    leftovers = [s for s in ("Log in", "Username", "Password", "Vanguard", "Window party-building", "Language")
                 if re.search(rf"\b{re.escape(s)}\b", text)]
    assert not leftovers, f"English left on the Chinese login page: {leftovers}"


@pytest.mark.django_db
def test_login_page_is_chinese_without_accept_language(client):
    _compiled_core_catalogue_or_fail()
    text = _visible_text(client.get(reverse("login")).content.decode())
    assert "登录" in text and "Log in" not in text


@pytest.mark.django_db
def test_english_is_one_switch_away(client):
    _compiled_core_catalogue_or_fail()
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")},
                           HTTP_ACCEPT_LANGUAGE="zh-CN", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("login")
    text = _visible_text(response.content.decode())
    assert "Log in" in text and "登录" not in text
    # ...and back to Chinese.
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("login")},
                           follow=True)
    assert "登录" in _visible_text(response.content.decode())

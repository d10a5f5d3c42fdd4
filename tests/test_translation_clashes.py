"""One English msgid, one Chinese word. Django merges every app's catalogue and
the app listed first in INSTALLED_APPS wins, so when two apps translate the same
msgid differently, one of them silently shows the other's word (a post's "Name"
button once turned the rating form's "Name" field into 命名). Give a different
meaning its own msgid (or a pgettext context) instead."""

import ast
from collections import defaultdict
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent / "vanguard"


def entries(po_path):
    """(context, msgid, msgstr) of every entry of a .po file."""
    result, current, field = [], {}, None
    for line in [*po_path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if current.get("msgid"):
                result.append((current.get("msgctxt"), current["msgid"], current.get("msgstr", "")))
            current, field = {}, None
        elif line.startswith("#"):
            continue
        elif line.startswith('"') and field:
            current[field] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            field = key if key in ("msgctxt", "msgid", "msgstr") else None
            if field:
                current[field] = ast.literal_eval(value)
    return result


def test_no_msgid_is_translated_two_ways():
    apps = [app.split(".")[-1] for app in settings.INSTALLED_APPS if app.startswith("vanguard.")]
    seen = defaultdict(dict)
    for app in apps:
        po = ROOT / app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
        if po.exists():
            for context, msgid, msgstr in entries(po):
                if msgstr:
                    seen[(context, msgid)][app] = msgstr
    clashes = {key: by_app for key, by_app in seen.items() if len(set(by_app.values())) > 1}
    assert not clashes, "\n".join(f"{key[1]!r}: {by_app}" for key, by_app in sorted(clashes.items(), key=str))

"""Builds the package with its compiled translations: `pip install .` (or a wheel
built from this tree) shows Chinese without `make compilemessages`. The .po -> .mo
compiler is here, in plain Python, so building needs no GNU gettext; the rest of
the metadata is in pyproject.toml."""

import ast
import struct
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


def _entries(po_text):
    """(msgctxt, msgid, msgid_plural, [msgstr...], fuzzy) of each entry of a .po file."""
    entries, entry, field = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for raw in [*po_text.splitlines(), ""]:
        line = raw.strip()
        if not line:
            finish()
            entry, field = None, None
            continue
        if line.startswith("#~"):
            continue
        if entry is None:
            entry = {"msgstr": {}, "fuzzy": False}
        if line.startswith("#,"):
            entry["fuzzy"] |= "fuzzy" in [flag.strip() for flag in line[2:].split(",")]
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(field, tuple):
                entry["msgstr"][field[1]] += value
            else:
                entry[field] += value
        else:
            key, _, value = line.partition(" ")
            value = ast.literal_eval(value)
            if key.startswith("msgstr"):
                index = int(key[7:-1]) if key.startswith("msgstr[") else 0
                field = ("msgstr", index)
                entry["msgstr"][index] = value
            else:
                field = key
                entry[key] = value
    finish()
    return entries


def compile_po(po_text):
    """The bytes of the .mo file of a .po text (GNU format, no hash table).
    Fuzzy and untranslated entries are left out, as msgfmt does."""
    catalogue = {}
    for e in _entries(po_text):
        strings = [e["msgstr"][i] for i in sorted(e["msgstr"])]
        if e["fuzzy"] and e["msgid"] or not any(strings):
            continue
        key = e["msgid"] + (("\0" + e["msgid_plural"]) if "msgid_plural" in e else "")
        if "msgctxt" in e:
            key = e["msgctxt"] + "\x04" + key
        catalogue[key.encode()] = "\0".join(strings).encode()
    keys = sorted(catalogue)
    ids = b"".join(k + b"\0" for k in keys)
    strs = b"".join(catalogue[k] + b"\0" for k in keys)
    start = 7 * 4 + len(keys) * 16  # header, then the two tables of (length, offset)
    offsets, pos = [], 0
    for k in keys:
        offsets.append((len(k), start + pos))
        pos += len(k) + 1
    str_offsets, pos = [], 0
    for k in keys:
        str_offsets.append((len(catalogue[k]), start + len(ids) + pos))
        pos += len(catalogue[k]) + 1
    header = struct.pack("<7I", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    tables = b"".join(struct.pack("<2I", *o) for o in offsets) + b"".join(struct.pack("<2I", *o) for o in str_offsets)
    return header + tables + ids + strs


class BuildWithCatalogues(build_py):
    """build_py, plus every vanguard/<app>/locale/*/LC_MESSAGES/django.po compiled beside itself."""

    def run(self):
        super().run()
        root = Path(__file__).resolve().parent
        for po in sorted(root.glob("vanguard/*/locale/*/LC_MESSAGES/*.po")):
            target = Path(self.build_lib) / po.relative_to(root).with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(compile_po(po.read_text(encoding="utf-8")))


setup(cmdclass={"build_py": BuildWithCatalogues})

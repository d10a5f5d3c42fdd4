"""Writing cells into exported workbooks, safely: every export builds its rows
with `row()` / `cell()` and saves with `save()`.

- Text that a spreadsheet would run as a formula (starting with =, +, -, @, tab
  or carriage return: a unit named “=HYPERLINK(...)”) is written as text with
  Excel's quote prefix, so opening or editing the file never evaluates it.
- Characters XML cannot carry (control characters in data stored before input
  refused them) are left out instead of failing the whole export.
"""

import io

from openpyxl.cell import Cell

from .text import xml_safe

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value):
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _as_text(target):
    target.data_type = "s"
    target.quotePrefix = True


def cell(ws, value, **style):
    """A cell for `ws.append`, in normal or write-only mode, with optional styles (font=..., fill=...)."""
    value = xml_safe(value)
    target = Cell(ws, row=1, column=1, value=value)  # append() places it
    if is_formula_like(value):
        _as_text(target)
    for name, v in style.items():
        setattr(target, name, v)
    return target


def row(ws, values):
    """`values` ready for `ws.append`: plain values stay plain, text is made safe."""
    return [cell(ws, v) if isinstance(v, str) else v for v in values]


def save(wb):
    """The workbook as .xlsx bytes. In normal mode every cell is checked once more, so a value
    assigned directly (ws["A1"] = ...) cannot slip through as a formula."""
    if not wb.write_only:
        for ws in wb.worksheets:
            for line in ws.iter_rows():
                for target in line:
                    if target.data_type == "f" or is_formula_like(target.value):
                        _as_text(target)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

"""The staff roster in and out of Excel: a template with drop-downs, an
all-or-nothing import that reports every problem, and an export that imports
back unchanged. Pages, the `import-roster` command and the benchmark call these."""

from .access import can_export_roster, can_import_roster, roster_centres
from .columns import HEADERS
from .exporting import export_roster, roster_template
from .importer import RosterResult, import_roster
from .reading import RosterError
from .workbook import XLSX_CONTENT_TYPE

__all__ = [
    "HEADERS", "XLSX_CONTENT_TYPE", "RosterError", "RosterResult", "can_export_roster", "can_import_roster",
    "export_roster", "import_roster", "roster_centres", "roster_template",
]

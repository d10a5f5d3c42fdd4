"""The organisation's pages, one module per group (see urls.py)."""

from .floors import (
    floor_board,
    floor_create,
    floor_detail,
    floor_edit,
    floor_list,
    window_create,
    window_edit,
)
from .people import PersonListView, person_create, person_detail, person_edit
from .tree import (
    committee_add,
    committee_remove,
    organization_children,
    organization_create,
    organization_detail,
    organization_edit,
    organization_list,
)
from .units import UnitListView, unit_create, unit_detail, unit_edit

__all__ = [
    "PersonListView", "UnitListView", "committee_add", "committee_remove", "floor_board", "floor_create",
    "floor_detail", "floor_edit", "floor_list", "organization_children", "organization_create", "organization_detail", "organization_edit",
    "organization_list", "person_create", "person_detail", "person_edit", "unit_create", "unit_detail", "unit_edit",
    "window_create", "window_edit",
]

"""What to do now: the home page's registry.

Each app may have a `todo.py` with `todo_items(user)` returning `Item`s (and
`key_figures(user)` returning `Figure`s). Each function is cheap: a few
set-based queries scoped with `visible_to`, whatever the size of the centre,
and returns nothing for a user it does not concern. A new room (meetings,
feedback cases, pledges) adds its items by adding a `todo.py`; nothing here
changes."""

import datetime
from dataclasses import dataclass
from functools import cache
from importlib import import_module

from django.apps import apps
from django.utils import timezone
from django.utils.module_loading import module_has_submodule


@dataclass
class Item:
    """One thing to do: what, how many, by when, and the page where it is done."""

    text: str
    url: str
    count: int | None = None
    due: datetime.date | None = None
    overdue: bool = False
    # Within equal urgency, lower comes first (an app's own order of its items).
    order: int = 50

    @property
    def due_soon(self):
        return self.due is not None and not self.overdue and self.due <= timezone.localdate() + datetime.timedelta(3)


@dataclass
class Figure:
    label: str
    value: str
    url: str = ""
    note: str = ""


@cache
def providers():
    """The `todo` modules of the installed apps, in INSTALLED_APPS order."""
    found = []
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "todo") and config.name != __package__:
            found.append(import_module(f"{config.name}.todo"))
    return found


def todo_items(user):
    items = [item for module in providers() if hasattr(module, "todo_items") for item in module.todo_items(user)]
    far = datetime.date.max
    # Overdue first, then by due date, then the apps' own order.
    return sorted(items, key=lambda i: (not i.overdue, i.due or far, i.order))


def key_figures(user):
    return [figure for module in providers() if hasattr(module, "key_figures") for figure in module.key_figures(user)]

"""The demo centre: built by `vanguard demo`. org builds the centre, people and
accounts; then each app in DEMO_APPS adds its own data through `build(ctx)` in
its `demo.py`. Everything is fictional and deterministic (one seeded RNG)."""

import datetime
import importlib
import random
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

# Order matters: later apps read earlier apps' demo data. The assessment comes after the
# records its automatic indicators read (life, ratings, messaging).
DEMO_APPS = ["posts", "life", "ratings", "surveys", "messaging", "assessment", "cases", "pledges", "honours",
             "notices", "dashboard"]

DEMO_ACCOUNTS = [
    ("admin", _("Administrator with all rights (keep for emergencies)")),
    ("sysadmin", _("System administrator: configuration and integrations")),
    ("secadmin", _("Security administrator: accounts, roles and grants")),
    ("auditor", _("Audit administrator: reads the audit trail, nothing else")),
    ("office", _("Party-building office: the whole centre")),
    ("secretary", _("Secretary of the first floor's branch")),
    ("scorer", _("Scorer of a business department")),
    ("liaison", _("Liaison of a home unit")),
    ("handler", _("Case handler of a unit")),
    ("member", _("A party member on the first floor")),
]


@dataclass
class DemoContext:
    password: str
    rng: random.Random = field(default_factory=lambda: random.Random(2026))
    today: datetime.date = field(default_factory=datetime.date.today)
    centre: object = None
    admin: object = None
    users: dict = field(default_factory=dict)  # username -> User
    root: object = None
    floors: list = field(default_factory=list)
    branches: list = field(default_factory=list)  # floor branches, floor order
    home_units: list = field(default_factory=list)
    departments: list = field(default_factory=list)
    windows: list = field(default_factory=list)
    people: list = field(default_factory=list)
    log: list = field(default_factory=list)

    @property
    def members(self):
        return [p for p in self.people if p.is_party_member]

    def say(self, line):
        self.log.append(line)


def build_apps(ctx, stdout=None):
    for app in DEMO_APPS:
        try:
            module = importlib.import_module(f"vanguard.{app}.demo")
        except ModuleNotFoundError as e:
            if e.name == f"vanguard.{app}.demo":
                continue
            raise
        module.build(ctx)
        if stdout:
            stdout.write(f"  · {app}: " + ("; ".join(ctx.log) if ctx.log else "ok"))
        ctx.log.clear()

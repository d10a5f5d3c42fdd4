"""vanguard figures refresh [--centre CODE] [--from YYYY-MM] [--to YYYY-MM] [--full]
vanguard figures show --scope SCOPE --metric KEY --month YYYY-MM

`refresh` recomputes the centre-months whose sources changed since they were computed
(--full: every centre-month of the range). `show` prints one figure as stored and as its live query counts it now (the rows behind a
dashboard number), so any published number can be reproduced."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from vanguard.core.system import SYSTEM
from vanguard.dashboard import selectors, services
from vanguard.dashboard.metrics import METRICS
from vanguard.org.models import ServiceCentre


def _month(text):
    try:
        year, month = (int(p) for p in text.split("-", 1))
        return datetime.date(year, month, 1)
    except (ValueError, AttributeError):
        raise CommandError(f"月份应写作 YYYY-MM：{text!r}") from None


class Command(BaseCommand):
    help = "Recompute the figures, or show one figure and its live count."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["refresh", "show"])
        parser.add_argument("--centre")
        parser.add_argument("--from", dest="first")
        parser.add_argument("--to", dest="last")
        parser.add_argument("--full", action="store_true", help="recompute every centre-month, changed or not")
        parser.add_argument("--scope", default="city")
        parser.add_argument("--metric", choices=sorted(METRICS))
        parser.add_argument("--month")

    def handle(self, *args, action, centre=None, first=None, last=None, scope="city", metric=None, month=None,
               full=False, **options):
        if action == "refresh":
            centres = None
            if centre:
                centres = list(ServiceCentre.objects.filter(code=centre))
                if not centres:
                    raise CommandError(f"没有代码为“{centre}”的服务中心。")
            last_day = None
            if last:
                last_day = (_month(last).replace(day=28) + datetime.timedelta(days=4)).replace(day=1) \
                    - datetime.timedelta(days=1)
            count = services.refresh_figures(SYSTEM, centres, first=_month(first) if first else None, last=last_day,
                                             full=full)
            self.stdout.write(f"{count} figures")
            return
        if not metric or not month:
            raise CommandError("show 需要 --metric 和 --month。")
        target = selectors.check_scope(SYSTEM, scope)
        m = _month(month)
        stored = selectors.figure_table(target, [m]).get((metric, m), (0, 0))
        _metric, rows = selectors.rows(target, metric, m)
        self.stdout.write(f"{metric} {target.code} {m:%Y-%m}: stored {stored[0]}, live {rows.count()}")
        self.stdout.write(str(rows.values("pk").query))

"""vanguard report YEAR [--centre CODE] [--output DIR]: the annual report as .docx and .pdf."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from vanguard.core.system import SYSTEM
from vanguard.dashboard import report, router, services
from vanguard.org.models import ServiceCentre


class Command(BaseCommand):
    help = "Write the annual report (Word and PDF) of a centre, or of the city, for a year."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--centre", help="the centre's code (default: the whole city)")
        parser.add_argument("--output", default=".", help="the directory to write into")

    def handle(self, *args, year, centre=None, output=".", **options):
        chosen = None
        if centre:
            chosen = ServiceCentre.objects.filter(code=centre).first()
            if chosen is None:
                raise CommandError(f"没有代码为“{centre}”的服务中心。")
        centres = [chosen] if chosen else list(ServiceCentre.objects.order_by("pk"))
        try:
            with router.replica_reads():
                data = report.build(year, chosen, None if chosen else centres)
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from e
        paths = report.write(data, output)
        services.record_report(SYSTEM, centres, year)
        if not data["has_data"]:
            self.stdout.write(f"{year} 年没有数据：报告为空报告。")
        for path in paths:
            self.stdout.write(str(path))

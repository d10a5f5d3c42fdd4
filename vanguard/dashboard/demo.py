"""Demo data of the figures room: the demo's figures computed, and one big screen."""


def build(ctx):
    from vanguard.core.system import SYSTEM
    from vanguard.org.models import ServiceCentre

    from . import services
    from .models import Screen

    services.refresh_figures(SYSTEM, full=True)
    centre = ServiceCentre.objects.order_by("pk").first()
    if centre is not None and not Screen.objects.filter(centre=centre).exists():
        services.create_screen(SYSTEM, centre, name="一楼大厅大屏")

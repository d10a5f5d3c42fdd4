"""System checks of the project's own settings (`vanguard check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.utils.translation import gettext as _

from .addresses import is_loopback


@register(Tags.security, deploy=True)
def public_address(app_configs, **kwargs):
    """A loopback public address prints QR codes and SMS links no phone can open."""
    if is_loopback(settings.PUBLIC_BASE_URL):
        return [Warning(
            _("The public address %(url)s is a loopback address: the links in QR codes, evaluation slips "
              "and text messages will not open on a citizen's phone.") % {"url": settings.PUBLIC_BASE_URL},
            hint=_("Set VANGUARD_PUBLIC_BASE_URL to an address the public can reach, "
                   "e.g. https://dangjian.example.gov.cn"),
            id="vanguard.W001",
        )]
    return []

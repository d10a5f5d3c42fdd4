from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LifeConfig(AppConfig):
    name = "vanguard.life"
    label = "life"
    verbose_name = _("Organisational life")

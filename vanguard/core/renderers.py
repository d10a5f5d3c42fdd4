"""The project's form renderer: what every select and date input shows, in one place.

Django and django-filter print `---------` for the empty choice of a select. A
filter's empty choice reads 全部 (settings.FILTERS_EMPTY_CHOICE_LABEL); every
other form's reads 请选择, set here so that no form has to remember it."""

from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy as _

DASHES = "---------"
CHOOSE = _("Please choose")
# The empty choice of a filter (settings.FILTERS_EMPTY_CHOICE_LABEL); named here for the catalogue.
ALL = _("All")


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget") if hasattr(context, "get") else None
        if isinstance(widget, dict) and "optgroups" in widget:
            for _group, options, _index in widget["optgroups"]:
                for option in options:
                    if option["label"] == DASHES:
                        option["label"] = CHOOSE
        return super().render(template_name, context, request=request)

"""django-tables2 tables of the organisation's lists. Rows come with their
related objects already joined (see the views), so a page costs the same few
queries whatever its size."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Person, Unit
from .permissions import can_edit_person

TABLE_ATTRS = {"class": "table table-sm table-hover align-middle mb-0"}


class PersonTable(tables.Table):
    name = tables.Column(linkify=("org:person-detail", {"pk": tables.A("pk")}), verbose_name=pgettext_lazy("person", "name"),
                         order_by=("name", "pk"))
    # Every sort is answered by an index and ends in name, id (a city lists 300,000 people: a sort the
    # database must do over every row, or over a joined unit's name, took a second for 50 of them).
    # Unit, branch and window group their people in the order the units, the tree and the windows were
    # made (their ids: a joined name or path cannot come from an index on people). Indexes: models.Person.
    political_status = tables.Column(verbose_name=_("political status"), order_by=("political_status", "name", "pk"))
    unit = tables.Column(verbose_name=_("home unit"), order_by=("unit_id", "name", "pk"))
    branch = tables.Column(verbose_name=_("party branch"), order_by=("branch_id", "name", "pk"))
    window = tables.Column(verbose_name=_("window"), order_by=("window_id", "name", "pk"))
    job = tables.Column(verbose_name=_("job"), order_by=("job", "name", "pk"))
    mobile = tables.Column(verbose_name=_("mobile phone"), orderable=False, empty_values=())
    is_active = tables.BooleanColumn(verbose_name=pgettext_lazy("person", "active"), order_by=("is_active", "name", "pk"))

    class Meta:
        model = Person
        fields = ["name", "political_status", "unit", "branch", "window", "job", "mobile", "is_active"]
        attrs = TABLE_ATTRS
        empty_text = _("No people match.")
        order_by = ("name",)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def render_mobile(self, record):
        # Full numbers only to those who may edit the person; others see 138****8000.
        if not record.mobile:
            return "—"
        return record.mobile if can_edit_person(self.user, record) else record.masked_mobile

    def render_political_status(self, record):
        css = "text-bg-danger" if record.is_party_member else "text-bg-light"
        return format_html('<span class="badge {}">{}</span>', css, record.get_political_status_display())


class UnitTable(tables.Table):
    name = tables.Column(linkify=("org:unit-detail", {"pk": tables.A("pk")}), verbose_name=_("name"))
    window_count = tables.Column(verbose_name=_("windows"), attrs={"td": {"class": "text-end"}})
    people_count = tables.Column(verbose_name=_("people"), attrs={"td": {"class": "text-end"}})

    class Meta:
        model = Unit
        fields = ["name", "short_name", "kind", "contact_phone", "window_count", "people_count"]
        attrs = TABLE_ATTRS
        empty_text = _("No units match.")

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import KeyProject, VanguardPost


class PostTable(tables.Table):
    name = tables.LinkColumn("posts:post-detail", args=[tables.A("pk")])
    location = tables.Column(verbose_name=_("location"), empty_values=(), orderable=False)
    holders = tables.Column(verbose_name=_("holders"), empty_values=(), orderable=False)
    code = tables.TemplateColumn('<a href="/p/{{ record.code }}/" target="_blank" rel="noopener">{{ record.code }}</a>',
                                 verbose_name=_("public code"), orderable=False)

    class Meta:
        model = VanguardPost
        fields = ["name", "kind", "status", "location", "holders", "certificate_number", "code"]
        attrs = {"class": "table table-sm table-striped align-middle"}

    def render_location(self, record):
        return record.location

    def render_holders(self, record):
        return "、".join(h.person.name for h in record.post_holders.all())


class ProjectTable(tables.Table):
    name = tables.LinkColumn("posts:project-edit", args=[tables.A("pk")])
    posts = tables.Column(verbose_name=_("posts"), accessor="post_count", orderable=True)

    class Meta:
        model = KeyProject
        fields = ["name", "category", "district", "address", "latitude", "longitude", "posts"]
        attrs = {"class": "table table-sm table-striped align-middle"}

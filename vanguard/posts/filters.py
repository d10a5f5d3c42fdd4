import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanguard.core.choosers import search_select
from vanguard.org.models import Floor, Unit

from .models import KeyProject, VanguardPost


class PostFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("post or holder"), method="search")
    status = django_filters.ChoiceFilter(choices=VanguardPost.Status.choices, label=_("status"))
    kind = django_filters.ChoiceFilter(choices=VanguardPost.Kind.choices, label=_("kind"))
    floor = django_filters.ModelChoiceFilter(queryset=lambda request: Floor.objects.visible_to(request.user),
                                             label=_("floor"))
    unit = django_filters.ModelChoiceFilter(queryset=lambda request: Unit.objects.visible_to(request.user),
                                            label=_("unit"), method="by_unit")
    project = django_filters.ModelChoiceFilter(
        queryset=lambda request: KeyProject.objects.visible_to(request.user), label=_("key project"))

    class Meta:
        model = VanguardPost
        fields = ["q", "status", "kind", "floor", "unit", "project"]

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_choosers", False):
            form._choosers = True
            for name, chooser in (("floor", "floor"), ("unit", "unit"), ("project", "project")):
                search_select(form.fields[name], chooser)
        for field in form.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field.widget, forms.Select)
                                          else "form-control")
        return form

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__iexact=value)
                               | Q(post_holders__person__name__icontains=value)).distinct()

    def by_unit(self, queryset, name, value):
        return queryset.filter(Q(unit=value) | Q(window__unit=value) | Q(department=value))

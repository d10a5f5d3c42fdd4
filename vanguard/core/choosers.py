"""Choosers that search as you type: a <select> holding only the chosen option,
and a search box that fetches matching options (htmx) from /choose/<kind>/.

A city has 300,000 people and 10,000 organisations: a <select> of all of them
made a form 13 MB and a minute to render. The endpoint starts from the kind's
`visible_to(user)` and only narrows it with the widget's parameters, so it
cannot show more than the user may see; the form field's own queryset still
validates the posted value."""

from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

LIMIT = 30
# The endpoint's own parameters; any other is the multiple select's chosen values.
RESERVED = {"q", "multiple", "centre", "members", "active", "unlinked", "branches", "kind"}
# Up to this many choices a plain <select> is quicker to use; beyond it, search.
PLAIN_UP_TO = 100


def _ints(values):
    out = []
    for v in values:
        try:
            out.append(int(v))
        except (TypeError, ValueError):
            continue
    return out


class Kind:
    """One chooser: where its options come from, how a term matches, how an option reads."""

    def __init__(self, model_path, *, search, order, select=(), label=str, narrow=None):
        self.model_path, self.search, self.order = model_path, search, order
        self.select, self.label, self.narrow = select, label, narrow

    @property
    def model(self):
        from django.apps import apps

        return apps.get_model(self.model_path)

    def options(self, user, term, params):
        qs = self.model.objects.visible_to(user).select_related(*self.select)
        centres = _ints(params.getlist("centre"))
        if centres:
            qs = qs.filter(centre__in=centres)
        if self.narrow:
            qs = self.narrow(qs, params)
        term = term.strip()
        if term:
            q = Q()
            for field in self.search:
                q |= Q(**{f"{field}__icontains": term})
            qs = qs.filter(q)
        return list(qs.order_by(*self.order)[:LIMIT])

    def chosen(self, user, pks):
        return list(self.model.objects.visible_to(user).select_related(*self.select).filter(pk__in=pks[:LIMIT])
                    .order_by(*self.order))


def _narrow_person(qs, params):
    if params.get("members"):
        qs = qs.members()
    if params.get("active"):
        qs = qs.filter(is_active=True)
    if params.get("unlinked"):
        qs = qs.filter(user__isnull=True)
    return qs


def _narrow_organization(qs, params):
    if params.get("branches"):
        qs = qs.filter(kind__in=["branch", "general_branch"])
    return qs


def _narrow_unit(qs, params):
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    return qs


def person_label(person):
    unit = person.unit.name if person.unit_id and person.unit else ""
    return f"{person.name}（{unit}）" if unit else person.name


KINDS = {
    "person": Kind("org.Person", search=("name",), order=("name", "pk"), select=("unit",), label=person_label,
                   narrow=_narrow_person),
    "organization": Kind("org.Organization", search=("name",), order=("path",), select=("centre",),
                         label=lambda o: f"{o.name}（{o.centre.name}）", narrow=_narrow_organization),
    "unit": Kind("org.Unit", search=("name", "short_name"), order=("name", "pk"), narrow=_narrow_unit),
    "floor": Kind("org.Floor", search=("name",), order=("centre__name", "number"), select=("centre",),
                  label=lambda f: f"{f.name}（{f.centre.name}）"),
    "project": Kind("posts.KeyProject", search=("name", "district"), order=("name", "pk")),
    "window": Kind("org.Window", search=("number", "name"), order=("number", "pk"), select=("floor",)),
    "post": Kind("posts.VanguardPost", search=("name", "code"), order=("name", "pk")),
    "team": Kind("honours.Team", search=("name",), order=("name", "pk")),
    "brand": Kind("honours.ServiceBrand", search=("name",), order=("name", "pk")),
}


class SearchSelect(forms.Select):
    """A select with only the chosen option, and a search box filling it with matches.

    `params` narrow the endpoint's options the way the form narrows its queryset
    (e.g. {"centre": 3, "members": 1}); set them in the form's __init__."""

    template_name = "core/widgets/search_select.html"

    def __init__(self, kind, params=None, attrs=None):
        super().__init__(attrs)
        self.kind, self.params = kind, dict(params or {})

    def __deepcopy__(self, memo):
        obj = super().__deepcopy__(memo)
        obj.params = dict(self.params)
        return obj

    def search_url(self):
        # A long list of centres (an administrator's) narrows nothing visible_to does not already.
        params = {k: v for k, v in self.params.items()
                  if v not in (None, "", [], False) and not (isinstance(v, list | tuple) and len(v) > 10)}
        query = urlencode(params, doseq=True)
        return reverse("core:choose", args=[self.kind]) + (f"?{query}" if query else "")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["search_url"] = self.search_url()
        context["widget"]["search_id"] = f"{context['widget']['attrs'].get('id') or name}-search"
        return context

    def optgroups(self, name, value, attrs=None):
        """The empty choice and the selected ones only: one query by primary key, not the whole set."""
        chosen = _ints(v for v in value if v not in (None, ""))
        options = [self.create_option(name, "", "---------", not chosen, 0)]
        queryset = getattr(self.choices, "queryset", None)
        if chosen and queryset is not None:
            label = KINDS[self.kind].label
            for index, obj in enumerate(queryset.select_related(*KINDS[self.kind].select)
                                        .filter(pk__in=chosen), start=1):
                options.append(self.create_option(name, obj.pk, label(obj), True, index))
        return [(None, options, 0)]


class SearchSelectMultiple(SearchSelect):
    """The same for several choices: the search sends the chosen ones along
    (hx-include), and the endpoint keeps them, chosen, above the matches."""

    allow_multiple_selected = True
    value_from_datadict = forms.SelectMultiple.value_from_datadict
    value_omitted_from_data = forms.SelectMultiple.value_omitted_from_data

    def search_url(self):
        url = super().search_url()
        return url + ("&" if "?" in url else "?") + "multiple=1"

    def optgroups(self, name, value, attrs=None):
        groups = super().optgroups(name, value, attrs)
        groups[0][1].pop(0)  # no empty choice in a multiple select
        return groups


def search_select(field, chooser, /, **params):
    """Give a ModelChoiceField the search-as-you-type widget, keeping its CSS class,
    when it has more than PLAIN_UP_TO choices. A smaller set stays a plain
    select, filled from the same single query that found it small."""
    objs = list(field.queryset[:PLAIN_UP_TO + 1])
    if len(objs) <= PLAIN_UP_TO:
        empty = [("", field.empty_label)] if field.empty_label is not None else []
        field.widget.choices = empty + [(obj.pk, field.label_from_instance(obj)) for obj in objs]
        return field
    css = field.widget.attrs.get("class", "form-select")
    widget_class = SearchSelectMultiple if isinstance(field, forms.ModelMultipleChoiceField) else SearchSelect
    widget = widget_class(chooser, params, attrs={**field.widget.attrs, "class": css})
    widget.choices = field.choices
    widget.is_required = field.required
    field.widget = widget
    return field


@login_required
@require_safe
def choose(request, kind):
    chooser = KINDS.get(kind)
    if chooser is None:
        raise Http404
    options = chooser.options(request.user, request.GET.get("q", ""), request.GET)
    chosen = []
    if request.GET.get("multiple"):
        # What is already chosen in a multiple select stays chosen (the select came along: hx-include).
        wanted = _ints(v for key, values in request.GET.lists() if key not in RESERVED for v in values)
        if wanted:
            chosen = chooser.chosen(request.user, wanted)
            options = [o for o in options if o.pk not in {c.pk for c in chosen}]
    return render(request, "core/widgets/_options.html", {
        "chosen": [(o.pk, chooser.label(o)) for o in chosen], "multiple": bool(request.GET.get("multiple")),
        "options": [(o.pk, chooser.label(o)) for o in options], "limit": LIMIT, "full": len(options) >= LIMIT,
    })

import datetime

import django_filters
import django_tables2 as tables
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2.views import SingleTableMixin

from . import services, todo
from .changes import describe_entries, model_label, verb_label
from .forms import CalendarOverrideForm, CalendarYearForm
from .models import AuditEntry, CalendarOverride
from .paginators import CappedTableMixin
from .permissions import require_role
from .roles import Role
from .scoping import scope_for
from .workdays import WorkingCalendar


@login_required
def home(request):
    """What to do now, per role: each app's to-do items (core/todo.py) and a few key figures."""
    scope = scope_for(request.user)
    person = getattr(request.user, "person", None)
    return render(request, "core/home.html", {
        "scope": scope, "person": person, "items": todo.todo_items(request.user),
        "figures": todo.key_figures(request.user)})


class AuditTable(tables.Table):
    at = tables.DateTimeColumn(format="Y-m-d H:i:s", orderable=True)
    changes = tables.TemplateColumn(template_name="core/_audit_changes.html", orderable=False)

    class Meta:
        model = AuditEntry
        fields = ["at", "actor_name", "ip_address", "action", "verb", "model", "object_repr", "changes"]
        attrs = {"class": "table table-sm table-striped align-middle"}
        # In time order only (an index answers it, either way); the other columns are found with the filters.
        # Sorting millions of rows by a name took seconds.
        orderable = False

    def before_render(self, request):
        # The page's changes in words: labels, names and local times, one query per related model.
        records = [row.record for row in self.paginated_rows]
        for record, described in zip(records, describe_entries(records), strict=True):
            record.described = described

    def render_model(self, value):
        return model_label(value)

    def render_verb(self, value):
        return verb_label(value)


class AuditFilter(django_filters.FilterSet):
    actor_name = django_filters.CharFilter(label=gettext_lazy("actor"), lookup_expr="icontains")
    object_repr = django_filters.CharFilter(label=gettext_lazy("object"), lookup_expr="icontains")
    # Local days as a range of times (at >= the day's start), not at::date: the index on `at` answers it.
    date_from = django_filters.DateFilter(method="filter_from", label=gettext_lazy("from"))
    date_to = django_filters.DateFilter(method="filter_to", label=gettext_lazy("to"))

    class Meta:
        model = AuditEntry
        fields = ["action", "model"]

    @staticmethod
    def _start(day):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

    def filter_from(self, queryset, name, value):
        return queryset.filter(at__gte=self._start(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(at__lt=self._start(value + datetime.timedelta(days=1)))


class AuditListView(CappedTableMixin, SingleTableMixin, FilterView):
    table_class = AuditTable
    filterset_class = AuditFilter
    template_name = "core/audit_list.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request)
        require_role(request.user, Role.ADMIN, Role.OFFICE, Role.AUDIT_ADMIN)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return AuditEntry.objects.visible_to(self.request.user)


def redirect_to_login(request):
    from django.contrib.auth.views import redirect_to_login as _redirect

    return _redirect(request.get_full_path())


@login_required
def calendar(request):
    require_role(request.user, Role.ADMIN, Role.OFFICE, Role.SYSTEM_ADMIN)
    today = datetime.date.today()
    form = CalendarOverrideForm(request.POST or None, prefix="o")
    year_form = CalendarYearForm(request.POST or None, prefix="y")
    if request.method == "POST":
        if "o-date" in request.POST and form.is_valid():
            services.set_calendar_override(request.user, **form.cleaned_data)
            messages.success(request, _("Calendar entry saved."))
            return redirect("core:calendar")
        if "y-year" in request.POST and year_form.is_valid():
            services.confirm_calendar_year(request.user, year_form.cleaned_data["year"])
            messages.success(request, _("Year marked as entered."))
            return redirect("core:calendar")
    cal = WorkingCalendar()
    years = [{"year": y, "covered": cal.covers(y)} for y in range(today.year - 1, today.year + 3)]
    return render(request, "core/calendar.html", {
        "form": form, "year_form": year_form, "years": years,
        "overrides": CalendarOverride.objects.filter(date__year__gte=today.year - 1),
    })


@login_required
@require_POST
def calendar_delete(request, pk):
    override = get_object_or_404(CalendarOverride, pk=pk)
    services.delete_calendar_override(request.user, override)
    messages.success(request, _("Calendar entry deleted."))
    return redirect("core:calendar")

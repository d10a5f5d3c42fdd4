"""Service activities: the list, a member's own record, a group's, the detail and its evidence."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from vanguard.core.aggregates import subquery_count
from vanguard.core.lookups import visible_or_404
from vanguard.core.params import int_param
from vanguard.core.permissions import require
from vanguard.core.scoping import scope_for
from vanguard.org.models import Person

from .. import services
from ..filters import ActivityFilter
from ..forms import (
    ActivityForm,
    GroupActivityForm,
    OrganizationChoiceForm,
    manageable_organizations,
)
from ..models import (
    Activity,
    ActivityParticipant,
)
from ..permissions import is_manager_anywhere, manages
from ..tables import ActivityTable
from .common import _run
from .meetings import MeetingListView

# Activities -----------------------------------------------------------------------------------------


class ActivityListView(MeetingListView):
    table_class = ActivityTable
    filterset_class = ActivityFilter
    template_name = "life/activity_list.html"

    def get_queryset(self):
        return (Activity.objects.visible_to(self.request.user).select_related("organization", "kind")
                .annotate(people=subquery_count(ActivityParticipant.objects.all(), "activity")))


@login_required
def activity_create(request):
    """A member records their own activity (the secretary approves it)."""
    scope = scope_for(request.user)
    person = (Person.objects.visible_to(request.user).filter(pk=scope.person_id).select_related("centre").first()
              if scope.person_id else None)
    require(person is not None and person.branch_id is not None,
            _("Only a party member registered with a branch records their own activities."))
    form = ActivityForm(request.POST or None, request.FILES or None, kinds=services.activity_kinds(person.centre))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        activity = _run(request, form, services.record_activity, request.user, kind=data["kind"], date=data["date"],
                        hours=data["hours"], description=data["description"], place=data["place"],
                        evidence=data["evidence"])
        if activity is not None:
            messages.success(request, _("The activity is recorded; the secretary will approve it."))
            return redirect("life:home")
    return render(request, "life/form.html", {"form": form, "title": _("Record my activity"),
                                              "cancel_url": reverse("life:home")})


@login_required
def activity_group(request):
    """The secretary records a group activity: one record, many people."""
    require(is_manager_anywhere(request.user))
    organizations = manageable_organizations(request.user)
    org_id = int_param(request, "organization", None, 1) if request.method == "GET" else None
    if request.method == "POST":
        try:
            org_id = int(request.POST.get("organization", ""))
        except ValueError:
            org_id = None
    organization = organizations.filter(pk=org_id).first() if org_id else None
    if organization is None:
        first_two = list(organizations[:2])
        organization = first_two[0] if len(first_two) == 1 else None
    if organization is None:
        choose = OrganizationChoiceForm(request.GET or None, user=request.user)
        return render(request, "life/form.html", {"form": choose, "title": _("Record a group activity"),
                                                  "cancel_url": reverse("life:activities"), "method": "get"})
    form = GroupActivityForm(request.POST or None, request.FILES or None, user=request.user,
                             organization=organization, kinds=services.activity_kinds(organization.centre),
                             initial={"organization": organization.pk})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        activity = _run(request, form, services.record_activity, request.user, kind=data["kind"], date=data["date"],
                        hours=data["hours"], description=data["description"], place=data["place"],
                        evidence=data["evidence"], people=list(data["people"]), organization=data["organization"])
        if activity is not None:
            messages.success(request, _("The group activity is recorded."))
            return redirect("life:activity-detail", activity.pk)
    return render(request, "life/form.html", {"form": form, "title": _("Record a group activity"),
                                              "subtitle": organization.name, "cancel_url": reverse("life:activities")})


@login_required
def activity_detail(request, pk):
    activity = visible_or_404(request, Activity, pk, select=("organization", "kind", "recorded_by", "decided_by"))
    manager = manages(request.user, activity.organization)
    # A member sees their own part in it; the branch's secretary and the office, everyone's.
    people = list(ActivityParticipant.objects.visible_to(request.user).filter(activity=activity)
                  .select_related("person").order_by("person__name")[:500])
    if request.method == "POST":
        require(manager)
        _run(request, None, services.decide_activity, request.user, activity,
             request.POST.get("decision") == "approve", request.POST.get("reason", ""))
        return redirect("life:activity-detail", pk)
    return render(request, "life/activity_detail.html", {"activity": activity, "people": people,
                                                         "manager": manager})


@login_required
def activity_evidence(request, pk):
    activity = visible_or_404(request, Activity, pk)
    if not activity.evidence:
        raise Http404
    return FileResponse(activity.evidence.open("rb"), filename=activity.evidence.name.rsplit("/", 1)[-1])

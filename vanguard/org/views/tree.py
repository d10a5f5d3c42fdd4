"""The party tree: the whole tree on one page, and one organisation with its
committee, guide and members. The office edits the tree; a branch's own
secretary (or the office) edits its committee seats."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vanguard.core.aggregates import subquery_count

from .. import services
from ..forms import CommitteeSeatForm, OrganizationForm
from ..models import CommitteeMember, Organization, Person
from ..permissions import can_edit_organization, can_edit_reference
from .common import form_page, require_centres, run_service, visible_or_404, writable_centres

MEMBER_STATUSES = [Person.Status.FULL, Person.Status.PROBATIONARY]
BRANCH_KINDS = {Organization.Kind.BRANCH, Organization.Kind.GENERAL_BRANCH}


# A tree page renders whole levels while they stay under this many nodes; deeper
# levels open one at a time (htmx). A city's 10,000 organisations made 2.9 MB.
TREE_BUDGET = 150
CHILDREN_CAP = 500
MEMBERS_SHOWN = 200


def _node_rows(queryset):
    """Organisations with what a tree node shows: member and child counts, secretary. Two queries."""
    members = Person.objects.filter(political_status__in=MEMBER_STATUSES, is_active=True)
    return list(
        queryset.select_related("centre", "floor", "guide")
        .annotate(member_count=subquery_count(members, "branch"), child_count=subquery_count(Organization.objects.all(), "parent"))
        .prefetch_related(Prefetch(
            "committee", to_attr="secretaries",
            queryset=CommitteeMember.objects.filter(role=CommitteeMember.Role.SECRETARY).select_related("person")))
    )


def _tree_rows(user):
    """The visible organisations down to the deepest level that keeps the page under TREE_BUDGET nodes."""
    visible = Organization.objects.visible_to(user)
    per_depth = dict(visible.order_by().values_list("depth").annotate(n=Count("pk")))
    depth, total = 0, 0
    for level in sorted(per_depth):
        total += per_depth[level]
        if total > TREE_BUDGET and level > min(per_depth):
            break
        depth = level
    return _node_rows(visible.filter(depth__lte=depth).order_by("centre__name", "path"))


def build_forest(orgs):
    """Nest organisations (ordered by path) under their parents; an
    organisation whose parent is not visible starts a tree of its own."""
    by_id = {o.pk: o for o in orgs}
    roots = []
    for org in orgs:
        org.nodes = []
        org.secretary = org.secretaries[0].person if getattr(org, "secretaries", None) else None
    for org in orgs:
        parent = by_id.get(org.parent_id)
        (parent.nodes if parent is not None else roots).append(org)
    for org in orgs:
        org.nodes.sort(key=lambda o: (o.sort_order, o.name))
    return roots


@login_required
def organization_list(request):
    orgs = _tree_rows(request.user)
    roots = build_forest(orgs)
    centres = {}
    for root in roots:
        centres.setdefault(root.centre, []).append(root)
    creatable = writable_centres(request.user, can_edit_reference)
    return render(request, "org/organization_list.html", {
        "centres": list(centres.items()), "count": len(orgs), "can_create_root": bool(creatable),
    })


@login_required
def organization_children(request, pk):
    """One level of the tree under an organisation, for the tree's "show" button (htmx)."""
    org = visible_or_404(request, Organization, pk)
    children = _node_rows(Organization.objects.visible_to(request.user).filter(parent=org)
                          .order_by("sort_order", "name")[:CHILDREN_CAP])
    build_forest(children)
    return render(request, "org/_tree_children.html", {
        "org": org, "nodes": children, "more": len(children) >= CHILDREN_CAP,
    })


def _committee_context(request, org, form=None):
    seats = list(CommitteeMember.objects.visible_to(request.user).filter(organization=org)
                 .select_related("person", "person__unit"))
    order = {CommitteeMember.Role.SECRETARY: 0, CommitteeMember.Role.DEPUTY: 1, CommitteeMember.Role.MEMBER: 2}
    seats.sort(key=lambda s: (order.get(s.role, 3), s.sort_order, s.pk))
    can_edit = can_edit_organization(request.user, org)
    if can_edit and form is None:
        form = CommitteeSeatForm(user=request.user, organization=org, prefix="seat")
    return {"org": org, "seats": seats, "can_edit_committee": can_edit, "seat_form": form}


@login_required
def organization_detail(request, pk):
    org = visible_or_404(request, Organization, pk, select=("centre", "parent", "floor", "guide", "guide__unit"))
    # A general branch may hold thousands: the page lists the first MEMBERS_SHOWN, the people list the rest.
    members = list(Person.objects.visible_to(request.user).filter(branch=org)
                   .select_related("unit", "window").order_by("-is_active", "name")[:MEMBERS_SHOWN + 1])
    children = (Organization.objects.visible_to(request.user).filter(parent=org)
                .select_related("floor").order_by("sort_order", "name"))
    return render(request, "org/organization_detail.html", {
        **_committee_context(request, org),
        "ancestors": list(org.ancestors().visible_to(request.user)),
        "members": members[:MEMBERS_SHOWN], "more_members": len(members) > MEMBERS_SHOWN,
        "people_url": f"{reverse('org:person-list')}?branch={org.pk}",
        "member_count": Person.objects.filter(branch=org, is_active=True, political_status__in=MEMBER_STATUSES).count(),
        "children": children,
        "can_edit": can_edit_reference(request.user, org.centre_id),
        "can_add_member": org.kind in BRANCH_KINDS and can_edit_organization(request.user, org),
    })


@login_required
def organization_create(request, parent_pk=None):
    parent = None
    if parent_pk is not None:
        parent = visible_or_404(request, Organization, parent_pk, select=("centre",))
        if not can_edit_reference(request.user, parent.centre_id):
            raise PermissionDenied
        centres = [parent.centre]
    else:
        centres = require_centres(writable_centres(request.user, can_edit_reference))
    form = OrganizationForm(request.POST or None, user=request.user, centres=centres,
                            centre=parent.centre if parent else None, with_parent=False,
                            initial={"kind": Organization.Kind.BRANCH if parent else Organization.Kind.LEADING_GROUP})
    if request.method == "POST" and form.is_valid():
        centre = parent.centre if parent else form.chosen_centre()
        org = run_service(form, services.create_organization, request.user, centre, parent=parent, **form.values())
        if org is not None:
            messages.success(request, _("Organisation “%(name)s” created.") % {"name": org.name})
            return redirect("org:organization-detail", org.pk)
    title = _("New organisation under %(parent)s") % {"parent": parent.name} if parent else _("New party organisation")
    cancel = reverse("org:organization-detail", args=[parent.pk]) if parent else reverse("org:organization-list")
    return form_page(request, form, title=title, cancel_url=cancel, crumbs=_crumbs(parent))


@login_required
def organization_edit(request, pk):
    org = visible_or_404(request, Organization, pk, select=("centre", "parent", "floor", "guide"))
    if not can_edit_reference(request.user, org.centre_id):
        raise PermissionDenied
    form = OrganizationForm(request.POST or None, instance=org, user=request.user, centre=org.centre)
    if request.method == "POST" and form.is_valid() and run_service(form, services.update_organization, request.user, org, **form.changes()) is not None:
        messages.success(request, _("Organisation “%(name)s” saved.") % {"name": org.name})
        return redirect("org:organization-detail", org.pk)
    return form_page(request, form, title=_("Edit %(name)s") % {"name": org.name},
                     cancel_url=reverse("org:organization-detail", args=[org.pk]), crumbs=_crumbs(org))


def _crumbs(org):
    crumbs = [(_("Party tree"), reverse("org:organization-list"))]
    if org is not None:
        crumbs.append((org.name, reverse("org:organization-detail", args=[org.pk])))
    return crumbs


def _committee_response(request, org, form=None, status=200):
    """htmx gets the committee card alone; a plain form post goes back to the page."""
    if request.htmx:
        return render(request, "org/_committee.html", _committee_context(request, org, form), status=status)
    if form is not None and form.errors:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("org:organization-detail", org.pk)


@login_required
@require_POST
def committee_add(request, pk):
    org = visible_or_404(request, Organization, pk, select=("centre",))
    if not can_edit_organization(request.user, org):
        raise PermissionDenied
    form = CommitteeSeatForm(request.POST, user=request.user, organization=org, prefix="seat")
    if form.is_valid():
        data = form.cleaned_data
        seat = run_service(form, services.set_committee_member, request.user, org, data["person"],
                           role=data["role"], duty=data["duty"], sort_order=data["sort_order"] or 0)
        if seat is not None:
            messages.success(request, _("%(name)s is now %(role)s.") % {"name": seat.person.name,
                                                                       "role": seat.get_role_display()})
            return _committee_response(request, org)
    return _committee_response(request, org, form)


@login_required
@require_POST
def committee_remove(request, pk):
    seat = visible_or_404(request, CommitteeMember, pk, select=("organization", "person"))
    org = seat.organization
    if not can_edit_organization(request.user, org):
        raise PermissionDenied
    services.remove_committee_member(request.user, seat)
    messages.success(request, _("%(name)s left the committee.") % {"name": seat.person.name})
    return _committee_response(request, org)


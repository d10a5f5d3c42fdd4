"""Key projects, the project post map and the office's library of post standards."""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from vanguard.core.params import page_param

from . import services
from .forms import ProjectForm, StandardForm
from .models import KeyProject, PostStandard, VanguardPost
from .permissions import can_manage_posts
from .tables import ProjectTable
from .views import apply_errors, choose_centre

LIVE = [VanguardPost.Status.DISCLOSED, VanguardPost.Status.NAMED]


def _projects(user):
    return KeyProject.objects.visible_to(user).annotate(
        post_count=Count("posts", filter=Q(posts__status__in=LIVE)))


@login_required
def project_list(request):
    projects = _projects(request.user).order_by("district", "name")
    table = ProjectTable(projects)
    table.paginate(page=page_param(request), per_page=50)
    return render(request, "posts/project_list.html", {
        "table": table, "can_manage": _manages_any(request.user)})


def _manages_any(user):
    from .permissions import manageable_centres

    return manageable_centres(user).exists()


def _project_form(request, project=None):
    centre = project.centre if project else choose_centre(request)
    if project is not None and not can_manage_posts(request.user, project.centre_id):
        raise PermissionDenied(_("Only the party-building office may manage vanguard posts."))
    form = ProjectForm(request.POST or None, instance=project, centre=centre)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        units = data.pop("units")
        try:
            if project is None:
                project = services.create_project(request.user, centre, units=units, **data)
            else:
                services.update_project(request.user, project, units=units, **data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Key project saved."))
            return redirect("posts:project-list")
    posts = project.posts.all() if project else []
    return render(request, "posts/project_form.html", {"form": form, "project": project, "posts": posts},
                  status=400 if form.errors else 200)


@login_required
def project_create(request):
    return _project_form(request)


@login_required
def project_edit(request, pk):
    return _project_form(request, get_object_or_404(KeyProject.objects.visible_to(request.user), pk=pk))


def map_figures(projects):
    """Posts by district and by category, for the charts."""
    by_district, by_category = Counter(), Counter()
    labels = dict(KeyProject.Category.choices)
    for project in projects:
        by_district[project.district] += project.post_count
        by_category[str(labels[project.category])] += project.post_count
    districts = sorted(by_district)
    stacked = {str(label): [0] * len(districts) for label in labels.values()}
    for project in projects:
        stacked[str(labels[project.category])][districts.index(project.district)] += project.post_count
    return {
        "districts": districts,
        "series": [{"name": name, "data": data} for name, data in stacked.items()],
        "categories": [{"name": name, "value": value} for name, value in by_category.items()],
    }


@login_required
def project_map(request):
    projects = list(_projects(request.user).prefetch_related("units").order_by("district", "name"))
    return render(request, "posts/project_map.html", {
        "projects": projects,
        "figures": map_figures(projects),
        "total_posts": sum(p.post_count for p in projects),
    })


@login_required
def project_geojson(request):
    """Coordinates of projects and their live posts, for the user's own GIS."""
    projects = _projects(request.user).filter(latitude__isnull=False, longitude__isnull=False).prefetch_related(
        "units")
    posts_by_project = {}
    for post in VanguardPost.objects.visible_to(request.user).filter(project__in=projects, status__in=LIVE):
        posts_by_project.setdefault(post.project_id, []).append({"name": post.name, "code": post.code,
                                                                 "status": post.status, "url": post.public_url})
    features = [{
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [float(p.longitude), float(p.latitude)]},
        "properties": {"name": p.name, "category": p.category, "category_display": p.get_category_display(),
                       "district": p.district, "address": p.address, "units": [u.name for u in p.units.all()],
                       "posts": posts_by_project.get(p.pk, [])},
    } for p in projects]
    response = JsonResponse({"type": "FeatureCollection", "features": features},
                            json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/geo+json"
    response["Content-Disposition"] = 'attachment; filename="project-posts.geojson"'
    return response


# The standards library -------------------------------------------------------------------

@login_required
def standard_list(request):
    standards = PostStandard.objects.visible_to(request.user).annotate(post_count=Count("posts"))
    return render(request, "posts/standard_list.html", {"standards": standards, "can_manage": _manages_any(request.user)})


def _standard_form(request, standard=None):
    centre = standard.centre if standard else choose_centre(request)
    if standard is not None and not can_manage_posts(request.user, standard.centre_id):
        raise PermissionDenied(_("Only the party-building office may manage vanguard posts."))
    form = StandardForm(request.POST or None, instance=standard)
    if request.method == "POST" and form.is_valid():
        try:
            if standard is None:
                services.create_standard(request.user, centre, **form.cleaned_data)
            else:
                services.update_standard(request.user, standard, **form.cleaned_data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Post standard saved."))
            return redirect("posts:standard-list")
    return render(request, "posts/standard_form.html", {"form": form, "standard": standard},
                  status=400 if form.errors else 200)


@login_required
def standard_create(request):
    return _standard_form(request)


@login_required
def standard_edit(request, pk):
    return _standard_form(request, get_object_or_404(PostStandard.objects.visible_to(request.user), pk=pk))

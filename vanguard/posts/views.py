"""Staff pages of posts: list, detail with history, forms, lifecycle actions,
certificate and batch signboards. Thin: parse, call services, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2.views import SingleTableMixin

from vanguard.core.changes import describe
from vanguard.core.paginators import CappedTableMixin

from . import documents, services
from .filters import PostFilter
from .forms import BatchForm, DiscloseForm, NameForm, PostForm, RevokeForm
from .models import PostEvent, VanguardPost
from .permissions import can_manage_posts, manageable_centres
from .selectors import HOLDERS
from .tables import PostTable
from .views_public import pdf_response

# History detail keys that are not fields of the post.
HISTORY_LABELS = {"holders": gettext_lazy("holders"), "organization": gettext_lazy("naming organisation"),
                  "evaluation": gettext_lazy("evaluation")}


def apply_errors(form, exc):
    """A service's ValidationError onto the form, field by field."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def choose_centre(request):
    """The centre a new object goes into: the one the office manages (an
    administrator picks with ?centre=<code>)."""
    centres = manageable_centres(request.user)
    code = request.GET.get("centre") or request.POST.get("centre")
    centre = centres.filter(code=code).first() if code else centres.order_by("pk").first()
    if centre is None:
        raise PermissionDenied(_("Only the party-building office may manage vanguard posts."))
    return centre


def visible_post(request, pk):
    qs = VanguardPost.objects.visible_to(request.user).select_related(
        "centre", "window", "window__floor", "unit", "department", "project", "standard", "named_by", "revoked_by")
    return get_object_or_404(qs.prefetch_related(HOLDERS), pk=pk)


@method_decorator(login_required, name="dispatch")
class PostListView(CappedTableMixin, SingleTableMixin, FilterView):
    table_class = PostTable
    filterset_class = PostFilter

    def get_queryset(self):
        return (VanguardPost.objects.visible_to(self.request.user)
                .select_related("window", "unit", "department", "project").prefetch_related(HOLDERS))

    def get_template_names(self):
        if self.request.htmx:
            return ["posts/_post_table.html"]
        return ["posts/post_list.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage"] = manageable_centres(self.request.user).exists()
        context["batch_form"] = BatchForm(user=self.request.user)
        return context


def _detail_context(request, post, **forms):
    can_manage = can_manage_posts(request.user, post.centre_id)
    history = list(PostEvent.objects.filter(post=post).select_related("actor"))
    # Details in words (labels, names, local times), one query per referenced model.
    for event, described in zip(history, describe([("posts.vanguardpost", e.details, False) for e in history],
                                                  labels=HISTORY_LABELS), strict=True):
        event.described = described
    context = {
        "post": post,
        "history": history,
        "can_manage": can_manage,
        "naming_authority": services.naming_authority_of(post),
        "disclose_form": forms.get("disclose_form") or DiscloseForm(),
        "name_form": forms.get("name_form") or NameForm(post=post),
        "revoke_form": forms.get("revoke_form") or RevokeForm(),
    }
    return context


@login_required
def post_detail(request, pk):
    post = visible_post(request, pk)
    return render(request, "posts/post_detail.html", _detail_context(request, post))


@login_required
def post_create(request):
    centre = choose_centre(request)
    form = PostForm(request.POST or None, request.FILES or None, user=request.user, centre=centre)
    if request.method == "POST" and form.is_valid():
        try:
            post = services.create_post(request.user, centre, **form.service_kwargs())
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Post “%(name)s” created as a draft.") % {"name": post.name})
            return redirect("posts:post-detail", pk=post.pk)
    return render(request, "posts/post_form.html", {"form": form, "centre": centre}, status=400 if form.errors else 200)


@login_required
def post_edit(request, pk):
    post = visible_post(request, pk)
    if not can_manage_posts(request.user, post.centre_id):
        raise PermissionDenied(_("Only the party-building office may manage vanguard posts."))
    form = PostForm(request.POST or None, request.FILES or None, instance=post, user=request.user, centre=post.centre)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_post(request.user, post, **form.service_kwargs())
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("Post saved."))
            return redirect("posts:post-detail", pk=post.pk)
    return render(request, "posts/post_form.html", {"form": form, "post": post, "centre": post.centre},
                  status=400 if form.errors else 200)


def _action(request, pk, form_class, form_key, call, done):
    post = visible_post(request, pk)
    if not can_manage_posts(request.user, post.centre_id):
        raise PermissionDenied(_("Only the party-building office may manage vanguard posts."))
    kwargs = {"post": post} if form_class is NameForm else {}
    form = form_class(request.POST, **kwargs)
    if form.is_valid():
        try:
            call(post, form.cleaned_data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, done)
            return redirect("posts:post-detail", pk=post.pk)
    post = visible_post(request, pk)
    return render(request, "posts/post_detail.html", _detail_context(request, post, **{form_key: form}), status=400)


@login_required
@require_POST
def post_disclose(request, pk):
    return _action(request, pk, DiscloseForm, "disclose_form",
                   lambda post, d: services.disclose_post(request.user, post, reason=d["reason"]),
                   _("The post is disclosed; its signboard is public."))


@login_required
@require_POST
def post_name(request, pk):
    return _action(request, pk, NameForm, "name_form",
                   lambda post, d: services.name_post(request.user, post, **{**d, "evaluation": d["evaluation"] or None}),
                   _("The post is named."))


@login_required
@require_POST
def post_revoke(request, pk):
    return _action(request, pk, RevokeForm, "revoke_form",
                   lambda post, d: services.revoke_post(request.user, post, **d), _("The post is revoked."))


@login_required
def post_certificate(request, pk):
    post = visible_post(request, pk)
    if post.status != VanguardPost.Status.NAMED:
        raise Http404
    return pdf_response(documents.certificate_pdf(post), f"certificate-{post.code}.pdf",
                        f"{post.name}命名证书.pdf")


@login_required
def batch_signboards(request):
    """All public posts of a floor or a unit, one sign per page."""
    form = BatchForm(request.GET, user=request.user)
    if not form.is_valid() or not (form.cleaned_data["floor"] or form.cleaned_data["unit"]):
        raise Http404
    posts = (VanguardPost.objects.visible_to(request.user).public()
             .select_related("centre", "window", "window__floor", "unit", "department", "project", "standard")
             .prefetch_related(HOLDERS).order_by("window__number", "name"))
    floor, unit = form.cleaned_data["floor"], form.cleaned_data["unit"]
    label = ""
    if floor:
        posts = posts.filter(floor=floor)
        label = floor.name
    if unit:
        posts = posts.filter(Q(unit=unit) | Q(window__unit=unit))
        label = unit.name
    posts = list(posts.distinct())
    if not posts:
        raise Http404
    layout = form.cleaned_data["layout"] or "a4"
    key = f"floor{floor.pk}" if floor else f"unit{unit.pk}"
    return pdf_response(documents.signboards_pdf(posts, layout), f"signboards-{key}-{layout}.pdf",
                        f"{label}先锋岗公示牌.pdf")


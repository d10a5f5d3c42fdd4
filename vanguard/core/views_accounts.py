"""Pages for accounts and grants (administrators and the office)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from vanguard.org.models import Organization, Person, Unit

from . import accounts
from .choosers import search_select
from .models import Grant, User
from .permissions import require_role
from .roles import Role


class AccountForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("username"), max_length=150,
                               widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}))
    person = forms.ModelChoiceField(label=gettext_lazy("person"), queryset=Person.objects.none(), required=False,
                                    widget=forms.Select(attrs={"class": "form-select"}))
    password1 = forms.CharField(label=gettext_lazy("password"), strip=False,
                                widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password"}))
    password2 = forms.CharField(label=gettext_lazy("password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.visible_to(user).filter(user__isnull=True)
        search_select(self.fields["person"], "person", unlinked=1)

    def clean(self):
        data = super().clean()
        if data.get("password1") != data.get("password2"):
            raise ValidationError({"password2": _("The two passwords differ.")})
        return data


class GrantForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("role"), choices=Role.choices,
                             widget=forms.Select(attrs={"class": "form-select"}))
    organization = forms.ModelChoiceField(label=gettext_lazy("party organisation"), required=False,
                                          queryset=Organization.objects.none(),
                                          widget=forms.Select(attrs={"class": "form-select"}))
    unit = forms.ModelChoiceField(label=gettext_lazy("unit"), required=False, queryset=Unit.objects.none(),
                                  widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The security administrator grants over any centre's organisations and units.
        everywhere = accounts.is_security_admin(user)
        self.fields["organization"].queryset = (Organization.objects.all() if everywhere
                                                else Organization.objects.visible_to(user))
        self.fields["unit"].queryset = Unit.objects.all() if everywhere else Unit.objects.visible_to(user)
        if not everywhere:
            # The chooser's endpoint offers what visible_to lets through; the security administrator's
            # wider choice stays a plain select.
            search_select(self.fields["organization"], "organization")
            search_select(self.fields["unit"], "unit")


class PasswordForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("new password"), strip=False,
                               widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password"}))


def _apply(form, call):
    """Run a service; its ValidationError lands on the form instead of a 500."""
    try:
        return call()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errs in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            form.add_error(None, error)
        return None


@login_required
def account_list(request):
    require_role(request.user, Role.ADMIN, Role.OFFICE, Role.SECURITY_ADMIN)
    users = User.objects.visible_to(request.user).select_related("person").prefetch_related(
        "grants__organization", "grants__unit").order_by("username")
    query = request.GET.get("q", "").strip()
    if query:
        users = users.filter(Q(username__icontains=query) | Q(person__name__icontains=query))
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "core/accounts/list.html", {"page": page, "query": query})


@login_required
def account_create(request):
    require_role(request.user, Role.ADMIN, Role.OFFICE, Role.SECURITY_ADMIN)
    form = AccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = _apply(form, lambda: accounts.create_account(
            request.user, username=form.cleaned_data["username"], password=form.cleaned_data["password1"],
            person=form.cleaned_data["person"]))
        if user:
            messages.success(request, _("Account %(name)s created.") % {"name": user.username})
            return redirect("core:account-detail", user.pk)
    return render(request, "core/accounts/form.html", {"form": form})


@login_required
def account_detail(request, pk):
    require_role(request.user, Role.ADMIN, Role.OFFICE, Role.SECURITY_ADMIN)
    account = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    grant_form = GrantForm(request.POST or None, user=request.user, prefix="g")
    password_form = PasswordForm(request.POST or None, prefix="p")
    if request.method == "POST":
        if "g-role" in request.POST and grant_form.is_valid():
            data = grant_form.cleaned_data
            if _apply(grant_form, lambda: accounts.grant_role(
                    request.user, account, data["role"], organization=data["organization"], unit=data["unit"])):
                messages.success(request, _("Role granted."))
                return redirect("core:account-detail", account.pk)
        elif "p-password" in request.POST and password_form.is_valid() and _apply(
                password_form, lambda: accounts.set_password(request.user, account,
                                                             password_form.cleaned_data["password"])):
            messages.success(request, _("Password changed."))
            return redirect("core:account-detail", account.pk)
    grants = account.grants.select_related("organization", "unit")
    return render(request, "core/accounts/detail.html", {
        "account": account, "grants": grants, "grant_form": grant_form, "password_form": password_form,
        "can_manage": accounts.can_manage_user(request.user, account),
    })


@login_required
@require_POST
def grant_revoke(request, pk):
    require_role(request.user, Role.ADMIN, Role.OFFICE, Role.SECURITY_ADMIN)
    visible = User.objects.visible_to(request.user)
    grant = get_object_or_404(Grant.objects.filter(user__in=visible), pk=pk)
    accounts.revoke_grant(request.user, grant)
    messages.success(request, _("Role revoked."))
    return redirect("core:account-detail", grant.user_id)


@login_required
@require_POST
def account_active(request, pk):
    require_role(request.user, Role.ADMIN, Role.OFFICE, Role.SECURITY_ADMIN)
    account = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    accounts.set_active(request.user, account, request.POST.get("active") == "1")
    return redirect("core:account-detail", account.pk)

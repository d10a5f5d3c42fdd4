"""Vanguard posts, their standards library, key projects and the lifecycle history.

A post's four pledges are plain fields (not rows): there are always exactly
these four kinds and the signboard prints them in this order."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vanguard.core.scoping import CentreScopedQuerySet
from vanguard.core.uploads import RandomName
from vanguard.org.models import Floor, Organization, Person, ServiceCentre, Unit, Window

# A signboard line holds about this many characters at the printed size.
PLEDGE_MAX_LENGTH = 50
# Crockford-style base32 without 0/1/I/L/O/U: unambiguous when read off a printed sign.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 7


def new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class CentreQuerySet(CentreScopedQuerySet):
    """Anyone with a grant or a person record in the centre reads its posts,
    projects and standards; writing is for the office (see permissions.py)."""


class PostKind(models.TextChoices):
    PERSON = "person", _("Member's post")
    TEAM = "team", _("Team post")
    WINDOW = "window", _("Window post")
    SERVICE = "service", _("Service post")


class PostStandard(models.Model):
    """One entry of the office's library of post standards, per industry and post kind."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="post_standards",
                               verbose_name=_("service centre"))
    industry = models.CharField(_("industry"), max_length=50)
    post_kind = models.CharField(_("post kind"), max_length=10, choices=PostKind.choices)
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("standard"), help_text=_("One requirement per line."))
    is_active = models.BooleanField(_("in use"), default=True)

    objects = CentreQuerySet.as_manager()

    class Meta:
        verbose_name = _("post standard")
        verbose_name_plural = _("post standards")
        ordering = ["industry", "post_kind", "title"]
        constraints = [models.UniqueConstraint(fields=["centre", "industry", "post_kind", "title"],
                                               name="post_standard_unique")]

    def __str__(self):
        return f"{self.industry} · {self.title}"

    @property
    def lines(self):
        return [line.strip() for line in self.text.splitlines() if line.strip()]


class KeyProject(models.Model):
    class Category(models.TextChoices):
        KEY = "key", _("Key project")
        PUBLIC_BENEFIT = "public_benefit", _("Public-benefit project")
        ROAD_BRIDGE = "road_bridge", _("Road and bridge project")

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="key_projects",
                               verbose_name=_("service centre"))
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.KEY)
    district = models.CharField(_("district"), max_length=50)
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    units = models.ManyToManyField(Unit, blank=True, related_name="key_projects", verbose_name=_("units involved"))
    description = models.TextField(_("description"), blank=True)

    objects = CentreQuerySet.as_manager()

    class Meta:
        verbose_name = _("key project")
        verbose_name_plural = _("key projects")
        ordering = ["district", "name"]
        constraints = [models.UniqueConstraint(fields=["centre", "name"], name="key_project_name_unique")]

    def __str__(self):
        return self.name


class PostQuerySet(CentreQuerySet):
    def public(self):
        return self.filter(status__in=[VanguardPost.Status.DISCLOSED, VanguardPost.Status.NAMED])


class VanguardPost(models.Model):
    Kind = PostKind

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        DISCLOSED = "disclosed", _("Disclosed")
        NAMED = "named", _("Named")
        REVOKED = "revoked", _("Revoked")

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="posts",
                               verbose_name=_("service centre"))
    code = models.CharField(_("public code"), max_length=12, unique=True, default=new_code, editable=False)
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=PostKind.choices, default=PostKind.WINDOW)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT,
                              editable=False)
    holders = models.ManyToManyField(Person, through="PostHolder", related_name="vanguard_posts",
                                     verbose_name=_("holders"))
    # Where the post is: at least one of these.
    window = models.ForeignKey(Window, null=True, blank=True, on_delete=models.PROTECT, related_name="posts",
                               verbose_name=_("window"))
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="posts",
                             verbose_name=_("unit"))
    department = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="department_posts", verbose_name=_("department"),
                                   limit_choices_to={"kind": Unit.Kind.DEPARTMENT})
    project = models.ForeignKey(KeyProject, null=True, blank=True, on_delete=models.PROTECT, related_name="posts",
                                verbose_name=_("key project"))
    floor = models.ForeignKey(Floor, null=True, blank=True, on_delete=models.PROTECT, related_name="posts",
                              verbose_name=_("floor"), help_text=_("Taken from the window when there is one."))
    service_scope = models.TextField(_("service scope"), max_length=500)
    complaint_phone = models.CharField(_("complaint phone"), max_length=30)
    standard = models.ForeignKey(PostStandard, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="posts", verbose_name=_("post standard"))
    pledge_work = models.CharField(_("pledge on work standard"), max_length=200)
    pledge_time = models.CharField(_("pledge on time limit"), max_length=200)
    pledge_quality = models.CharField(_("pledge on service quality"), max_length=200)
    pledge_attitude = models.CharField(_("pledge on service attitude"), max_length=200)
    photo = models.ImageField(_("photo"), upload_to=RandomName("public/posts"), blank=True)
    # Lifecycle facts; the full story is in PostEvent.
    disclosed_on = models.DateField(_("disclosed on"), null=True, blank=True, editable=False)
    # The party committee that names the post (the unit's 党组/党委 or the centre's); when empty,
    # the centre's root organisation.
    naming_authority = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_posts",
        verbose_name=_("naming authority"),
        help_text=_("The party committee that owns the post and names it; the centre's when left empty."))
    named_by = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="named_posts", verbose_name=_("named by"), editable=False)
    named_on = models.DateField(_("named on"), null=True, blank=True, editable=False)
    certificate_number = models.CharField(_("certificate number"), max_length=40, blank=True, editable=False)
    naming_evaluation = models.CharField(_("evaluation behind the naming"), max_length=60, blank=True,
                                         editable=False)
    # Set when the office named the post without a passed evaluation: its written reason.
    naming_override_reason = models.TextField(_("reason for naming without a passed evaluation"), blank=True,
                                              editable=False)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True, editable=False)
    revoked_reason = models.TextField(_("reason for revocation"), blank=True, editable=False)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("revoked by"), editable=False)
    revoking_evaluation = models.CharField(_("evaluation behind the revocation"), max_length=60, blank=True,
                                           editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("vanguard post")
        verbose_name_plural = _("vanguard posts")
        ordering = ["centre", "name", "pk"]
        indexes = [models.Index(fields=["centre", "status"])]

    def __str__(self):
        return self.name

    PLEDGE_FIELDS = ("pledge_work", "pledge_time", "pledge_quality", "pledge_attitude")

    @property
    def pledges(self):
        """[(label, text)] in signboard order, skipping none (all four are required)."""
        return [(self._meta.get_field(f).verbose_name, getattr(self, f)) for f in self.PLEDGE_FIELDS]

    @property
    def is_public(self):
        return self.status in (self.Status.DISCLOSED, self.Status.NAMED)

    @property
    def public_path(self):
        return f"/p/{self.code}/"

    @property
    def public_url(self):
        return settings.PUBLIC_BASE_URL + self.public_path

    @property
    def location(self):
        parts = []
        if self.window_id:
            parts.append(str(self.window))
        for attr in ("unit", "department", "project"):
            if getattr(self, f"{attr}_id"):
                parts.append(str(getattr(self, attr)))
        return " · ".join(parts)

    @property
    def scope_lines(self):
        return [line.strip() for line in self.service_scope.splitlines() if line.strip()]


class HolderQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(post__in=VanguardPost.objects.visible_to(user))


class PostHolder(models.Model):
    post = models.ForeignKey(VanguardPost, on_delete=models.CASCADE, related_name="post_holders",
                             verbose_name=_("vanguard post"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="post_holdings",
                               verbose_name=_("person"))
    position = models.CharField(_("position"), max_length=50, blank=True,
                                help_text=_("Shown on the signboard; the person's job when empty."))
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = HolderQuerySet.as_manager()

    class Meta:
        verbose_name = _("post holder")
        verbose_name_plural = _("post holders")
        ordering = ["post", "sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["post", "person"], name="post_holder_unique")]

    def __str__(self):
        return f"{self.post} · {self.person}"

    @property
    def shown_position(self):
        return self.position or self.person.job


class EventQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(post__in=VanguardPost.objects.visible_to(user))


class PostEvent(models.Model):
    """One step of a post's history: who did what, when and why."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Edited")
        DISCLOSE = "disclose", _("Disclosed")
        NAME = "name", _("Named")
        REVOKE = "revoke", _("Revoked")
        # A signboard pledge found broken (recorded by vanguard.pledges.services.record_post_pledge_breach).
        PLEDGE_BROKEN = "breach", _("Pledge broken")
        # Accountability (问责制): upheld complaints against the post reached the centre's number in a quarter.
        WARN = "warn", _("Warned")

    post = models.ForeignKey(VanguardPost, on_delete=models.CASCADE, related_name="events",
                             verbose_name=_("vanguard post"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    status_after = models.CharField(_("status after"), max_length=10, choices=VanguardPost.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("actor"))
    actor_name = models.CharField(_("actor"), max_length=150)
    at = models.DateTimeField(_("time"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("post history entry")
        verbose_name_plural = _("post history")
        ordering = ["post", "at", "pk"]

    def __str__(self):
        return f"{self.post} {self.get_action_display()}"

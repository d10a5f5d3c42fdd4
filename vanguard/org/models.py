from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanguard.core.roles import Role
from vanguard.core.scoping import CentreScopedQuerySet, ScopedQuerySet
from vanguard.core.uploads import RandomName

from .phones import mask_mobile, normalise_mobile


# Reference data (centres, floors, windows, units, the party tree): anyone with a
# grant or a person record in a centre may read that centre's data.
class ServiceCentreQuerySet(CentreScopedQuerySet):
    centre_lookup = "pk"


class ServiceCentre(models.Model):
    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=30, unique=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("public phone"), max_length=30, blank=True)
    complaint_phone = models.CharField(_("complaint phone"), max_length=30, blank=True)
    # Letterhead of written notices and certificates.
    office_name = models.CharField(_("party-building office name"), max_length=100, blank=True)
    rectification_days = models.PositiveSmallIntegerField(_("working days to rectify a bad review"), default=5)

    objects = ServiceCentreQuerySet.as_manager()

    class Meta:
        verbose_name = _("service centre")
        verbose_name_plural = _("service centres")

    def __str__(self):
        return self.name


class Floor(models.Model):
    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="floors",
                               verbose_name=_("service centre"))
    number = models.SmallIntegerField(_("floor number"))
    name = models.CharField(_("name"), max_length=50)
    description = models.CharField(_("description"), max_length=200, blank=True)

    objects = CentreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("floor")
        verbose_name_plural = _("floors")
        ordering = ["centre", "number"]
        constraints = [models.UniqueConstraint(fields=["centre", "number"], name="floor_number_unique")]

    def __str__(self):
        return self.name


class Unit(models.Model):
    class Kind(models.TextChoices):
        HOME = "home", _("Home unit")
        DEPARTMENT = "department", _("Business department")
        OTHER = "other", _("Other unit")

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="units",
                               verbose_name=_("service centre"))
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.HOME)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    objects = CentreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["centre", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["centre", "name"], name="unit_name_unique")]

    def __str__(self):
        return self.name


class Organization(models.Model):
    """A node of the party tree. `path` is the materialised path of ids
    ("/1/4/9/"), so a subtree is one `path__startswith` filter at any size."""

    class Kind(models.TextChoices):
        LEADING_GROUP = "leading_group", _("Leading party group")
        COMMITTEE = "committee", _("Party committee")
        GENERAL_BRANCH = "general_branch", _("General party branch")
        BRANCH = "branch", _("Party branch")
        GROUP = "group", _("Party group")

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="organizations",
                               verbose_name=_("service centre"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("parent organisation"))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    path = models.CharField(_("path"), max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    floor = models.OneToOneField(Floor, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="branch", verbose_name=_("floor"))
    guide = models.ForeignKey("Person", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="guided_branches", verbose_name=_("party-building guide"))
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    objects = CentreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ["path"]

    def __str__(self):
        return self.name

    @property
    def is_branch(self):
        return self.kind == self.Kind.BRANCH

    def clean(self):
        if self.floor_id and self.kind not in (self.Kind.BRANCH, self.Kind.GENERAL_BRANCH):
            raise ValidationError({"floor": _("Only a branch can be linked to a floor.")})
        if self.parent_id and self.pk and self.parent.path.startswith(self.path):
            raise ValidationError({"parent": _("An organisation cannot be placed under itself.")})

    def subtree(self):
        return Organization.objects.filter(path__startswith=self.path)

    def ancestors(self):
        ids = [int(i) for i in self.path.strip("/").split("/") if i]
        return Organization.objects.filter(pk__in=ids[:-1]).order_by("depth")


class CommitteeQuerySet(CentreScopedQuerySet):
    centre_lookup = "organization__centre"


class CommitteeMember(models.Model):
    """A seat on a branch committee, shown on the floor's public branch board."""

    class Role(models.TextChoices):
        SECRETARY = "secretary", _("Secretary")
        DEPUTY = "deputy", _("Deputy secretary")
        MEMBER = "member", _("Committee member")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="committee",
                                     verbose_name=_("party organisation"))
    person = models.ForeignKey("Person", on_delete=models.CASCADE, related_name="committee_seats",
                               verbose_name=_("person"))
    role = models.CharField(_("committee role"), max_length=10, choices=Role.choices)
    duty = models.CharField(_("duty"), max_length=50, blank=True,
                            help_text=_("e.g. organisation, propaganda, discipline"))
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = CommitteeQuerySet.as_manager()

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["organization", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "person"], name="committee_person_unique"),
            models.UniqueConstraint(fields=["organization"], condition=Q(role="secretary"),
                                    name="committee_one_secretary"),
        ]

    def __str__(self):
        return f"{self.organization} {self.get_role_display()} {self.person}"


class Window(models.Model):
    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="windows",
                               verbose_name=_("service centre"))
    floor = models.ForeignKey(Floor, on_delete=models.PROTECT, related_name="windows", verbose_name=_("floor"))
    number = models.CharField(_("window number"), max_length=20)
    name = models.CharField(_("name"), max_length=100, blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="windows", verbose_name=_("home unit"))
    department = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="supervised_windows", verbose_name=_("supervising department"),
                                   limit_choices_to={"kind": Unit.Kind.DEPARTMENT})
    service_items = models.TextField(_("service items"), blank=True, help_text=_("One item per line."))

    objects = CentreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("window")
        verbose_name_plural = _("windows")
        ordering = ["centre", "floor__number", "number"]
        constraints = [models.UniqueConstraint(fields=["centre", "number"], name="window_number_unique")]

    def __str__(self):
        return f"{self.number} {self.name}".strip()

    @property
    def service_item_list(self):
        return [line.strip() for line in self.service_items.splitlines() if line.strip()]


class PersonQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        q = Q(pk=scope.person_id) if scope.person_id else Q(pk__in=[])
        # The office sees its whole centre; a secretary, the members registered in the branch subtree.
        office_centres = scope.centres(Role.OFFICE)
        if office_centres:
            q |= Q(centre__in=office_centres)
        # (The office's own subtrees lie in its centres: no second condition for them. Every
        # condition here is on a column of org_person, so PostgreSQL ORs index scans instead
        # of joining and scanning all 300,000 rows.)
        q |= scope.org_q("branch", Role.SECRETARY)
        # Unit roles see the unit's own staff; a scorer also the staff of the windows it supervises.
        q |= scope.unit_q("unit", Role.LIAISON, Role.HANDLER, Role.SCORER)
        departments = scope.units(Role.SCORER)
        if departments:
            q |= Q(window__in=list(Window.objects.filter(department__in=departments).values_list("pk", flat=True)))
        return self.filter(q)

    def members(self):
        return self.filter(political_status__in=[Person.Status.FULL, Person.Status.PROBATIONARY])


class Person(models.Model):
    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class Status(models.TextChoices):
        FULL = "full", _("Full party member")
        PROBATIONARY = "probationary", _("Probationary party member")
        PUBLIC = "public", _("The public")

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="people",
                               verbose_name=_("service centre"))
    name = models.CharField(_("name"), max_length=50, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    mobile = models.CharField(_("mobile phone"), max_length=11, blank=True, db_index=True)
    political_status = models.CharField(_("political status"), max_length=12, choices=Status.choices,
                                        default=Status.PUBLIC)
    joined_party_on = models.DateField(_("date joined the party"), null=True, blank=True)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="people",
                             verbose_name=_("home unit"))
    branch = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="members", verbose_name=_("party branch"))
    transferred_in = models.BooleanField(_("registration transferred in"), default=False)
    window = models.ForeignKey(Window, null=True, blank=True, on_delete=models.SET_NULL, related_name="staff",
                               verbose_name=_("window"))
    job = models.CharField(_("job"), max_length=50, blank=True)
    photo = models.ImageField(_("photo"), upload_to=RandomName("public/people"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="person", verbose_name=_("login account"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["centre", "political_status"]),
            models.Index(fields=["branch", "political_status"]),
            # The people list's sorts (tables.PersonTable), read forwards or backwards; name, unit, branch
            # and window use their own index, the rows of one value sorted by name as they come.
            models.Index(fields=["political_status", "name", "id"], name="person_sort_status"),
            models.Index(fields=["job", "name", "id"], name="person_sort_job"),
            models.Index(fields=["is_active", "name", "id"], name="person_sort_active"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["centre", "mobile"], condition=~Q(mobile=""),
                                    name="person_mobile_unique"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_party_member(self):
        return self.political_status in (self.Status.FULL, self.Status.PROBATIONARY)

    @property
    def masked_mobile(self):
        return mask_mobile(self.mobile)

    def clean(self):
        errors = {}
        if self.mobile:
            try:
                self.mobile = normalise_mobile(self.mobile)
            except ValidationError as e:
                errors["mobile"] = e.messages
        if not self.is_party_member:
            if self.joined_party_on:
                errors["joined_party_on"] = _("Only a party member has a date joined the party.")
            if self.branch_id:
                errors["branch"] = _("Only a party member's registration is held by a branch.")
        if self.branch_id and self.branch.kind not in (Organization.Kind.BRANCH, Organization.Kind.GENERAL_BRANCH):
            errors["branch"] = _("Membership is registered with a branch.")
        if errors:
            raise ValidationError(errors)

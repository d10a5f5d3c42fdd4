"""Honours (荣誉): one selection workflow for every honour (评选: nominate, review,
score or vote, 公示, award), the honours it awards (the entries of the honour boards
and the vanguard roll), red-flag branches' four standards, rotating medals (流动奖牌)
with their full history, service brands, teams, and the links between exemplar
stories and the people or teams they honour.

Votes are anonymous as in surveys: a VoteCode only knows whether it was used; a
Ballot (random UUID key) knows its selection, its nomination and the day."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanguard.core.roles import Role
from vanguard.core.scoping import CentreScopedQuerySet
from vanguard.core.uploads import RandomName
from vanguard.org.models import Floor, Organization, Person, ServiceCentre, Unit, Window
from vanguard.posts.models import VanguardPost
from vanguard.surveys.models import new_code


class CandidateKind(models.TextChoices):
    PERSON = "person", _("Person")
    BRANCH = "branch", _("Party branch")
    WINDOW = "window", _("Window")
    POST = "post", _("Vanguard post")
    UNIT = "unit", _("Unit")
    TEAM = "team", _("Team")
    BRAND = "brand", _("Service brand")


# The candidate's foreign key on a nomination and an honour, per kind.
CANDIDATE_FIELDS = {k.value: k.value for k in CandidateKind}


class HonourKind(models.TextChoices):
    RED_FLAG = "red_flag", _("Red-flag branch")
    PARTY_WORKER = "party_worker", _("Outstanding party worker")
    MEMBER = "member", _("Outstanding party member")
    MODEL_WINDOW = "model_window", _("Model window")
    SERVICE_BRAND = "service_brand", _("Service brand")
    SERVICE_MODEL = "service_model", _("Service model")
    OTHER = "other", _("Other honour")


# The vanguard roll (先锋榜): these three kinds of a year.
ROLL_KINDS = (HonourKind.RED_FLAG, HonourKind.PARTY_WORKER, HonourKind.MEMBER)
# Which candidates each honour takes (OTHER: any).
HONOUR_CANDIDATES = {
    HonourKind.RED_FLAG: {CandidateKind.BRANCH},
    HonourKind.PARTY_WORKER: {CandidateKind.PERSON},
    HonourKind.MEMBER: {CandidateKind.PERSON},
    HonourKind.MODEL_WINDOW: {CandidateKind.WINDOW},
    HonourKind.SERVICE_BRAND: {CandidateKind.BRAND},
    HonourKind.SERVICE_MODEL: {CandidateKind.PERSON, CandidateKind.TEAM},
}
# The four standards of a red-flag branch (Miyun): strong mechanism, well-staffed
# committee, stable team, vanguard role shown.
STANDARDS = (
    ("mechanism", _("Strong mechanism")),
    ("committee", _("Well-staffed committee")),
    ("team", _("Stable team")),
    ("role", _("Vanguard role shown")),
)


class OfficeQuerySet(CentreScopedQuerySet):
    """The office sees its centres' rows; secretaries and unit roles see their
    centre's selections (they nominate); members and the public see only what is
    public (through the public selectors)."""

    def scoped(self, scope, user):
        centres = set(scope.centres(Role.OFFICE, Role.SECRETARY, Role.LIAISON, Role.HANDLER, Role.SCORER))
        return self.filter(**{f"{self.centre_lookup}__in": centres})


class CentreQuerySet(CentreScopedQuerySet):
    """Readable by everyone working in the centre (honours are public anyway)."""


class Team(models.Model):
    """A team honoured as one (抗疫先锋 teams, service-model teams)."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="honour_teams",
                               verbose_name=_("service centre"))
    name = models.CharField(_("name"), max_length=100)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("unit"))
    floor = models.ForeignKey(Floor, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("floor"))
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(Person, blank=True, related_name="honour_teams", verbose_name=_("team members"))

    objects = CentreQuerySet.as_manager()

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["centre", "name"], name="honour_team_name_unique")]

    def __str__(self):
        return self.name


class ServiceBrand(models.Model):
    """A named service practice of a unit (服务品牌), with its description and photos."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="service_brands",
                               verbose_name=_("service centre"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="service_brands", verbose_name=_("unit"))
    name = models.CharField(_("brand name"), max_length=60)
    description = models.TextField(_("description"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CentreQuerySet.as_manager()

    class Meta:
        verbose_name = _("service brand")
        verbose_name_plural = _("service brands")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["centre", "name"], name="service_brand_name_unique")]

    def __str__(self):
        return self.name


class BrandPhotoQuerySet(CentreScopedQuerySet):
    centre_lookup = "brand__centre"


class BrandPhoto(models.Model):
    brand = models.ForeignKey(ServiceBrand, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=RandomName("public/brands"))
    caption = models.CharField(_("caption"), max_length=100, blank=True)

    objects = BrandPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("brand photo")
        verbose_name_plural = _("brand photos")
        ordering = ["brand", "pk"]

    def __str__(self):
        return self.caption or self.image.name


class Selection(models.Model):
    class Status(models.TextChoices):
        NOMINATING = "nominating", _("Nominating")
        REVIEW = "review", _("Under review")
        NOTICE = "notice", _("In public notice")
        AWARDED = "awarded", _("Awarded")

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="selections",
                               verbose_name=_("service centre"))
    title = models.CharField(_("title"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    half = models.PositiveSmallIntegerField(_("half-year"), default=0,
                                            choices=[(0, _("Whole year")), (1, _("First half")), (2, _("Second half"))])
    honour = models.CharField(_("honour"), max_length=16, choices=HonourKind.choices)
    candidate_kind = models.CharField(_("candidate kind"), max_length=8, choices=CandidateKind.choices)
    quota = models.PositiveIntegerField(_("places"))
    max_nominations = models.PositiveIntegerField(_("most nominations"))
    criteria = models.TextField(_("criteria"), blank=True)
    nominate_until = models.DateField(_("nominations close on"))
    notice_days = models.PositiveSmallIntegerField(_("working days of public notice"), default=5)
    panel_scoring = models.BooleanField(_("panel scoring"), default=False)
    public_vote = models.BooleanField(_("vote with codes"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NOMINATING,
                              editable=False)
    notice_starts = models.DateField(_("public notice starts"), null=True, blank=True, editable=False)
    notice_ends = models.DateField(_("public notice ends"), null=True, blank=True, editable=False)
    awarded_on = models.DateField(_("awarded on"), null=True, blank=True, editable=False)
    public_code = models.CharField(_("public code"), max_length=12, unique=True, default=new_code, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = OfficeQuerySet.as_manager()

    class Meta:
        verbose_name = _("selection")
        verbose_name_plural = _("selections")
        ordering = ["-year", "-pk"]
        indexes = [models.Index(fields=["centre", "year"])]
        constraints = [
            models.CheckConstraint(condition=Q(quota__gte=1), name="selection_quota_positive"),
            models.CheckConstraint(condition=Q(max_nominations__gte=models.F("quota")),
                                   name="selection_nominations_cover_quota"),
            models.CheckConstraint(condition=Q(notice_days__gte=1, notice_days__lte=30),
                                   name="selection_notice_days_range"),
            models.CheckConstraint(condition=Q(half__in=[0, 1, 2]), name="selection_half_valid"),
            models.CheckConstraint(condition=Q(status__in=["nominating", "review"]) | Q(
                notice_starts__isnull=False, notice_ends__isnull=False), name="selection_notice_dated"),
        ]

    def __str__(self):
        return self.title

    @property
    def public_path(self):
        return f"/h/n/{self.public_code}/"


class NominationQuerySet(OfficeQuerySet):
    centre_lookup = "selection__centre"


class Nomination(models.Model):
    class State(models.TextChoices):
        NOMINATED = "nominated", _("Nominated")
        APPROVED = "approved", _("Passed review")
        REJECTED = "rejected", _("Not passed")
        AWARDED = "awarded", _("Awarded")

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="nominations")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("person"))
    branch = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("party branch"))
    window = models.ForeignKey(Window, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("window"))
    post = models.ForeignKey(VanguardPost, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("vanguard post"))
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("unit"))
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("team"))
    brand = models.ForeignKey(ServiceBrand, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("service brand"))
    name = models.CharField(_("candidate"), max_length=120)
    floor = models.ForeignKey(Floor, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("floor"))
    nominated_by = models.CharField(_("nominated by"), max_length=100)
    reasons = models.TextField(_("reasons for nomination"))
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    standards = models.JSONField(_("standards"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.NOMINATED)
    review_note = models.CharField(_("review note"), max_length=300, blank=True)
    panel_score = models.DecimalField(_("panel score"), max_digits=5, decimal_places=2, null=True, blank=True)
    votes = models.PositiveIntegerField(_("votes"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = NominationQuerySet.as_manager()

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["selection", "pk"]
        indexes = [models.Index(fields=["selection", "state"])]
        constraints = [
            # Exactly one candidate.
            models.CheckConstraint(
                condition=(Q(person__isnull=False, branch=None, window=None, post=None, unit=None, team=None,
                             brand=None)
                           | Q(person=None, branch__isnull=False, window=None, post=None, unit=None, team=None,
                               brand=None)
                           | Q(person=None, branch=None, window__isnull=False, post=None, unit=None, team=None,
                               brand=None)
                           | Q(person=None, branch=None, window=None, post__isnull=False, unit=None, team=None,
                               brand=None)
                           | Q(person=None, branch=None, window=None, post=None, unit__isnull=False, team=None,
                               brand=None)
                           | Q(person=None, branch=None, window=None, post=None, unit=None, team__isnull=False,
                               brand=None)
                           | Q(person=None, branch=None, window=None, post=None, unit=None, team=None,
                               brand__isnull=False)),
                name="nomination_one_candidate"),
            *[models.UniqueConstraint(fields=["selection", f], condition=Q(**{f"{f}__isnull": False}),
                                      name=f"nomination_{f}_once") for f in CANDIDATE_FIELDS],
        ]

    def __str__(self):
        return self.name

    @property
    def candidate(self):
        return getattr(self, self.selection.candidate_kind)

    @property
    def in_play(self):
        return self.state != self.State.REJECTED


class PanelScoreQuerySet(OfficeQuerySet):
    centre_lookup = "nomination__selection__centre"


class PanelScore(models.Model):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="panel_scores")
    scorer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    scored_at = models.DateTimeField(_("scored at"), auto_now=True)

    objects = PanelScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("panel score")
        verbose_name_plural = _("panel scores")
        constraints = [
            models.UniqueConstraint(fields=["nomination", "scorer"], name="panel_score_once"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="panel_score_range"),
        ]

    def __str__(self):
        return f"{self.nomination} · {self.score}"


class ChildQuerySet(OfficeQuerySet):
    centre_lookup = "selection__centre"


class VoteCode(models.Model):
    """A one-time vote code (the surveys' code alphabet). `used` is its only trace."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="vote_codes")
    code = models.CharField(_("vote code"), max_length=12, unique=True, default=new_code)
    valid_until = models.DateTimeField(_("valid until"))
    used = models.BooleanField(_("used"), default=False)

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("vote code")
        verbose_name_plural = _("vote codes")
        ordering = ["selection", "pk"]

    def __str__(self):
        return self.code


class Ballot(models.Model):
    """One choice on one anonymous ballot: no code, no time of day, no order."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="ballots")
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="ballots")
    voted_on = models.DateField(_("voted on"))

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        indexes = [models.Index(fields=["nomination"])]

    def __str__(self):
        return str(self.nomination_id)


class Objection(models.Model):
    """An objection (异议) to a selection in public notice; handed to cases as a complaint."""

    class State(models.TextChoices):
        OPEN = "open", _("Awaiting answer")
        UPHELD = "upheld", _("Found true")
        DISMISSED = "dismissed", _("Dismissed")

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="objections")
    nomination = models.ForeignKey(Nomination, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="objections", verbose_name=_("about"))
    content = models.TextField(_("content"))
    contact_name = models.CharField(_("contact name"), max_length=50, blank=True)
    contact_mobile = models.CharField(_("contact mobile"), max_length=11, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    case_id = models.PositiveBigIntegerField(_("case"), null=True, blank=True)
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("public-notice objection")
        verbose_name_plural = _("objections")
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=~Q(content=""), name="objection_has_content")]

    def __str__(self):
        return self.content[:30]


class HonourQuerySet(CentreScopedQuerySet):
    """Honours are public (boards, the roll); staff of the centre read them all."""

    def roll(self, year):
        return self.filter(year=year, kind__in=ROLL_KINDS)


class Honour(models.Model):
    """One awarded honour: an entry of the honour boards and, for the roll kinds, of the
    vanguard roll. Made by an award (from a selection) and never changed after."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="honours",
                               verbose_name=_("service centre"))
    selection = models.ForeignKey(Selection, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="honours")
    nomination = models.OneToOneField(Nomination, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="honour")
    kind = models.CharField(_("honour"), max_length=16, choices=HonourKind.choices)
    title = models.CharField(_("title"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    candidate_kind = models.CharField(_("candidate kind"), max_length=8, choices=CandidateKind.choices)
    name = models.CharField(_("honoured"), max_length=120)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="honours")
    branch = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="honours")
    window = models.ForeignKey(Window, null=True, blank=True, on_delete=models.PROTECT, related_name="honours")
    post = models.ForeignKey(VanguardPost, null=True, blank=True, on_delete=models.PROTECT, related_name="honours")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="honours")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="honours")
    brand = models.ForeignKey(ServiceBrand, null=True, blank=True, on_delete=models.PROTECT, related_name="honours")
    floor = models.ForeignKey(Floor, null=True, blank=True, on_delete=models.SET_NULL, related_name="honours",
                              verbose_name=_("floor"))
    certificate_number = models.CharField(_("certificate number"), max_length=40, unique=True)
    awarded_on = models.DateField(_("awarded on"))

    objects = HonourQuerySet.as_manager()

    class Meta:
        verbose_name = _("honour")
        verbose_name_plural = _("honours")
        ordering = ["-year", "kind", "pk"]
        indexes = [models.Index(fields=["centre", "year", "kind"]), models.Index(fields=["floor", "year"])]

    def __str__(self):
        return f"{self.year} {self.get_kind_display()} · {self.name}"


class MedalScheme(models.Model):
    """A set of rotating medals (流动奖牌), e.g. ten 优质服务流动奖牌 between windows."""

    class HolderKind(models.TextChoices):
        WINDOW = "window", _("Window")
        BRANCH = "branch", _("Party branch")

    class Cadence(models.TextChoices):
        MONTH = "month", _("Monthly")
        QUARTER = "quarter", _("Quarterly")

    class Rule(models.TextChoices):
        SATISFACTION = "satisfaction", _("Best satisfaction rate")
        DECISION = "decision", _("By decision")

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="medal_schemes",
                               verbose_name=_("service centre"))
    name = models.CharField(_("name"), max_length=60)
    count = models.PositiveSmallIntegerField(_("number of medals"), default=10)
    holder_kind = models.CharField(_("held by"), max_length=8, choices=HolderKind.choices,
                                   default=HolderKind.WINDOW)
    cadence = models.CharField(_("moves"), max_length=8, choices=Cadence.choices, default=Cadence.MONTH)
    rule = models.CharField(_("rule"), max_length=12, choices=Rule.choices, default=Rule.SATISFACTION)
    min_ratings = models.PositiveIntegerField(_("minimum ratings"), default=30)
    active = models.BooleanField(_("active"), default=True)
    last_period = models.DateField(_("last period moved"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CentreQuerySet.as_manager()

    class Meta:
        verbose_name = _("rotating medals")
        verbose_name_plural = _("rotating medals")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "name"], name="medal_scheme_name_unique"),
            models.CheckConstraint(condition=Q(count__gte=1, count__lte=200), name="medal_scheme_count_range"),
        ]

    def __str__(self):
        return self.name


class MedalQuerySet(CentreScopedQuerySet):
    centre_lookup = "scheme__centre"


class Medal(models.Model):
    scheme = models.ForeignKey(MedalScheme, on_delete=models.CASCADE, related_name="medals")
    number = models.PositiveSmallIntegerField(_("number"))

    objects = MedalQuerySet.as_manager()

    class Meta:
        verbose_name = _("medal")
        verbose_name_plural = _("medals")
        ordering = ["scheme", "number"]
        constraints = [models.UniqueConstraint(fields=["scheme", "number"], name="medal_number_unique")]

    def __str__(self):
        return _("%(name)s No. %(number)s") % {"name": self.scheme.name, "number": self.number}


class Holding(models.Model):
    """Who held a medal, from when to when, and why (the medal's history)."""

    class How(models.TextChoices):
        RULE = "rule", _("By the rule")
        DECISION = "decision", _("By decision")

    scheme = models.ForeignKey(MedalScheme, on_delete=models.CASCADE, related_name="holdings")
    medal = models.ForeignKey(Medal, on_delete=models.CASCADE, related_name="holdings")
    window = models.ForeignKey(Window, null=True, blank=True, on_delete=models.PROTECT, related_name="medal_holdings")
    branch = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="medal_holdings")
    floor = models.ForeignKey(Floor, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    period = models.DateField(_("for the period starting"))
    started_on = models.DateField(_("held from"))
    ended_on = models.DateField(_("held until"), null=True, blank=True)
    how = models.CharField(_("how"), max_length=10, choices=How.choices)
    reason = models.CharField(_("reason for holding"), max_length=300)
    rate = models.DecimalField(_("satisfaction rate"), max_digits=5, decimal_places=2, null=True, blank=True)
    ratings = models.PositiveIntegerField(_("ratings"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = MedalQuerySet.as_manager()

    class Meta:
        verbose_name = _("medal holding")
        verbose_name_plural = _("medal history")
        ordering = ["-started_on", "medal__number"]
        indexes = [models.Index(fields=["window", "ended_on"]), models.Index(fields=["branch", "ended_on"]),
                   models.Index(fields=["floor", "ended_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(window__isnull=False, branch=None) | Q(window=None,
                                                                                     branch__isnull=False),
                                   name="holding_one_holder"),
            models.UniqueConstraint(fields=["medal"], condition=Q(ended_on=None), name="holding_one_current"),
            models.UniqueConstraint(fields=["scheme", "window"], condition=Q(ended_on=None, window__isnull=False),
                                    name="holding_window_one_medal"),
            models.UniqueConstraint(fields=["scheme", "branch"], condition=Q(ended_on=None, branch__isnull=False),
                                    name="holding_branch_one_medal"),
            models.UniqueConstraint(fields=["medal", "period"], name="holding_medal_period_once"),
        ]

    def __str__(self):
        return f"{self.medal} · {self.holder_name}"

    @property
    def holder(self):
        return self.window if self.window_id else self.branch

    @property
    def holder_name(self):
        holder = self.holder
        if self.window_id:
            return f"{holder.number} {holder.name}".strip()
        return holder.name


class StoryLinkQuerySet(CentreScopedQuerySet):
    centre_lookup = "lesson__centre"


class StoryLink(models.Model):
    """An exemplar story (a lesson of a story column) and the person or team it honours."""

    lesson = models.ForeignKey("messaging.Lesson", on_delete=models.CASCADE, related_name="honoured",
                               verbose_name=_("story"))
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="story_links")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="story_links")

    objects = StoryLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("exemplar story")
        verbose_name_plural = _("exemplar stories")
        ordering = ["lesson", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(person__isnull=False, team=None) | Q(person=None, team__isnull=False),
                                   name="story_link_one_subject"),
            models.UniqueConstraint(fields=["lesson", "person"], condition=Q(person__isnull=False),
                                    name="story_link_person_once"),
            models.UniqueConstraint(fields=["lesson", "team"], condition=Q(team__isnull=False),
                                    name="story_link_team_once"),
        ]

    def __str__(self):
        return f"{self.lesson_id} · {self.team or self.person}"

    @property
    def is_team(self):
        return self.team_id is not None

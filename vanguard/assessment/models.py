"""The monthly dual-hundred assessment: versioned schemes and their indicators,
monthly periods with their workflow, scores, adjustments (incl. vetoes),
published results (versioned), appeals and reminders to late scorers."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanguard.core.roles import Role
from vanguard.core.scoping import CentreScopedQuerySet, ScopedQuerySet
from vanguard.org.models import Organization, Person, ServiceCentre, Unit

POINTS = {"max_digits": 6, "decimal_places": 1}


class Part(models.TextChoices):
    PARTY = "party", _("Party-building part")
    WORK = "work", _("Work part")


class SchemeQuerySet(CentreScopedQuerySet):
    pass


class Scheme(models.Model):
    """One version of the rules. Once a period uses it, it is frozen: a change
    is a new version valid from a given month."""

    class Formula(models.TextChoices):
        SUM = "sum", _("Party + work + adjustments")
        WEIGHTED = "weighted", _("Weighted parts + adjustments")

    class QuotaKind(models.TextChoices):
        COUNT = "count", _("At most N members per branch")
        PERCENT = "percent", _("At most N per cent of the branch's members")

    class TieBreak(models.TextChoices):
        PARTY = "party", _("Higher party-building part first, then higher work part")
        WORK = "work", _("Higher work part first, then higher party-building part")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="assessment_schemes",
                               verbose_name=_("service centre"))
    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveIntegerField(_("version"), default=1)
    valid_from = models.DateField(_("valid from month"), help_text=_("The first month this version applies to."))
    formula = models.CharField(_("total formula"), max_length=10, choices=Formula.choices, default=Formula.SUM)
    party_weight = models.DecimalField(_("weight of the party-building part"), max_digits=4, decimal_places=2,
                                       default=Decimal("1.00"))
    work_weight = models.DecimalField(_("weight of the work part"), max_digits=4, decimal_places=2,
                                      default=Decimal("1.00"))
    threshold = models.DecimalField(_("star threshold"), **POINTS, default=Decimal("180.0"))
    quota_kind = models.CharField(_("quota kind"), max_length=10, choices=QuotaKind.choices,
                                  default=QuotaKind.PERCENT)
    quota_value = models.PositiveSmallIntegerField(_("quota"), default=20)
    tie_break = models.CharField(_("tie-break"), max_length=10, choices=TieBreak.choices, default=TieBreak.PARTY)
    veto_rules = models.TextField(_("vetoes"), blank=True, help_text=_(
        "What rules a member out of the stars whatever the points, one per line (e.g. a verified complaint)."))
    publicity_days = models.PositiveSmallIntegerField(_("publicity days"), default=5, help_text=_(
        "Working days the published results are open to appeal."))
    note_required_loss = models.DecimalField(
        _("note required from a loss of"), **POINTS, null=True, blank=True,
        help_text=_("A cell that loses at least this many points needs a note; empty: a note is optional."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["centre", "-valid_from", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "version"], name="scheme_version_unique"),
            models.UniqueConstraint(fields=["centre", "valid_from"], name="scheme_valid_from_unique"),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"

    @property
    def in_use(self):
        return self.periods.exists()

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    def needs_note(self, indicator, points):
        """Whether a cell with these points must carry a note under this scheme."""
        if self.note_required_loss is None or indicator.method == Indicator.Method.ADD:
            return False
        return indicator.maximum - points >= self.note_required_loss

    def quota_text(self):
        if self.quota_kind == self.QuotaKind.COUNT:
            return _("at most %(n)s per branch") % {"n": self.quota_value}
        return _("at most %(n)s%% of each branch") % {"n": self.quota_value}


class Indicator(models.Model):
    class Method(models.TextChoices):
        DEDUCT = "deduct", _("Deduct from the maximum")
        ADD = "add", _("Add up to the maximum")
        YESNO = "yesno", _("Yes or no")

    class ScorerKind(models.TextChoices):
        BRANCH = "branch", _("The member's branch")
        DEPARTMENT = "department", _("The supervising business department")

    class Aspect(models.TextChoices):
        """The five aspects of a star member (GLOSSARY) an indicator serves."""

        NONE = "", _("—")
        PARTY_SPIRIT = "party_spirit", _("Party spirit")
        SERVING = "serving", _("Serving the people")
        SKILL = "skill", _("Professional skill")
        RESPONSIBILITY = "responsibility", _("Responsibility")
        DISCIPLINE = "discipline", _("Discipline")

    class AutoSource(models.TextChoices):
        NONE = "", _("Entered by hand")
        MEETINGS = "meetings", _("Meeting attendance")
        ACTIVITIES = "activities", _("Activity records")
        RATINGS = "ratings", _("Service ratings")
        CIRCULARS = "circulars", _("Circulated documents signed")
        STUDY = "study", _("Study reads (booklets)")

    class Formula(models.TextChoices):
        """How a rule turns the records' figure into points (see auto.py)."""

        NONE = "", _("No rule (entered by hand)")
        DEDUCT_PER = "deduct_per", _("Full marks minus points per occurrence")
        ADD_PER = "add_per", _("Points per occurrence, up to full marks")
        RATE_MIN = "rate_min", _("Full marks from a rate; points lost per percentage point below")

    class Measure(models.TextChoices):
        """Which figure of the source a rule counts."""

        NONE = "", _("—")
        ABSENT = "absent", _("Unexcused absences")
        MISSED = "missed", _("Absences and leaves not made up")
        ATTENDANCE = "attendance", _("Attendance rate (%)")
        TIMES = "times", _("Person-times")
        HOURS = "hours", _("Hours")
        BAD = "bad", _("Bad reviews")
        SATISFACTION = "satisfaction", _("Satisfaction rate (%)")
        UNSIGNED = "unsigned", _("Documents not signed")
        SIGNED_RATE = "signed_rate", _("Documents signed (%)")
        READS = "reads", _("Chapters and booklets read")

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="indicators",
                               verbose_name=_("assessment scheme"))
    part = models.CharField(_("part"), max_length=10, choices=Part.choices)
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    maximum = models.DecimalField(_("maximum"), **POINTS, validators=[MinValueValidator(Decimal("0.5"))])
    method = models.CharField(_("method"), max_length=10, choices=Method.choices, default=Method.DEDUCT)
    scorer_kind = models.CharField(_("scored by"), max_length=12, choices=ScorerKind.choices)
    auto_source = models.CharField(_("automatic source"), max_length=12, choices=AutoSource.choices, blank=True,
                                   default="")
    aspect = models.CharField(_("star aspect"), max_length=15, choices=Aspect.choices, blank=True, default="")
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    # The rule of an automatic indicator: the records' figure (`auto_measure` of `auto_source`,
    # of meetings or activities of `auto_kind` when given) becomes points by `auto_formula`
    # with `auto_step` points per unit (and `auto_threshold` per cent for a rate). No formula:
    # the source is only a label and the scorer enters the points.
    auto_kind = models.CharField(_("kind of record"), max_length=30, blank=True, default="",
                                 help_text=_("Meetings or activities of this kind only; empty: all kinds."))
    auto_measure = models.CharField(_("figure counted"), max_length=12, choices=Measure.choices, blank=True,
                                    default="")
    auto_formula = models.CharField(_("rule"), max_length=10, choices=Formula.choices, blank=True, default="")
    auto_step = models.DecimalField(_("points per unit"), **POINTS, null=True, blank=True)
    auto_threshold = models.DecimalField(_("full marks from (%)"), max_digits=4, decimal_places=1, null=True,
                                         blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["scheme", "part", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="indicator_code_unique"),
            # A rule is whole or absent: a formula needs a source, a figure and points per unit.
            models.CheckConstraint(
                condition=(Q(auto_formula="", auto_measure="", auto_step__isnull=True, auto_threshold__isnull=True)
                           | (~Q(auto_formula="") & ~Q(auto_source="") & ~Q(auto_measure="")
                              & Q(auto_step__isnull=False, auto_step__gte=0))),
                name="indicator_rule_whole"),
            # A threshold belongs to a rate rule, and only there, between 0 and 100 per cent.
            models.CheckConstraint(
                condition=(Q(auto_formula="rate_min", auto_threshold__gte=0, auto_threshold__lte=100)
                           | (~Q(auto_formula="rate_min") & Q(auto_threshold__isnull=True))),
                name="indicator_rule_threshold"),
            models.CheckConstraint(condition=Q(auto_kind="") | ~Q(auto_source=""), name="indicator_kind_has_source"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def default_points(self):
        """What an untouched cell means: full marks when points are deducted, none otherwise."""
        return self.maximum if self.method == self.Method.DEDUCT else Decimal("0")

    @property
    def is_computed(self):
        """Its points come from the records by the scheme's rule."""
        return bool(self.auto_formula)

    @property
    def rule_text(self):
        from .auto import rule_text

        return rule_text(self)


class PeriodQuerySet(CentreScopedQuerySet):
    pass


class Period(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SCORING = "scoring", _("Scoring")
        REVIEW = "review", _("Review")
        PUBLICITY = "publicity", _("Publicity")
        FINAL = "final", _("Final")

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="assessment_periods",
                               verbose_name=_("service centre"))
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="periods",
                               verbose_name=_("assessment scheme"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    scoring_due = models.DateField(_("scoring due"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    publicity_ends = models.DateField(_("publicity ends"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The automatic indicators' last computation: when, and the sources' fingerprints then
    # (auto.ensure_computed recomputes when a fingerprint has moved since).
    auto_computed_at = models.DateTimeField(_("computed from the records at"), null=True, blank=True)
    auto_inputs = models.JSONField(_("records' fingerprints"), null=True, blank=True)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment month")
        verbose_name_plural = _("assessment months")
        ordering = ["centre", "-month"]
        constraints = [models.UniqueConstraint(fields=["centre", "month"], name="period_month_unique")]

    def __str__(self):
        return self.label

    @property
    def label(self):
        return f"{self.month:%Y-%m}"

    @property
    def accepts_scores(self):
        return self.status in (self.Status.OPEN, self.Status.SCORING)

    @property
    def is_published(self):
        return self.status in (self.Status.PUBLICITY, self.Status.FINAL)

    def appeal_open(self, today=None):
        today = today or datetime.date.today()
        return self.status == self.Status.PUBLICITY and self.publicity_ends is not None and today <= self.publicity_ends


def _person_q(scope, prefix, *, published_prefix=None):
    """Rows about a person the user may read: the office's centre, a secretary's
    branch, a scorer's supervised windows, a liaison's seconded staff, oneself."""
    q = Q(**{f"{prefix}centre__in": scope.centres(Role.OFFICE)})
    q |= scope.org_q(f"{prefix}branch", Role.OFFICE, Role.SECRETARY)
    q |= scope.unit_q(f"{prefix}window__department", Role.SCORER)
    readers = scope.unit_q(f"{prefix}unit", Role.LIAISON)
    if scope.person_id:
        readers |= Q(**{f"{prefix}pk": scope.person_id})
    if published_prefix is not None:
        # Liaisons and members read a month only once it is published.
        readers &= Q(**{f"{published_prefix}status__in": [Period.Status.PUBLICITY, Period.Status.FINAL]})
    return q | readers


class ScoreQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        return self.filter(_person_q(scope, "person__", published_prefix="period__"))


class Score(models.Model):
    """Points one person earned on one indicator in one month."""

    # The unique (period, person, indicator) index serves lookups by period; indicator and
    # scorer need no index of their own (a scheme or an account is deleted rarely, if ever).
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="scores", verbose_name=_("month"),
                               db_index=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assessment_scores",
                               verbose_name=_("person"))
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="scores",
                                  verbose_name=_("indicator"), db_index=False)
    points = models.DecimalField(_("points"), **POINTS)
    note = models.CharField(_("note"), max_length=200, blank=True)
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("scored by"), db_index=False)
    scored_at = models.DateTimeField(_("scored at"), auto_now=True)
    # Cells of an indicator with a rule: `computed` while the points are the rule's; the source's
    # figures stay in `source_value` and the rule's points in `computed_points`, so the figure
    # can be followed to its records. A scorer's override keeps both and says why. Database
    # defaults, since the bulk upserts name their columns.
    computed = models.BooleanField(_("computed from the records"), default=False, db_default=False)
    computed_points = models.DecimalField(_("points by the rule"), **POINTS, null=True, blank=True)
    source_value = models.JSONField(_("figures from the records"), null=True, blank=True)
    override_reason = models.CharField(_("why overridden"), max_length=200, blank=True, default="", db_default="")

    objects = ScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        # On PostgreSQL the index behind score_unique also carries the points (INCLUDE, migration
        # 0004): publication sums a month person by person from the index alone. Not declared
        # here, since Django would then drop the constraint on SQLite.
        constraints = [
            models.UniqueConstraint(fields=["period", "person", "indicator"], name="score_unique"),
            # A computed cell holds the rule's points and no override.
            models.CheckConstraint(condition=Q(computed=False) | (
                Q(computed_points__isnull=False, override_reason="") & Q(points=models.F("computed_points"))),
                name="score_computed_is_the_rule"),
            # An override is of a computed cell, and is no longer computed.
            models.CheckConstraint(condition=Q(override_reason="") | Q(computed=False, computed_points__isnull=False),
                                   name="score_override_of_computed"),
        ]
        # The overrides of computed cells, few: publication subtracts the rule's points they replace.
        indexes = [models.Index(fields=["period", "person", "indicator"], condition=~Q(override_reason=""),
                                name="score_overrides")]

    def __str__(self):
        return f"{self.period} {self.person_id} {self.indicator_id} {self.points}"


class AdjustmentQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        return self.filter(_person_q(scope, "person__", published_prefix="period__"))


def evidence_path(instance, filename):
    return f"private/assessment/evidence/{instance.period_id}/{filename}"


class Adjustment(models.Model):
    """Bonus or penalty points, or a veto (一票否决), with reason, source and
    evidence; counts only once approved."""

    class Kind(models.TextChoices):
        BONUS = "bonus", _("Bonus")
        PENALTY = "penalty", _("Penalty")
        VETO = "veto", _("Veto")

    class Source(models.TextChoices):
        INSPECTION = "inspection", _("Discipline inspection")
        COMPLAINT = "complaint", _("Verified complaint")
        DISCIPLINE = "discipline", _("Discipline breach")
        COMMENDATION = "commendation", _("Commendation")
        OTHER = "other", _("Other")

    class Aspect(models.TextChoices):
        NONE = "", _("—")
        IDENTITY = "identity", _("Showing identity")
        EXAMPLE = "example", _("Setting an example")
        SERVICE = "service", _("Serving well")
        DISCIPLINE = "discipline", _("Keeping discipline")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="adjustments", verbose_name=_("month"))
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assessment_adjustments",
                               verbose_name=_("person"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    points = models.DecimalField(_("points"), **POINTS, default=Decimal("0"),
                                 validators=[MinValueValidator(Decimal("0"))])
    reason = models.CharField(_("reason"), max_length=300)
    source = models.CharField(_("source"), max_length=15, choices=Source.choices, default=Source.INSPECTION)
    aspect = models.CharField(_("inspection aspect"), max_length=12, choices=Aspect.choices, blank=True, default="")
    evidence = models.FileField(_("evidence"), upload_to=evidence_path, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("entered by"))
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = AdjustmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")
        ordering = ["period", "person", "pk"]
        indexes = [models.Index(fields=["period", "status"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.points} {self.reason}"

    @property
    def signed_points(self):
        if self.kind == self.Kind.BONUS:
            return self.points
        if self.kind == self.Kind.PENALTY:
            return -self.points
        return Decimal("0")


class ResultQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        q = Q(period__centre__in=scope.centres(Role.OFFICE))
        q |= scope.org_q("branch", Role.OFFICE, Role.SECRETARY)
        q |= scope.unit_q("person__window__department", Role.SCORER)
        q |= scope.unit_q("unit", Role.LIAISON)
        if scope.person_id:
            q |= Q(person_id=scope.person_id)
        return self.filter(q)

    def current(self):
        return self.filter(is_current=True)


class Result(models.Model):
    """A member's published result for one month. Never changed in place: an
    upheld appeal or a correction adds a new version and retires the old one."""

    class Reason(models.TextChoices):
        STAR = "star", _("Star member")
        VETOED = "vetoed", _("Vetoed")
        BELOW = "below", _("Below the threshold")
        QUOTA = "quota", _("Beyond the branch quota")
        UNASSESSED = "unassessed", _("Not assessed")

    # Indexes: the composite ones below start with the period, so the period, branch and
    # unit foreign keys need none of their own (fewer indexes to fill when publishing).
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="results", verbose_name=_("month"),
                               db_index=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assessment_results",
                               verbose_name=_("person"), db_index=False)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current"), default=True)
    # Where the member stood when published: ranks and notices follow these.
    branch = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("party branch"),
                               db_index=False)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("home unit"), db_index=False)
    # NULL: the part was not assessed (no cell of it scored); then the total and ranks are
    # NULL too, and the reason says "not assessed". No default is ever published as points.
    party_points = models.DecimalField(_("party-building part"), **POINTS, null=True, blank=True)
    work_points = models.DecimalField(_("work part"), **POINTS, null=True, blank=True)
    bonus = models.DecimalField(_("bonus"), **POINTS)
    penalty = models.DecimalField(_("penalty"), **POINTS)
    total = models.DecimalField(_("total"), max_digits=7, decimal_places=2, null=True, blank=True)
    vetoed = models.BooleanField(_("vetoed"), default=False)
    rank_branch = models.PositiveIntegerField(_("rank in branch"), null=True, blank=True)
    rank_centre = models.PositiveIntegerField(_("rank in centre"), null=True, blank=True)
    star_place = models.PositiveIntegerField(_("place in star order"), null=True, blank=True)
    branch_size = models.PositiveIntegerField(_("members assessed in branch"))
    quota = models.PositiveIntegerField(_("branch quota"))
    is_star = models.BooleanField(_("star member"), default=False)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    change_reason = models.CharField(_("why changed"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["period", models.F("rank_centre").asc(nulls_last=True), "person_id"]
        constraints = [
            # Person first: it also serves a member's results across months, in place of an
            # index on person alone (one index fewer to fill per result row).
            models.UniqueConstraint(fields=["person", "period", "version"], name="result_version_unique"),
            models.UniqueConstraint(fields=["period", "person"], condition=Q(is_current=True),
                                    name="result_one_current"),
        ]
        indexes = [
            models.Index(fields=["period", "branch", "is_current"]),
        ]

    def __str__(self):
        return f"{self.period} {self.person_id} v{self.version}"

    @property
    def assessed(self):
        return self.total is not None

    def unassessed_parts(self):
        """Labels of the parts this member was not assessed in (none scored)."""
        return [label for value, label in Part.choices
                if getattr(self, f"{value}_points") is None]


class AppealQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        q = Q(period__centre__in=scope.centres(Role.OFFICE))
        q |= scope.org_q("person__branch", Role.SECRETARY)
        if scope.person_id:
            q |= Q(person_id=scope.person_id)
        return self.filter(q)


class Appeal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting decision")
        UPHELD = "upheld", _("Upheld")
        REJECTED = "rejected", _("Rejected")

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="appeals", verbose_name=_("month"))
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assessment_appeals",
                               verbose_name=_("person"))
    indicator = models.ForeignKey(Indicator, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                  verbose_name=_("indicator"))
    text = models.TextField(_("objection"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = AppealQuerySet.as_manager()

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-submitted_at", "-pk"]

    def __str__(self):
        return f"{self.period} {self.person}"


class ReminderQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        return self.filter(Q(user=user) | Q(period__centre__in=scope.centres(Role.OFFICE)))


class Reminder(models.Model):
    """An in-app notice to a late scorer (and the SMS, when messaging sends it)."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("month"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assessment_reminders",
                             verbose_name=_("scorer"))
    part = models.CharField(_("part"), max_length=10, choices=Part.choices)
    left = models.PositiveIntegerField(_("people left"))
    total = models.PositiveIntegerField(_("people in all"))
    text = models.CharField(_("text"), max_length=300)
    sent_on = models.DateField(_("sent on"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["period", "user", "part", "sent_on"],
                                               name="reminder_once_a_day")]

    def __str__(self):
        return self.text

# The computed cells' compact rows and the view of all cells (kept apart: this file is long enough).
from .models_cells import Cell, ComputedRow  # noqa: E402, F401

"""Members' pledges (承诺—践诺—评诺), posts' pledges' evidence, target
responsibility letters (目标责任书) and the pre-aggregated pledge figures.

A pledge copies its member's centre, branch and unit when it is made, so the
wall, the figures and the scoping never join back to the person. PledgeStat
holds one row per (year, branch, unit), recounted by the services after every
change of that branch's pledges: the city's figures sum a few thousand rows,
not 479,000 pledges."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vanguard.core.roles import Role
from vanguard.core.scoping import ScopedQuerySet
from vanguard.core.uploads import RandomName
from vanguard.org.models import Organization, Person, ServiceCentre, Unit


class Result(models.TextChoices):
    KEPT = "kept", pgettext_lazy("pledge", "Kept")
    PARTLY = "partly", _("Partly kept")
    NOT_KEPT = "not_kept", _("Not kept")


def _pledge_q(scope, prefix=""):
    """The office sees its centres, a secretary the branch subtree, a liaison the unit's
    members, a member their own pledges."""
    q = Q(**{f"{prefix}centre__in": scope.centres(Role.OFFICE)})
    q |= scope.org_q(f"{prefix}branch", Role.SECRETARY)
    q |= scope.unit_q(f"{prefix}unit", Role.LIAISON)
    if scope.person_id:
        q |= Q(**{f"{prefix}person_id": scope.person_id})
    return q


class PledgeQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        return self.filter(_pledge_q(scope))

    def public(self):
        return self.filter(status=Pledge.Status.APPROVED)


class Pledge(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting review")
        RETURNED = "returned", pgettext_lazy("pledge", "Returned")
        APPROVED = "approved", _("Approved")

    class Source(models.TextChoices):
        MEMBER = "member", _("Made by the member")
        PAPER = "paper", _("Entered from paper")

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("service centre"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="pledges", verbose_name=_("member"))
    branch = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("party branch"))
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("home unit"))
    year = models.PositiveSmallIntegerField(_("year"))
    what = models.CharField(_("pledge"), max_length=200)
    deadline = models.DateField(_("by when"))
    measure = models.CharField(_("measurable result"), max_length=200)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.MEMBER)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    return_reason = models.TextField(_("reason for returning the pledge"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    midyear_result = models.CharField(_("mid-year judgement"), max_length=8, choices=Result.choices, blank=True)
    midyear_reason = models.TextField(_("reason of the mid-year judgement"), blank=True)
    result = models.CharField(_("year-end judgement"), max_length=8, choices=Result.choices, blank=True)
    result_reason = models.TextField(_("reason of the year-end judgement"), blank=True)
    judged_at = models.DateTimeField(_("judged at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("entered by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PledgeQuerySet.as_manager()

    class Meta:
        verbose_name = _("member's pledge")
        verbose_name_plural = _("members' pledges")
        ordering = ["-year", "deadline", "pk"]
        indexes = [
            models.Index(fields=["branch", "year", "status"]),
            models.Index(fields=["centre", "year", "status"]),
            models.Index(fields=["person", "year"]),
            # The review queue: the pledges awaiting review, oldest first (its order exactly, so a page is
            # an index scan), without reading the approved ones.
            models.Index(fields=["created_at", "id"], condition=Q(status="submitted"),
                         name="pledge_submitted_created"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(measure=""), name="pledge_measure_required"),
            models.CheckConstraint(condition=~Q(what=""), name="pledge_what_required"),
            models.CheckConstraint(condition=~Q(status="returned") | ~Q(return_reason=""),
                                   name="pledge_return_has_reason"),
            models.CheckConstraint(condition=Q(midyear_result="") | ~Q(midyear_reason=""),
                                   name="pledge_midyear_has_reason"),
            models.CheckConstraint(condition=Q(result="") | ~Q(result_reason=""), name="pledge_result_has_reason"),
            models.CheckConstraint(condition=(Q(result="") & Q(midyear_result="")) | Q(status="approved"),
                                   name="pledge_judged_only_approved"),
        ]

    def __str__(self):
        return f"{self.year} {self.what}"


class ChildQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        return self.filter(_pledge_q(scope, "pledge__"))


class Progress(models.Model):
    """What was done toward a pledge (践诺), with its evidence; the secretary confirms it."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="progress",
                               verbose_name=_("pledge"))
    text = models.TextField(_("what has been done"), max_length=1000)
    photo = models.ImageField(_("photo"), upload_to=RandomName("private/pledges/evidence"), blank=True)
    # Evidence from organisational life: a meeting the member attended or a service activity the
    # member took part in (at most one of the two; chosen among the member's own records).
    meeting = models.ForeignKey("life.Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("meeting record"))
    activity = models.ForeignKey("life.Activity", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("activity record"))
    # Any other reference typed in (a URL, "主题党日 2026-03").
    link = models.CharField(_("other link or reference"), max_length=300, blank=True)
    day = models.DateField(_("day"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=pgettext_lazy("pledge", "recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress")
        verbose_name_plural = _("progress")
        ordering = ["pledge", "day", "pk"]
        # The review queue: progress still to confirm, oldest first (a city confirms most of 800,000).
        indexes = [models.Index(fields=["recorded_at", "id"], condition=Q(confirmed_at__isnull=True),
                                name="progress_unconfirmed")]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="progress_text_required"),
                       models.CheckConstraint(condition=Q(meeting__isnull=True) | Q(activity__isnull=True),
                                              name="progress_one_life_record")]

    def __str__(self):
        return f"{self.pledge} · {self.day}"

    @property
    def life_record(self):
        return self.meeting if self.meeting_id else self.activity if self.activity_id else None


class Comment(models.Model):
    """A comment of the public or a colleague on a pledge of the wall, published after moderation.
    Mobile and ID numbers are masked before it is stored."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting moderation")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="comments", verbose_name=_("pledge"))
    author_name = models.CharField(_("name (optional)"), max_length=30, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("colleague"))
    body = models.TextField(_("comment"), max_length=500)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("moderated by"))
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["pledge", "status"]),
                   # The review queue: comments awaiting moderation, oldest first.
                   models.Index(fields=["created_at", "id"], condition=Q(status="pending"),
                                name="comment_pending_created")]

    def __str__(self):
        return self.body[:40]


class StatQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        q = Q(centre__in=scope.centres(Role.OFFICE)) | scope.org_q("branch", Role.SECRETARY)
        return self.filter(q | scope.unit_q("unit", Role.LIAISON))


class PledgeStat(models.Model):
    """Pre-aggregated figures of one branch's pledges of one year, per unit (services.refresh_stats)."""

    year = models.PositiveSmallIntegerField(_("year"))
    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="+")
    branch = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    members = models.PositiveIntegerField(default=0)
    made = models.PositiveIntegerField(default=0)
    approved = models.PositiveIntegerField(default=0)
    kept = models.PositiveIntegerField(default=0)
    partly = models.PositiveIntegerField(default=0)
    not_kept = models.PositiveIntegerField(default=0)

    objects = StatQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["year", "centre"]), models.Index(fields=["year", "branch"]),
                   models.Index(fields=["year", "unit"])]  # the figures page by unit, in the units' order

    def __str__(self):
        return f"{self.year} {self.branch_id}/{self.unit_id}: {self.kept}/{self.made}"


# Posts' pledges -----------------------------------------------------------------------

class PostPledge(models.TextChoices):
    """The four pledges of a signboard (VanguardPost.PLEDGE_FIELDS without their prefix)."""

    WORK = "work", _("pledge on work standard")
    TIME = "time", _("pledge on time limit")
    QUALITY = "quality", _("pledge on service quality")
    ATTITUDE = "attitude", _("pledge on service attitude")


class BreachQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        from vanguard.posts.models import VanguardPost

        return self.filter(post__in=VanguardPost.objects.visible_to(user).values("pk"))


class PostPledgeBreach(models.Model):
    """A post's pledge found broken: a complaint upheld, a bad review rectified for that reason."""

    class Source(models.TextChoices):
        RATING = "rating", _("Bad review rectified")
        CASE = "case", _("Complaint upheld")
        OTHER = "other", _("Other finding")

    post = models.ForeignKey("posts.VanguardPost", on_delete=models.CASCADE, related_name="pledge_breaches",
                             verbose_name=_("vanguard post"))
    pledge = models.CharField(_("pledge broken"), max_length=10, choices=PostPledge.choices)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    reason = models.TextField(_("reason"))
    ref = models.CharField(_("reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=pgettext_lazy("pledge", "recorded by"))
    at = models.DateTimeField(_("time"), auto_now_add=True)

    objects = BreachQuerySet.as_manager()

    class Meta:
        verbose_name = _("broken post pledge")
        verbose_name_plural = _("broken post pledges")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="breach_reason_required"),
            models.UniqueConstraint(fields=["post", "pledge", "source", "ref"], condition=~Q(ref=""),
                                    name="breach_once_per_ref"),
        ]

    def __str__(self):
        return f"{self.post} · {self.get_pledge_display()}"


# Target responsibility letters ----------------------------------------------------------

class LetterQuerySet(ScopedQuerySet):
    """The office sees its centres' letters; a unit's liaison the unit's; a leader their own."""

    def scoped(self, scope, user):
        q = Q(centre__in=scope.centres(Role.OFFICE)) | scope.unit_q("unit", Role.LIAISON)
        if scope.person_id:
            q |= Q(leader_id=scope.person_id)
        return self.filter(q)


class Letter(models.Model):
    class Kind(models.TextChoices):
        UNIT = "unit", _("Unit's letter")
        LEADER = "leader", _("Leader's letter")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Drafted")
        SENT = "sent", pgettext_lazy("letter", "Sent")
        SIGNED = "signed", pgettext_lazy("letter", "Signed")

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("service centre"))
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.UNIT)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="responsibility_letters",
                             verbose_name=_("unit"))
    leader = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="responsibility_letters", verbose_name=_("leader"))
    title = models.CharField(_("title"), max_length=100)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    signatory = models.CharField(_("signatory"), max_length=50, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_scan = models.FileField(_("signed scan"), upload_to=RandomName("private/pledges/letters"), blank=True)
    score = models.DecimalField(_("year-end score"), max_digits=6, decimal_places=2, null=True, blank=True)
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = LetterQuerySet.as_manager()

    class Meta:
        verbose_name = _("target responsibility letter")
        verbose_name_plural = _("target responsibility letters")
        ordering = ["-year", "kind", "unit__name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind="unit") | Q(leader__isnull=False), name="letter_leader_named"),
            models.CheckConstraint(condition=~Q(status="signed") | (~Q(signatory="") & Q(signed_on__isnull=False)
                                                                    & Q(sent_at__isnull=False)),
                                   name="letter_signed_after_sent"),
            models.UniqueConstraint(fields=["year", "unit"], condition=Q(kind="unit"), name="letter_one_per_unit"),
            models.UniqueConstraint(fields=["year", "leader"], condition=Q(kind="leader"),
                                    name="letter_one_per_leader"),
        ]

    def __str__(self):
        return self.title


class TargetQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        return self.filter(letter__in=Letter.objects.visible_to(user).values("pk"))


class Target(models.Model):
    class Section(models.TextChoices):
        PARTY_BUILDING = "party", _("Party building")
        SERVICE_QUALITY = "service", _("Service quality")
        VANGUARD_POSTS = "posts", _("Vanguard-post campaign")
        INTEGRITY = "integrity", _("Integrity")

    class Metric(models.TextChoices):
        """Where the year-end achievement comes from."""

        MANUAL = "manual", _("Quarterly progress (entered)")
        PLEDGES_KEPT = "pledges_kept", _("Members' pledges kept (rate)")
        POSTS_KEPT = "posts_kept", _("Vanguard posts not revoked (rate)")
        SATISFACTION = "satisfaction", _("Satisfaction rate of ratings")
        BAD_REVIEWS = "bad_reviews", _("Ratings without a bad review (rate)")
        CASES_ON_TIME = "cases_on_time", _("Cases answered on time (rate)")
        MEMBERS_RESULTS = "members_results", _("Members' monthly assessment results (average per part)")

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="targets", verbose_name=_("letter"))
    section = models.CharField(_("section"), max_length=10, choices=Section.choices)
    text = models.CharField(_("target"), max_length=200)
    measure = models.CharField(_("measure"), max_length=200)
    weight = models.PositiveSmallIntegerField(_("weight"))
    metric = models.CharField(_("evidence"), max_length=20, choices=Metric.choices, default=Metric.MANUAL)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    achieved = models.DecimalField(_("achieved (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    evidence_note = models.CharField(_("evidence"), max_length=200, blank=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["letter", "order", "pk"]
        constraints = [models.CheckConstraint(condition=Q(weight__gte=1) & Q(weight__lte=100),
                                              name="target_weight_range")]

    def __str__(self):
        return self.text


class TargetChildQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        return self.filter(target__letter__in=Letter.objects.visible_to(user).values("pk"))


class TargetProgress(models.Model):
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="progress", verbose_name=_("target"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    percent = models.PositiveSmallIntegerField(_("achieved (%)"))
    note = models.TextField(_("what has been done"))
    evidence = models.FileField(_("evidence"), upload_to=RandomName("private/pledges/targets"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = TargetChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("quarterly progress")
        verbose_name_plural = _("quarterly progress")
        ordering = ["target", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["target", "quarter"], name="target_progress_once_a_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="target_progress_quarter"),
            models.CheckConstraint(condition=Q(percent__lte=100), name="target_progress_percent"),
        ]

    def __str__(self):
        return f"{self.target} Q{self.quarter}"

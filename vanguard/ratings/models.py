"""Transactions (办件), service ratings (好差评), fraud signals, bad-review
rectification cases and the pre-aggregated satisfaction figures.

A rating copies the transaction's places (unit, window, floor, person, post,
branch) so that figures and fraud checks never join back to transactions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from vanguard.core.roles import Role
from vanguard.core.scoping import ScopedQuerySet
from vanguard.org.models import Floor, Organization, Person, ServiceCentre, Unit, Window
from vanguard.org.phones import mask_mobile


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    BASIC = 3, _("Basically satisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


LEVEL_LABELS = dict(Level.choices)
BAD_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)
SATISFIED_LEVELS = (Level.VERY_SATISFIED, Level.SATISFIED, Level.BASIC)

# The sub-criteria of the national rules (国办发〔2019〕51号): on site and online.
ONSITE_CRITERIA = [("overall", _("Overall")), ("efficiency", _("Efficiency")),
                   ("service_level", _("Service level")), ("attitude", _("Attitude"))]
ONLINE_CRITERIA = [("overall", _("Overall")), ("efficiency", _("Efficiency")),
                   ("guide_accuracy", _("Accuracy of the guide")), ("convenience", _("Convenience")),
                   ("usability", _("Usability"))]
REASONS = [
    ("fast", _("Done quickly")), ("clear", _("Clearly explained")), ("polite", _("Polite and patient")),
    ("once", _("Done in one visit")), ("slow", _("Too slow")), ("unclear", _("Requirements unclear")),
    ("rude", _("Poor attitude")), ("many_trips", _("Had to come back")), ("system", _("System problems")),
]
REASON_KEYS = {k for k, _label in REASONS}


def _transaction_q(scope, prefix=""):
    q = Q(**{f"{prefix}centre__in": scope.centres(Role.OFFICE)})
    q |= scope.unit_q(f"{prefix}unit", Role.HANDLER, Role.LIAISON, Role.SCORER)
    if scope.person_id:
        q |= Q(**{f"{prefix}person_id": scope.person_id})
    return q


class TransactionQuerySet(ScopedQuerySet):
    """The office sees its centre; a unit's handler, liaison or scorer the unit;
    a member the transactions they handled."""

    def scoped(self, scope, user):
        return self.filter(_transaction_q(scope))


class Transaction(models.Model):
    class Kind(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediate")
        PROMISED = "promised", _("Promised")

    class UserKind(models.TextChoices):
        PERSON = "person", _("Person")
        COMPANY = "company", _("Company")

    # Indexed by the (centre, number) and (unit, accepted_at) constraints/indexes below.
    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="transactions",
                               verbose_name=_("service centre"), db_index=False)
    number = models.CharField(_("transaction number"), max_length=40)
    service_item = models.CharField(_("service item"), max_length=200)
    window = models.ForeignKey(Window, on_delete=models.PROTECT, related_name="transactions",
                               verbose_name=_("window"))
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="transactions", verbose_name=_("handled by"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="transactions", verbose_name=_("unit"),
                             db_index=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.IMMEDIATE)
    user_kind = models.CharField(_("service user"), max_length=10, choices=UserKind.choices,
                                 default=UserKind.PERSON)
    accepted_at = models.DateTimeField(_("accepted at"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    # Protected rater data: shown only to the unit's case handlers. A mainland mobile is stored
    # as its 11 digits (like Person.mobile), so a citizen can prove it at the signboard.
    rater_name = models.CharField(_("service user's name"), max_length=50, blank=True)
    rater_phone = models.CharField(_("service user's phone"), max_length=20, blank=True)
    import_batch = models.CharField(_("import batch"), max_length=40, blank=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    rated = models.BooleanField(_("rated"), default=False)

    objects = TransactionQuerySet.as_manager()

    class Meta:
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        ordering = ["-accepted_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["centre", "number"], name="transaction_number_unique")]
        # The list pages read the newest first (the ordering): the whole city's, a centre's, a unit's.
        indexes = [models.Index(fields=["rated", "imported_at"]), models.Index(fields=["unit", "accepted_at"]),
                   models.Index(fields=["-accepted_at", "-id"], name="transaction_newest"),
                   models.Index(fields=["centre", "-accepted_at", "-id"], name="transaction_centre_newest"),
                   # The figures room's rows behind "matters completed" (a centre's month, newest first).
                   models.Index(fields=["centre", "completed_at"], name="transaction_centre_completed")]

    def __str__(self):
        return self.number

    @property
    def masked_phone(self):
        return mask_mobile(self.rater_phone) or ("*" * len(self.rater_phone))


class RatingQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        return self.filter(_transaction_q(scope))

    def flagged_pending(self):
        return self.filter(flagged=True, reviewed=False, set_aside=False)


class Rating(models.Model):
    class Channel(models.TextChoices):
        DEVICE = "device", _("Window rating device")
        QR = "qr", _("QR code")
        SMS = "sms", _("SMS link")
        WEB = "web", _("Website")
        APP = "app", _("Mobile app")
        HOTLINE = "hotline", _("Hotline")
        DEFAULT = "default", _("Default (not rated in time)")

    transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, related_name="rating",
                                       verbose_name=_("transaction"))
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    channel = models.CharField(_("rating channel"), max_length=10, choices=Channel.choices)
    scores = models.JSONField(_("sub-criteria"), default=dict, blank=True)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    comment = models.TextField(_("comment"), max_length=500, blank=True)
    is_default = models.BooleanField(_("default rating"), default=False)
    rater_name = models.CharField(_("rater's name"), max_length=50, blank=True)
    rater_phone = models.CharField(_("rater's phone"), max_length=20, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    device = models.CharField(_("device"), max_length=64, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, null=True, blank=True, unique=True)
    rated_at = models.DateTimeField(_("rated at"))
    day = models.DateField(_("day"))
    # Copied from the transaction for figures and checks.
    # No index of their own: every index is paid on each of a city's ratings; the figures read
    # SatisfactionStat, and lists go through the composite indexes below.
    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="+", db_index=False)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", db_index=False)
    window = models.ForeignKey(Window, on_delete=models.PROTECT, related_name="+", db_index=False)
    floor = models.ForeignKey(Floor, on_delete=models.PROTECT, related_name="+", db_index=False)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    post = models.ForeignKey("posts.VanguardPost", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", db_index=False)
    branch = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               db_index=False)
    # Fraud signals: flagged, never blocked; the office reviews and may set aside.
    flagged = models.BooleanField(_("flagged"), default=False)
    flags = models.JSONField(_("signals"), default=list, blank=True)
    reviewed = models.BooleanField(_("reviewed"), default=False)
    set_aside = models.BooleanField(_("set aside"), default=False)
    set_aside_reason = models.TextField(_("reason for setting aside"), blank=True)
    set_aside_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("set aside by"), db_index=False)
    # False until folded into the figures (SatisfactionStat).
    counted = models.BooleanField(default=False)

    objects = RatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("service rating")
        verbose_name_plural = _("service ratings")
        ordering = ["-rated_at", "-pk"]
        indexes = [
            models.Index(fields=["ip_address", "rated_at"]),
            models.Index(fields=["device", "rated_at"]),
            models.Index(fields=["counted"], condition=Q(counted=False), name="rating_uncounted"),
            models.Index(fields=["centre", "flagged", "reviewed"]),
            models.Index(fields=["unit", "rated_at"]),
            # The figures room's rows behind ratings, satisfied and bad reviews (a centre's month).
            models.Index(fields=["centre", "day"], name="rating_centre_day"),
            # The flagged ratings' and the comments' lists, newest first (the city's and a centre's): a few
            # thousand of two million rows, which a scan of every rating took seconds to find and count.
            models.Index(fields=["-rated_at", "-id"], condition=Q(flagged=True), name="rating_flagged_newest"),
            models.Index(fields=["centre", "-rated_at", "-id"], condition=Q(flagged=True),
                         name="rating_flagged_centre_newest"),
            # The flags waiting for review (the list's default): counted from the index alone, without reading
            # a heap page per rating (a cold server's first count of 10,001 flags took 3.9 s).
            models.Index(fields=["-rated_at", "-id"], condition=Q(flagged=True, reviewed=False, set_aside=False),
                         name="rating_flag_waiting"),
            models.Index(fields=["centre", "-rated_at", "-id"],
                         condition=Q(flagged=True, reviewed=False, set_aside=False), name="rating_flag_waiting_centre"),
            models.Index(fields=["-rated_at", "-id"], condition=~Q(comment=""), name="rating_comment_newest"),
            models.Index(fields=["centre", "-rated_at", "-id"], condition=~Q(comment=""),
                         name="rating_comment_centre_newest"),
        ]

    def __str__(self):
        return f"{self.transaction} · {self.get_level_display()}"

    def get_level_display(self):
        # As Django's, which builds a dict of the choices on every call and so translates every
        # level's label to hash it (ten translations a citizen's rating: its answer and its audit row).
        return force_str(LEVEL_LABELS.get(self.level, self.level), strings_only=True)

    @property
    def is_bad(self):
        return self.level in BAD_LEVELS


class SatisfactionStat(models.Model):
    """One row per (dimension, object, period): counts kept up to date by set-based
    upserts as ratings arrive (see figures.fold_pending)."""

    class Dimension(models.TextChoices):
        CENTRE = "centre", _("Service centre")
        BRANCH = "branch", _("Party branch")
        FLOOR = "floor", _("Floor")
        UNIT = "unit", _("Unit")
        WINDOW = "window", _("Window")
        POST = "post", _("Vanguard post")
        PERSON = "person", _("Person")

    class Period(models.TextChoices):
        DAY = "day", _("Day")
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")
        YEAR = "year", _("Year")

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=8, choices=Dimension.choices)
    key = models.BigIntegerField()
    period = models.CharField(max_length=8, choices=Period.choices)
    start = models.DateField()
    n5 = models.IntegerField(default=0)
    n4 = models.IntegerField(default=0)
    n3 = models.IntegerField(default=0)
    n2 = models.IntegerField(default=0)
    n1 = models.IntegerField(default=0)
    n_default = models.IntegerField(default=0)
    n_flagged = models.IntegerField(default=0)
    n_set_aside = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dimension", "key", "period", "start"],
                                               name="satisfaction_stat_unique")]

    def __str__(self):
        return f"{self.dimension}:{self.key} {self.period} {self.start}"

    @property
    def total(self):
        return self.n5 + self.n4 + self.n3 + self.n2 + self.n1


class CaseQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        q = Q(centre__in=scope.centres(Role.OFFICE)) | scope.unit_q("unit", Role.HANDLER, Role.LIAISON)
        return self.filter(q)

    def open(self):
        return self.exclude(state__in=[RectificationCase.State.CLOSED, RectificationCase.State.SET_ASIDE])


class RectificationCase(models.Model):
    """A bad review's rectification: verify (1 working day), rectify (N working
    days), call back, close. Being overdue is recorded once, when it happens."""

    class State(models.TextChoices):
        VERIFYING = "verifying", _("To verify")
        RECTIFYING = "rectifying", _("Rectifying")
        CALLING_BACK = "calling_back", _("To call back")
        CLOSED = "closed", _("Closed")
        SET_ASIDE_REQUESTED = "requested", _("Set-aside requested")
        SET_ASIDE = "set_aside", _("Set aside")

    class Callback(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied with the rectification")
        BASIC = "basic", _("Basically satisfied")
        DISSATISFIED = "dissatisfied", _("Still dissatisfied")
        UNREACHABLE = "unreachable", _("Could not be reached")

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="case",
                                  verbose_name=_("service rating"))
    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="rectification_cases",
                             verbose_name=_("unit"))
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("person responsible"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.VERIFYING)
    # 1 for the first rectification; each "still dissatisfied" call-back starts another round (重办).
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    opened_on = models.DateField(_("opened on"))
    verify_due = models.DateField(_("verify by"))
    rectify_due = models.DateField(_("rectify by"))
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verification = models.TextField(_("verification"), blank=True)
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    rectification = models.TextField(_("rectification"), blank=True)
    called_back_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    callback_result = models.CharField(_("call-back result"), max_length=12, choices=Callback.choices, blank=True)
    callback_note = models.TextField(_("call-back note"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Recorded once, at the moment the case became overdue, never recomputed.
    overdue_at = models.DateTimeField(_("overdue since"), null=True, blank=True)
    overdue_stage = models.CharField(_("overdue at stage"), max_length=12, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    set_aside_reason = models.TextField(_("reason for setting aside"), blank=True)
    # Private: served only by the case's evidence view, to the unit's handler and the office.
    set_aside_evidence = models.FileField(_("evidence"), upload_to="private/ratings/evidence/%Y/", blank=True)
    state_before_request = models.CharField(max_length=12, blank=True)
    decision = models.CharField(_("decision"), max_length=10, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification case")
        verbose_name_plural = _("rectification cases")
        ordering = ["-opened_on", "-pk"]
        indexes = [models.Index(fields=["centre", "state"]), models.Index(fields=["unit", "opened_on"])]

    def __str__(self):
        return _("Rectification of %(number)s") % {"number": self.rating.transaction.number}

    @property
    def due(self):
        return self.verify_due if self.state == self.State.VERIFYING else self.rectify_due

    @property
    def is_open(self):
        return self.state not in (self.State.CLOSED, self.State.SET_ASIDE)

    def late_now(self, today):
        """Past the current stage's deadline right now (a live state, unlike overdue_at)."""
        if self.state == self.State.VERIFYING:
            return today > self.verify_due
        if self.state in (self.State.RECTIFYING, self.State.CALLING_BACK) and not self.called_back_at:
            return today > self.rectify_due
        return False


class CaseStepQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(case__in=RectificationCase.objects.visible_to(user))


class CaseStep(models.Model):
    """One step of a rectification case's timeline: who did what, when, in which round."""

    class Action(models.TextChoices):
        VERIFY = "verify", _("Verified")
        RECTIFY = "rectify", _("Rectified")
        CALL_BACK = "call_back", _("Called back")
        REDO = "redo", _("Sent back for another round")
        CLOSE = "close", _("Closed")
        OFFICE_CLOSE = "office_close", _("Closed by the office's decision")
        REQUEST = "request", _("Asked to set the review aside")
        APPROVE = "approve", _("Review set aside")
        REFUSE = "refuse", _("Set-aside refused")

    case = models.ForeignKey(RectificationCase, on_delete=models.CASCADE, related_name="steps",
                             verbose_name=_("rectification case"))
    round = models.PositiveSmallIntegerField(_("round"))
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("actor"))
    actor_name = models.CharField(_("actor"), max_length=150)
    at = models.DateTimeField(_("time"))
    note = models.TextField(_("note"), blank=True)

    objects = CaseStepQuerySet.as_manager()

    class Meta:
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        ordering = ["case", "at", "pk"]

    def __str__(self):
        return f"{self.case_id} {self.get_action_display()}"


class SignboardCheckQuerySet(models.QuerySet):
    def visible_to(self, user):
        # Internal bookkeeping of the public signboard form: no page lists it.
        return self.filter(pk__in=[]) if not getattr(user, "is_superuser", False) else self


class SignboardCheck(models.Model):
    """A citizen at a signboard proving which transaction is theirs: a transaction-number
    lookup, or a one-time SMS code for the mobile they gave when served. Neither the
    number nor the code is stored in clear: only keyed hashes (HMAC with the secret key).
    A row is written for every request, whether or not such a transaction exists, so the
    limits (per number, per address) count alike and nothing hints that a number is known."""

    class Kind(models.TextChoices):
        SMS = "sms", _("SMS code")
        NUMBER = "number", _("Transaction number")

    kind = models.CharField(max_length=6, choices=Kind.choices)
    post = models.ForeignKey("posts.VanguardPost", on_delete=models.CASCADE, related_name="+")
    key_hash = models.CharField(max_length=64)  # of the mobile (sms) or the transaction number
    code_hash = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    sent = models.BooleanField(default=False)

    objects = SignboardCheckQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["key_hash", "created_at"]), models.Index(fields=["ip_address", "created_at"])]

    def __str__(self):
        return f"{self.kind}:{self.pk}"


class NoticeQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        return self.filter(Q(centre__in=scope.centres(Role.OFFICE)) | scope.unit_q(
            "unit", Role.HANDLER, Role.LIAISON) | scope.org_q("organization", Role.SECRETARY))


class Notice(models.Model):
    """A notification to a unit, a branch or the office (escalations, warnings,
    revocations). Other apps (surveys) record theirs here too."""

    class Kind(models.TextChoices):
        ESCALATION = "escalation", _("Escalation")
        WARNING = "warning", _("Warning")
        REVOCATION = "revocation", _("Revocation")
        NAMING = "naming", _("Naming proposal")

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("unit"))
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="+", verbose_name=_("party organisation"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.subject

"""Cases (诉求件): what the public asks of a unit - a complaint, a suggestion, a request
for help or praise - with a public tracking number, routed to the unit that must answer
(派单, 签收/退单), under working-day deadlines (催办, 超期, 督办, 延期), answered, called back
(回访) and redone (重办) when the citizen is not satisfied.

The citizen's name and mobile are visible only to the handling unit and the office
(`Case.contact_visible_to`); public pages show `public_content`, the citizen's words
with personal data removed, and the steps' dates and outcomes."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanguard.core.roles import Role
from vanguard.core.scoping import CentreScopedQuerySet, ScopedQuerySet
from vanguard.core.uploads import RandomName
from vanguard.org.models import Person, ServiceCentre, Unit, Window

# Printable and unambiguous (no 0/O, 1/I/L): 12 symbols of 32 = 60 random bits.
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
NUMBER_GROUPS = 3
NUMBER_GROUP_LENGTH = 4


def new_number():
    """A tracking number such as 'K7M2-9XQP-4RTA': random, so one number tells nothing of another."""
    groups = ["".join(secrets.choice(NUMBER_ALPHABET) for _i in range(NUMBER_GROUP_LENGTH))
              for _g in range(NUMBER_GROUPS)]
    return "-".join(groups)


def normalise_number(raw):
    """What a citizen types ('k7m2 9xqp 4rta', 'K7M29XQP4RTA') -> 'K7M2-9XQP-4RTA' (or '' when malformed)."""
    text = "".join(ch for ch in str(raw or "").upper() if ch.isalnum())
    size = NUMBER_GROUPS * NUMBER_GROUP_LENGTH
    if len(text) != size or any(ch not in NUMBER_ALPHABET for ch in text):
        return ""
    return "-".join(text[i:i + NUMBER_GROUP_LENGTH] for i in range(0, size, NUMBER_GROUP_LENGTH))


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")
    HELP = "help", _("Request for help")
    PRAISE = "praise", _("Praise")


class Source(models.TextChoices):
    SIGNBOARD = "signboard", _("Signboard")
    PHONE = "phone", _("Phone call")
    LETTER = "letter", _("Letter")
    RATING_COMMENT = "rating_comment", _("Rating comment")
    EVALUATION_COMMENT = "evaluation_comment", _("Evaluation comment")
    CAMPAIGN = "campaign", _("Review campaign")
    API = "api", _("Other system (API)")
    OBJECTION = "objection", _("Objection to a public notice")


class Status(models.TextChoices):
    NEW = "new", _("To dispatch")
    DISPATCHED = "dispatched", _("Awaiting acceptance")
    RETURNED = "returned", _("Returned, office to decide")
    ACCEPTED = "accepted", _("Being handled")
    ANSWERED = "answered", _("Answered, to call back")
    OFFICE_DECIDES = "deciding", _("Office to decide")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (Status.NEW, Status.DISPATCHED, Status.RETURNED, Status.ACCEPTED, Status.ANSWERED,
                 Status.OFFICE_DECIDES)
# The statuses in which the unit owes the answer and the deadline runs.
RUNNING_STATUSES = (Status.DISPATCHED, Status.ACCEPTED)


class Callback(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class Extension(models.TextChoices):
    NONE = "", _("None")
    REQUESTED = "requested", _("Requested")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Not granted")


def _case_q(scope, prefix=""):
    """The office sees its centres' cases; a unit's handler or liaison the unit's."""
    return (Q(**{f"{prefix}centre__in": scope.centres(Role.OFFICE)})
            | scope.unit_q(f"{prefix}unit", Role.HANDLER, Role.LIAISON))


class CaseQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        return self.filter(_case_q(scope))

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class CaseRules(models.Model):
    """A centre's case rules: deadlines in working days by kind, reminders, the redo limit
    and the number of upheld complaints in a quarter that warns a post. A centre without
    a row uses the defaults (`rules_for`)."""

    centre = models.OneToOneField(ServiceCentre, on_delete=models.CASCADE, related_name="case_rules",
                                  verbose_name=_("service centre"))
    help_days = models.PositiveSmallIntegerField(_("working days to answer a request for help"), default=3)
    complaint_days = models.PositiveSmallIntegerField(_("working days to answer a complaint"), default=5)
    suggestion_days = models.PositiveSmallIntegerField(_("working days to answer a suggestion"), default=10)
    accept_days = models.PositiveSmallIntegerField(_("working days to accept or return"), default=1)
    remind_days = models.PositiveSmallIntegerField(_("remind this many working days before the deadline"),
                                                   default=1)
    redo_limit = models.PositiveSmallIntegerField(_("redo rounds before the office decides"), default=2)
    warn_upheld = models.PositiveSmallIntegerField(
        _("upheld complaints in a quarter that warn a post"), default=3)

    objects = models.Manager()

    class Meta:
        verbose_name = _("case rules")
        verbose_name_plural = _("case rules")

    def __str__(self):
        return str(self.centre)

    def days_for(self, kind):
        return {Kind.HELP: self.help_days, Kind.COMPLAINT: self.complaint_days,
                Kind.SUGGESTION: self.suggestion_days}.get(kind, self.suggestion_days)


class Case(models.Model):
    number = models.CharField(_("tracking number"), max_length=14, unique=True, default=new_number,
                              editable=False)
    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("service centre"), db_index=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    # The number the case had where it came from (a 12345 work order, a rating, an objection).
    source_ref = models.CharField(_("original number"), max_length=64, blank=True)
    content = models.TextField(_("content"), max_length=2000)
    # The citizen's words with personal data (mobiles, identity numbers, names given) removed.
    public_content = models.TextField(_("content (public)"), max_length=2000, blank=True)
    # What the case is about; the unit is the one that must answer (routed from the others).
    post = models.ForeignKey("posts.VanguardPost", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("vanguard post"), db_index=False)
    window = models.ForeignKey(Window, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("window"), db_index=False)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("person"), db_index=False)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("responsible unit"), db_index=False)
    # Contact: anonymous, or a name and a mobile (verified by SMS when the citizen files it).
    anonymous = models.BooleanField(_("anonymous"), default=True)
    contact_name = models.CharField(_("citizen's name"), max_length=50, blank=True)
    contact_mobile = models.CharField(_("citizen's mobile"), max_length=20, blank=True)
    mobile_verified = models.BooleanField(_("mobile verified"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    # 1 for the first answer; each dissatisfied call-back starts another round (重办).
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    received_at = models.DateTimeField(_("received at"))
    received_on = models.DateField(_("received on"))
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    accept_due = models.DateField(_("accept by"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted by the unit at"), null=True, blank=True)
    # The answer's deadline of the current round (moved by a granted extension or a redo).
    due = models.DateField(_("answer by"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    # Reminder (催办) sent for this deadline; a new deadline gets a new reminder.
    reminded_for = models.DateField(_("reminded for deadline"), null=True, blank=True)
    # Recorded once, at the moment the case became overdue (acceptance or answer), never recomputed.
    overdue_at = models.DateTimeField(_("overdue since"), null=True, blank=True)
    overdue_stage = models.CharField(_("overdue at stage"), max_length=10, blank=True)
    # Supervision (督办) by the office: its own deadline and a note to the unit's leader.
    supervised_at = models.DateTimeField(_("supervised since"), null=True, blank=True)
    supervision_due = models.DateField(_("supervision deadline"), null=True, blank=True)
    supervision_note = models.TextField(_("note to the unit's leader"), blank=True)
    extension = models.CharField(_("extension"), max_length=10, choices=Extension.choices, blank=True, default="")
    extension_days = models.PositiveSmallIntegerField(_("working days asked"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    answer = models.TextField(_("answer"), blank=True)
    action_taken = models.TextField(_("what the unit did"), blank=True)
    # For complaints: whether the unit found the complaint justified (it counts against the post).
    upheld = models.BooleanField(_("complaint upheld"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # The first answer's time against its deadline: on time or not, kept for the figures.
    answered_on_time = models.BooleanField(_("answered on time"), null=True, blank=True)
    callback = models.CharField(_("call-back result"), max_length=12, choices=Callback.choices, blank=True)
    called_back_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    decision_note = models.TextField(_("office's decision"), blank=True)
    # An earlier complaint of the same citizen about the same unit (a repeat complaint).
    repeat_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                  verbose_name=_("repeat of"), db_index=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("entered by"), db_index=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["centre", "status", "received_at"], name="case_centre_status"),
            models.Index(fields=["unit", "status", "received_at"], name="case_unit_status"),
            models.Index(fields=["centre", "received_at"], name="case_centre_received"),
            # The list in its own order for a city's administrator: the newest 50 without sorting 100,000.
            models.Index(fields=["-received_at", "-id"], name="case_received"),
            models.Index(fields=["unit", "received_at"], name="case_unit_received"),
            models.Index(fields=["post", "received_on"], name="case_post_received"),
            models.Index(fields=["person", "received_on"], name="case_person_received"),
            # The sweep reads only the open cases whose clock runs.
            models.Index(fields=["due"], condition=Q(status__in=["dispatched", "accepted"]), name="case_running_due"),
            models.Index(fields=["accept_due"], condition=Q(status="dispatched"), name="case_accept_due"),
            models.Index(fields=["contact_mobile", "received_on"], condition=~Q(contact_mobile=""),
                         name="case_contact_mobile"),
            models.Index(fields=["source", "source_ref"], condition=~Q(source_ref=""), name="case_source_ref"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def public_path(self):
        return f"/c/{self.number}/"

    @property
    def public_url(self):
        return settings.PUBLIC_BASE_URL + self.public_path

    @property
    def about(self):
        parts = [str(obj) for obj in (self.post, self.window, self.person) if obj is not None]
        return " · ".join(parts)

    @property
    def current_due(self):
        """The deadline that runs now: acceptance while dispatched, else the answer's."""
        if self.status == Status.DISPATCHED:
            return self.accept_due
        return self.due if self.status == Status.ACCEPTED else None


class StepQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(case__in=Case.objects.visible_to(user).values("pk"))


class CaseStep(models.Model):
    """One step of a case's history: when, who, what, the outcome. `public` steps show
    on the tracking page, with their date and outcome but never the actor's name."""

    class Action(models.TextChoices):
        RECEIVE = "receive", _("Received")
        DISPATCH = "dispatch", _("Dispatched")
        ACCEPT = "accept", _("Accepted")
        RETURN = "return", _("Returned")
        REDISPATCH = "redispatch", _("Re-dispatched")
        REMIND = "remind", _("Reminder sent")
        OVERDUE = "overdue", _("Became overdue")
        SUPERVISE = "supervise", _("Put under supervision")
        ASK_EXTENSION = "ask_ext", _("Extension asked")
        GRANT_EXTENSION = "grant_ext", _("Extension granted")
        REFUSE_EXTENSION = "refuse_ext", _("Extension refused")
        ANSWER = "answer", _("Answered")
        CALL_BACK = "call_back", _("Called back")
        REDO = "redo", _("Sent back to be redone")
        TO_OFFICE = "to_office", _("Referred to the office")
        CLOSE = "close", _("Closed")
        THANKS = "thanks", _("Thanks passed on")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps", verbose_name=_("case"))
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("actor"), db_index=False)
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("unit"), db_index=False)
    note = models.TextField(_("note"), blank=True)
    # What the public page shows of this step (an answer, a new deadline); empty for internal notes.
    public_note = models.TextField(_("outcome (public)"), blank=True)
    public = models.BooleanField(_("shown on the tracking page"), default=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)

    objects = StepQuerySet.as_manager()

    class Meta:
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        ordering = ["case", "at", "pk"]

    def __str__(self):
        return f"{self.case_id} {self.get_action_display()}"


class AttachmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(case__in=Case.objects.visible_to(user).values("pk"))


class CaseAttachment(models.Model):
    """A photo the citizen (or the staff entering a letter) attached. Kept privately: served
    only to the handling unit and the office."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("case"))
    file = models.FileField(_("file"), upload_to=RandomName("private/cases"))
    kind = models.CharField(_("kind"), max_length=10)
    size = models.PositiveIntegerField(_("size"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["case", "pk"]

    def __str__(self):
        return self.file.name


class CodeQuerySet(models.QuerySet):
    def visible_to(self, user):
        # Internal bookkeeping of the public form: no page lists it.
        return self.none()


class MobileCheck(models.Model):
    """A one-time SMS code proving a citizen's mobile before a case is filed with it. As at
    the signboard's rating (ratings/signboard.py), the number and the code are stored only
    as keyed hashes; a code expires, allows a few attempts and, once verified, proves the
    number for one case (`consumed_at`)."""

    key_hash = models.CharField(max_length=64)
    code_hash = models.CharField(max_length=64)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)
    consumed_at = models.DateTimeField(null=True, blank=True)
    sent = models.BooleanField(default=False)

    objects = CodeQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["key_hash", "created_at"]), models.Index(fields=["ip_address", "created_at"])]

    def __str__(self):
        return f"check:{self.pk}"


# The review campaign (评议活动) ----------------------------------------------------------------

class OfficeQuerySet(CentreScopedQuerySet):
    """A campaign is the office's business: only its centres see it."""

    def scoped(self, scope, user):
        return self.filter(**{f"{self.centre_lookup}__in": scope.centres(Role.OFFICE)})


class Campaign(models.Model):
    """The office's review campaign over a set of units for a period: reviewer groups with
    quotas, one-time codes and SMS invitations, anonymous answers and live progress, all kept
    by the questionnaire (`evaluation`, a surveys.Evaluation of purpose "campaign"). Every issue
    a reviewer raises becomes a case routed to its unit (source "campaign", source_ref `ref`)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        OPEN = "open", _("In progress")
        CLOSED = "closed", _("Finished")

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="campaigns",
                               verbose_name=_("service centre"))
    title = models.CharField(_("title"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    units = models.ManyToManyField(Unit, related_name="campaigns", verbose_name=_("units reviewed"))
    evaluation = models.OneToOneField("surveys.Evaluation", on_delete=models.PROTECT, related_name="campaign",
                                      editable=False)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT,
                              editable=False)
    recent_days = models.PositiveSmallIntegerField(_("service users of the last days"), default=90)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)

    objects = OfficeQuerySet.as_manager()

    class Meta:
        verbose_name = _("review campaign")
        verbose_name_plural = _("review campaigns")
        ordering = ["-starts_on", "-pk"]

    def __str__(self):
        return self.title

    @property
    def ref(self):
        """The source_ref of the cases raised in this campaign."""
        return f"campaign:{self.pk}"


class CampaignChildQuerySet(OfficeQuerySet):
    centre_lookup = "campaign__centre"


class CampaignContact(models.Model):
    """A service user invited by SMS: each mobile at most once per campaign. The SMS is claimed
    (sent_at set) before it is handed to the gateway, so it is never sent twice. The contact
    knows its code only to honour the opt-out from the link; answers have no link to codes."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="contacts")
    mobile = models.CharField(_("mobile phone"), max_length=11)
    invitation = models.OneToOneField("surveys.Invitation", on_delete=models.CASCADE, related_name="contact")
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    failed = models.BooleanField(_("failed"), default=False)

    objects = CampaignChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("invited service user")
        verbose_name_plural = _("invited service users")
        constraints = [models.UniqueConstraint(fields=["campaign", "mobile"], name="campaign_contact_once")]
        indexes = [models.Index(fields=["campaign"], condition=Q(sent_at__isnull=True), name="campaign_contact_unsent")]

    def __str__(self):
        return f"{self.campaign_id}:{self.mobile[:3]}****{self.mobile[-4:]}"


class SmsOptOut(models.Model):
    """A mobile that asked, from an invitation's link, to get no more review invitations."""

    mobile = models.CharField(_("mobile phone"), max_length=11, unique=True)
    created_at = models.DateTimeField(_("opted out at"), auto_now_add=True)

    objects = models.Manager()

    class Meta:
        verbose_name = _("SMS opt-out")
        verbose_name_plural = _("SMS opt-outs")

    def __str__(self):
        return f"{self.mobile[:3]}****{self.mobile[-4:]}"


class UnitResult(models.Model):
    """A unit's result in a closed campaign: its answers, satisfaction rate, mean level and rank
    (1 = best; equal rates and means share a rank; no answers, no rank)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="results")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="campaign_results")
    answers = models.PositiveIntegerField(_("answers"))
    dont_know = models.PositiveIntegerField(_("don't know"))
    satisfied = models.PositiveIntegerField(_("satisfied answers"))
    rate = models.DecimalField(_("satisfaction rate"), max_digits=5, decimal_places=2, null=True)
    mean = models.DecimalField(_("mean level"), max_digits=3, decimal_places=2, null=True)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True)
    issues = models.PositiveIntegerField(_("issues raised"))

    objects = CampaignChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign result")
        verbose_name_plural = _("campaign results")
        ordering = ["campaign", "rank", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="campaign_unit_result_unique")]

    def __str__(self):
        return f"{self.campaign} · {self.unit}"

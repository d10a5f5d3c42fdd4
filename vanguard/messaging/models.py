"""Study and messages: weekly lessons and story columns, broadcasts and their
messages, document circulation with sign-off, pocket booklets.

Who sees what (every queryset below has `visible_to(user)`):
- the office (Role.OFFICE over a centre's tree) sees everything of its centre;
- a secretary sees the centre's lessons, the circulars sent to its branch and
  the signatures / reading records of the members of its branch;
- a member (a person with a login) sees the lessons of its centre, the
  circulars sent to its own branch, its own signatures and reading records.
Messages (phone numbers) are seen by the office only."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanguard.core.roles import Role
from vanguard.core.scoping import CentreScopedQuerySet, ScopedQuerySet
from vanguard.org.models import Floor, Organization, Person, ServiceCentre, Unit


class OfficeQuerySet(ScopedQuerySet):
    """Rows of the centres whose office the user is, through `centre_lookup`."""

    centre_lookup = "centre"

    def scoped(self, scope, user):
        return self.filter(**{f"{self.centre_lookup}__in": scope.centres(Role.OFFICE)})


class Audience(models.TextChoices):
    ALL = "all", _("All staff")
    MEMBERS = "members", _("Party members only")
    BRANCH = "branch", _("One branch")
    UNIT = "unit", _("One unit")
    FLOOR = "floor", _("One floor")
    PEOPLE = "people", _("Chosen people")


class Category(models.TextChoices):
    THEORY = "theory", _("Party theory")
    HIGHLIGHTS = "highlights", _("Branch highlights")
    NOTICES = "notices", _("Notices and requirements")
    INTEGRITY = "integrity", _("Integrity reminders")


def short_code():
    return secrets.token_urlsafe(6)


class CentreQuerySet(CentreScopedQuerySet):
    """Lessons, columns, booklets: read by everyone working in the centre."""


class Column(models.Model):
    """A story column such as 抗疫先锋: lessons with their own name."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="columns",
                               verbose_name=_("service centre"))
    name = models.CharField(_("name"), max_length=50)
    description = models.CharField(_("description"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CentreQuerySet.as_manager()

    class Meta:
        verbose_name = _("story column")
        verbose_name_plural = _("story columns")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["centre", "name"], name="column_name_unique")]

    def __str__(self):
        return self.name


class Lesson(models.Model):
    """A weekly lesson (category set) or a column's story (column set)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="lessons",
                               verbose_name=_("service centre"))
    column = models.ForeignKey(Column, null=True, blank=True, on_delete=models.PROTECT, related_name="lessons",
                               verbose_name=_("story column"))
    category = models.CharField(_("lesson category"), max_length=12, choices=Category.choices, blank=True)
    title = models.CharField(_("title"), max_length=100)
    sms_text = models.TextField(_("SMS text"))
    web_body = models.TextField(_("web version"), blank=True,
                                help_text=_("Optional longer text, reached by a short link in the SMS."))
    code = models.CharField(_("short link code"), max_length=16, unique=True, default=short_code, editable=False)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices, default=Audience.ALL)
    branch = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("party branch"))
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("unit"))
    floor = models.ForeignKey(Floor, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("floor"))
    send_at = models.DateTimeField(_("send time"))
    repeat_weekly = models.BooleanField(_("repeat weekly"), default=False)
    series_weeks = models.PositiveSmallIntegerField(_("weeks in the series"), default=1)
    urgent = models.BooleanField(_("urgent (may be sent in quiet hours)"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CentreQuerySet.as_manager()

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["-send_at", "-pk"]
        indexes = [models.Index(fields=["centre", "-send_at"])]

    def __str__(self):
        return self.title


class BroadcastQuerySet(OfficeQuerySet):
    pass


class Broadcast(models.Model):
    """One sending of a text to an audience, resolved into messages at send time."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        DONE = "done", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="broadcasts",
                               verbose_name=_("service centre"))
    lesson = models.ForeignKey(Lesson, null=True, blank=True, on_delete=models.SET_NULL, related_name="broadcasts",
                               verbose_name=_("lesson"))
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("text as received"))
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices, default=Audience.ALL)
    branch = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("party branch"))
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("unit"))
    floor = models.ForeignKey(Floor, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("floor"))
    person_ids = models.JSONField(_("chosen people"), default=list, blank=True)
    send_at = models.DateTimeField(_("send time"), db_index=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.SCHEDULED)
    channel = models.CharField(_("channel"), max_length=50, blank=True)
    total = models.PositiveIntegerField(_("messages"), default=0)
    resolved_at = models.DateTimeField(_("audience resolved at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = BroadcastQuerySet.as_manager()

    class Meta:
        verbose_name = _("broadcast")
        verbose_name_plural = _("broadcasts")
        ordering = ["-send_at", "-pk"]
        indexes = [models.Index(fields=["state", "send_at"])]

    def __str__(self):
        return self.title


class SkippedRecipient(models.Model):
    """A person of the audience who got no message, and why (listed, not silently skipped)."""

    class Reason(models.TextChoices):
        NO_MOBILE = "no_mobile", _("No mobile number")
        INVALID = "invalid", _("Not a mobile number")

    broadcast = models.ForeignKey(Broadcast, on_delete=models.CASCADE, related_name="skipped",
                                  verbose_name=_("broadcast"))
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("person"))
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)

    class Meta:
        verbose_name = _("skipped recipient")
        verbose_name_plural = _("skipped recipients")
        constraints = [models.UniqueConstraint(fields=["broadcast", "person"], name="skipped_unique")]

    def __str__(self):
        return f"{self.person_id} {self.get_reason_display()}"


class MessageQuerySet(OfficeQuerySet):
    centre_lookup = "broadcast__centre"


class Message(models.Model):
    """One SMS to one phone. The sending protocol is in `dispatch.py`."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Handing to the gateway")
        SENT = "sent", _("Sent to the gateway")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        RETRY = "retry", _("Waiting to retry")
        UNKNOWN = "unknown", _("Outcome unknown")
        CANCELLED = "cancelled", _("Cancelled")

    broadcast = models.ForeignKey(Broadcast, on_delete=models.CASCADE, related_name="messages",
                                  verbose_name=_("broadcast"))
    person = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("person"))
    mobile = models.CharField(_("mobile phone"), max_length=11)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claim_token = models.CharField(_("claim"), max_length=32, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    gateway_id = models.CharField(_("gateway message id"), max_length=64, blank=True)
    error = models.CharField(_("reason"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["pk"]
        # Partial indexes: a broadcast inserts hundreds of thousands of rows at once, and
        # only "sending" rows (claims) and rows with a gateway id (receipts) are looked up.
        indexes = [
            models.Index(fields=["broadcast", "state"]),
            models.Index(fields=["claimed_at"], condition=Q(state="sending"), name="message_claimed"),
            models.Index(fields=["gateway_id"], condition=~Q(gateway_id=""), name="message_gateway_id"),
        ]

    def __str__(self):
        return f"{self.mobile} {self.get_state_display()}"

    @property
    def client_ref(self):
        """Our reference the gateway keeps (Aliyun OutId, Tencent SessionContext, the file
        channel's `ref`): one per attempt, so reconciliation asks about exactly one handoff."""
        return f"vg{self.pk}a{self.attempts}"


class Receipt(models.Model):
    """A delivery receipt as received, kept so a replayed receipt is recognised."""

    channel = models.CharField(_("channel"), max_length=20)
    key = models.CharField(_("receipt key"), max_length=150)
    message = models.ForeignKey(Message, null=True, on_delete=models.SET_NULL, related_name="receipts",
                                verbose_name=_("message"))
    status = models.CharField(_("status"), max_length=30)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery receipt")
        verbose_name_plural = _("delivery receipts")
        constraints = [models.UniqueConstraint(fields=["channel", "key"], name="receipt_unique")]

    def __str__(self):
        return f"{self.channel} {self.key} {self.status}"


# Document circulation -----------------------------------------------------------------------


class CircularQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        q = Q(centre__in=scope.centres(Role.OFFICE))
        q |= scope.org_q("branches", Role.SECRETARY)
        if scope.person_id:
            q |= Q(branches__members__pk=scope.person_id, circulated_at__isnull=False)
        return self.filter(q).distinct()


class Circular(models.Model):
    """A non-classified document circulated branch by branch for every member to sign."""

    class Secrecy(models.TextChoices):
        NONE = "none", _("Non-classified")
        INTERNAL = "internal", _("Internal (restricted)")
        SECRET = "secret", _("Secret")
        CONFIDENTIAL = "confidential", _("Confidential")
        TOP_SECRET = "top_secret", _("Top secret")

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="circulars",
                               verbose_name=_("service centre"))
    title = models.CharField(_("title"), max_length=200)
    issuer = models.CharField(_("issuing body"), max_length=100)
    number = models.CharField(_("document number"), max_length=60)
    secrecy = models.CharField(_("classification"), max_length=12, choices=Secrecy.choices, default=Secrecy.NONE)
    summary = models.TextField(_("summary"), blank=True)
    file = models.FileField(_("file"), upload_to="private/circulars/%Y/")
    file_kind = models.CharField(_("file type"), max_length=4)
    file_size = models.PositiveIntegerField(_("file size"), default=0)
    original_name = models.CharField(_("file name"), max_length=200)
    branches = models.ManyToManyField(Organization, related_name="circulars", blank=True,
                                      verbose_name=_("branches"))
    circulated_at = models.DateTimeField(_("circulated at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CircularQuerySet.as_manager()

    class Meta:
        verbose_name = _("circulated document")
        verbose_name_plural = _("circulated documents")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.number} {self.title}"


class SignatureQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        q = Q(circular__centre__in=scope.centres(Role.OFFICE)) | scope.org_q("person__branch", Role.SECRETARY)
        if scope.person_id:
            q |= Q(person_id=scope.person_id)
        return self.filter(q)


class CircularSignature(models.Model):
    circular = models.ForeignKey(Circular, on_delete=models.CASCADE, related_name="signatures",
                                 verbose_name=_("circulated document"))
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="circular_signatures",
                               verbose_name=_("person"))
    branch = models.ForeignKey(Organization, null=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("party branch"))
    signed_at = models.DateTimeField(_("signed at"), auto_now_add=True)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["signed_at"]
        constraints = [models.UniqueConstraint(fields=["circular", "person"], name="signature_unique")]

    def __str__(self):
        return f"{self.person_id} {self.signed_at:%Y-%m-%d %H:%M}"


class CircularReminder(models.Model):
    circular = models.ForeignKey(Circular, on_delete=models.CASCADE, related_name="reminders",
                                 verbose_name=_("circulated document"))
    branch = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("party branch"))
    broadcast = models.ForeignKey(Broadcast, null=True, on_delete=models.SET_NULL, related_name="+",
                                  verbose_name=_("broadcast"))
    people = models.PositiveIntegerField(_("people reminded"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("reminded by"))
    created_at = models.DateTimeField(_("reminded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self):
        return f"{self.circular_id} {self.branch_id} {self.people}"


# Booklets ------------------------------------------------------------------------------------


class Booklet(models.Model):
    """A pocket booklet (口袋书): a PDF, or chapters written in the system."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="booklets",
                               verbose_name=_("service centre"))
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    file = models.FileField(_("PDF file"), upload_to="private/booklets/", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CentreQuerySet.as_manager()

    class Meta:
        verbose_name = _("booklet")
        verbose_name_plural = _("booklets")
        ordering = ["title"]

    def __str__(self):
        return self.title


class Chapter(models.Model):
    booklet = models.ForeignKey(Booklet, on_delete=models.CASCADE, related_name="chapters",
                                verbose_name=_("booklet"))
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))

    class Meta:
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")
        ordering = ["booklet", "number"]
        constraints = [models.UniqueConstraint(fields=["booklet", "number"], name="chapter_number_unique")]

    def __str__(self):
        return self.title


class ReadingQuerySet(ScopedQuerySet):
    def scoped(self, scope, user):
        q = Q(booklet__centre__in=scope.centres(Role.OFFICE)) | scope.org_q("person__branch", Role.SECRETARY)
        if scope.person_id:
            q |= Q(person_id=scope.person_id)
        return self.filter(q)


class ReadingRecord(models.Model):
    """Who read which booklet (or chapter), when first and last, how often."""

    booklet = models.ForeignKey(Booklet, on_delete=models.CASCADE, related_name="readings",
                                verbose_name=_("booklet"))
    chapter = models.ForeignKey(Chapter, null=True, blank=True, on_delete=models.CASCADE, related_name="readings",
                                verbose_name=_("chapter"))
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="readings", verbose_name=_("person"))
    first_read_at = models.DateTimeField(_("first read"), auto_now_add=True)
    last_read_at = models.DateTimeField(_("last read"), auto_now=True)
    times = models.PositiveIntegerField(_("times read"), default=1)

    objects = ReadingQuerySet.as_manager()

    class Meta:
        verbose_name = _("reading record")
        verbose_name_plural = _("reading records")
        ordering = ["-last_read_at"]
        constraints = [
            models.UniqueConstraint(fields=["booklet", "chapter", "person"], name="reading_unique"),
            models.UniqueConstraint(fields=["booklet", "person"], condition=Q(chapter__isnull=True),
                                    name="reading_whole_unique"),
        ]

    def __str__(self):
        return f"{self.person_id} {self.booklet_id} {self.times}"

"""Quarterly satisfaction evaluations (满意度测评) of vanguard posts.

Anonymity: an Invitation only knows whether it was used (no time of use);
an AnswerSheet knows its evaluation, its evaluator group and the DAY it was
answered, nothing else. Sheets and their items have random UUID keys and no
default order, so neither a key nor an auto-increment reveals which code was
used for which answer, not even to the office."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vanguard.core.roles import Role
from vanguard.core.scoping import CentreScopedQuerySet
from vanguard.core.sms_codes import random_code
from vanguard.org.models import ServiceCentre, Unit, Window
from vanguard.posts.models import VanguardPost

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10


def new_code():
    return random_code(CODE_ALPHABET, CODE_LENGTH)


class OfficeQuerySet(CentreScopedQuerySet):
    """Evaluations are the office's business: only its centres see them."""

    def scoped(self, scope, user):
        return self.filter(**{f"{self.centre_lookup}__in": scope.centres(Role.OFFICE)})


class EvaluationQuerySet(OfficeQuerySet):
    def quarterly(self):
        return self.filter(purpose=Evaluation.Purpose.QUARTERLY)


class Evaluation(models.Model):
    """A questionnaire answered anonymously behind one-time codes. The quarterly evaluation
    of posts is the usual one; the cases room's review campaign (评议活动, `cases.Campaign`)
    uses one of purpose "campaign" for its groups, codes, anonymous answers and progress,
    rating units instead of posts (AnswerItem.unit)."""

    class Purpose(models.TextChoices):
        QUARTERLY = "quarterly", _("Quarterly evaluation")
        CAMPAIGN = "campaign", _("Review campaign")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        OPEN = "open", _("In progress")
        CLOSED = "closed", pgettext_lazy("evaluation status", "Closed")

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="evaluations",
                               verbose_name=_("service centre"))
    title = models.CharField(_("title"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices, default=Purpose.QUARTERLY,
                               editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=[(i, str(i)) for i in range(1, 5)])
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT,
                              editable=False)
    threshold = models.DecimalField(_("pass threshold (%)"), max_digits=5, decimal_places=2, default=90)
    min_answers = models.PositiveIntegerField(_("minimum answers per post"), default=10)
    posts = models.ManyToManyField(VanguardPost, related_name="evaluations", verbose_name=_("vanguard posts"))
    windows = models.ManyToManyField(Window, blank=True, related_name="evaluations", verbose_name=_("windows"))
    opened_on = models.DateField(_("opened on"), null=True, blank=True, editable=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("satisfaction evaluation")
        verbose_name_plural = _("satisfaction evaluations")
        ordering = ["-year", "-quarter", "-pk"]
        constraints = [models.UniqueConstraint(fields=["centre", "year", "quarter"], name="evaluation_quarter_unique",
                                               condition=models.Q(purpose="quarterly"))]

    def __str__(self):
        return self.title

    @property
    def period_label(self):
        return f"{self.year}Q{self.quarter}"


class ChildQuerySet(OfficeQuerySet):
    centre_lookup = "evaluation__centre"


class Question(models.Model):
    class Kind(models.TextChoices):
        SCALE = "scale", _("Five-level scale")
        TEXT = "text", _("Text")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("question"), max_length=200)
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices, default=Kind.SCALE)
    required = models.BooleanField(_("required"), default=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["evaluation", "order", "pk"]

    def __str__(self):
        return self.text


class EvaluatorGroup(models.Model):
    class Kind(models.TextChoices):
        DEPUTIES = "deputies", _("Deputies and CPPCC members")
        ENTERPRISES = "enterprise", _("Enterprises")
        USERS = "users", _("Service users")
        PUBLIC = "public", _("The public")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="groups")
    kind = models.CharField(_("evaluator group"), max_length=10, choices=Kind.choices)
    quota = models.PositiveIntegerField(_("quota"))

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluator group")
        verbose_name_plural = _("evaluator groups")
        ordering = ["evaluation", "kind"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "kind"], name="evaluator_group_unique")]

    def __str__(self):
        return self.get_kind_display()


class Invitation(models.Model):
    """A one-time code. `used` is the only trace of its use."""

    class Channel(models.TextChoices):
        SLIP = "slip", _("Printed slip")
        QR = "qr", _("QR code")
        SMS = "sms", _("SMS link")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="invitations")
    group = models.ForeignKey(EvaluatorGroup, on_delete=models.CASCADE, related_name="invitations")
    code = models.CharField(_("invitation code"), max_length=12, unique=True, default=new_code)
    channel = models.CharField(_("invitation channel"), max_length=5, choices=Channel.choices, default=Channel.SLIP)
    valid_until = models.DateTimeField(_("valid until"))
    used = models.BooleanField(_("used"), default=False)

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["evaluation", "group", "pk"]

    def __str__(self):
        return self.code

    @property
    def public_path(self):
        if self.evaluation.purpose == Evaluation.Purpose.CAMPAIGN:
            return f"/review/{self.code}/"
        return f"/s/{self.code}/"

    @property
    def public_url(self):
        return settings.PUBLIC_BASE_URL + self.public_path


class AnswerSheet(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="sheets")
    group_kind = models.CharField(_("evaluator group"), max_length=10, choices=EvaluatorGroup.Kind.choices)
    answered_on = models.DateField(_("answered on"))

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("answer sheet")
        verbose_name_plural = _("answer sheets")

    def __str__(self):
        return f"{self.evaluation_id}:{self.group_kind}"


class ItemQuerySet(OfficeQuerySet):
    centre_lookup = "sheet__evaluation__centre"


class AnswerItem(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sheet = models.ForeignKey(AnswerSheet, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(VanguardPost, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # A review campaign rates units (and its issue texts name the unit they are about).
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    # "不了解": the evaluator does not know this post well enough. Kept (so the office sees how
    # many said so) but with no value, hence outside every satisfaction rate.
    dont_know = models.BooleanField(default=False)
    text = models.TextField(blank=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["sheet"]), models.Index(fields=["post", "question"]),
                   models.Index(fields=["unit", "question"], condition=models.Q(unit__isnull=False),
                                name="answer_item_unit")]
        constraints = [models.CheckConstraint(condition=~models.Q(dont_know=True, value__isnull=False),
                                              name="answer_dont_know_has_no_value")]

    def __str__(self):
        return str(self.value if self.value is not None else self.text[:20])


class PostResult(models.Model):
    class Outcome(models.TextChoices):
        PASS = "pass", _("Passed")
        FAIL = "fail", _("Failed the evaluation")
        INSUFFICIENT = "insufficient", _("Not enough answers")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="results")
    post = models.ForeignKey(VanguardPost, on_delete=models.PROTECT, related_name="evaluation_results")
    answers = models.PositiveIntegerField(_("answers"))
    satisfied = models.PositiveIntegerField(_("satisfied answers"))
    scale_answers = models.PositiveIntegerField(_("scale answers"))
    rate = models.DecimalField(_("satisfaction rate"), max_digits=5, decimal_places=2, null=True)
    outcome = models.CharField(_("evaluation result"), max_length=12, choices=Outcome.choices)

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation result")
        verbose_name_plural = _("evaluation results")
        ordering = ["evaluation", "post__name"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "post"], name="post_result_unique")]

    def __str__(self):
        return f"{self.evaluation} · {self.post} · {self.get_outcome_display()}"


class Decision(models.Model):
    class Kind(models.TextChoices):
        NAMING = "naming", _("Naming")
        WARNING = "warning", _("Warning")
        REVOCATION = "revocation", _("Revocation")

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        DONE = "done", _("Done")
        DISMISSED = "dismissed", _("Dismissed")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="decisions")
    result = models.ForeignKey(PostResult, on_delete=models.PROTECT, related_name="decisions")
    post = models.ForeignKey(VanguardPost, on_delete=models.PROTECT, related_name="evaluation_decisions")
    kind = models.CharField(_("decision"), max_length=10, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=40, blank=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["evaluation", "post__name", "pk"]

    def __str__(self):
        return f"{self.post} · {self.get_kind_display()}"

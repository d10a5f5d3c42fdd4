"""The review campaign (评议活动): the office opens a campaign for a period over a set of
units; reviewer groups with quotas (enterprises, deputies and committee members, the public,
service users) answer a questionnaire that rates each unit and asks for its issues.

The quarterly evaluation's machinery does the reviewing (vanguard/surveys): the campaign's
questionnaire is a surveys.Evaluation of purpose "campaign" - its groups and quotas, its
one-time codes (`issue_invitations`, printed slips), the anonymous answer sheets
(`usable_invitation`/`spend_invitation`) and the live progress (`progress`). This module adds
what a campaign has more:

- invitations by SMS to a random sample of recent service users, taken from the ratings
  room's transactions with the campaign's units: each mobile at most once per campaign, the
  opt-out list honoured (the citizen opts out from the invitation's link, `opt_out`), each SMS
  claimed before it is handed over so it is never sent twice (`send_invitations`);
- every issue raised becomes a case routed to its unit (`intake_case(source="campaign")`);
- the results per unit with ranks, computed when the campaign closes (`UnitResult`), and the
  campaign's figures (selectors.campaign_figures).

Every use case is one transaction, takes the acting user, checks the office's right and writes
its audit row; bad input is a ValidationError naming the field, in Chinese."""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.permissions import require
from vanguard.core.system import SYSTEM
from vanguard.core.text import has_control
from vanguard.org.models import Unit
from vanguard.org.phones import normalise_mobile
from vanguard.surveys import services as surveys
from vanguard.surveys.models import AnswerItem, Evaluation, EvaluatorGroup, Invitation, Question

from .base import is_office
from .intake import check_public_input, intake_case
from .models import Campaign, CampaignContact, Case, Kind, SmsOptOut, Source, UnitResult

Status = Campaign.Status
Group = EvaluatorGroup.Kind
DONT_KNOW = surveys.DONT_KNOW
DEFAULT_GROUPS = {Group.ENTERPRISES: 30, Group.DEPUTIES: 20, Group.PUBLIC: 50, Group.USERS: 100}
RATING_QUESTION = "对该单位作风和服务的总体评价"
ISSUE_QUESTION = "存在的问题和意见建议（将转交该单位办理）"
ISSUE_MAX = 1000
INVITATION_TEXT = "您近期在政务服务中心办理过业务，诚邀您参加“%(title)s”，为各单位作风打分、提意见：%(url)s 不再接收请点链接内“不再邀请”。"


def _require_office(actor, centre_id):
    require(is_office(actor, centre_id), _("Only the party-building office may manage review campaigns."))


def _locked(campaign):
    return Campaign.objects.select_for_update().select_related("evaluation").get(pk=campaign.pk)


def _expect(campaign, *statuses):
    if campaign.status not in statuses:
        raise ValidationError({"status": _("This campaign is “%(status)s”; this step is not possible now.") % {
            "status": campaign.get_status_display()}})


# Preparing ----------------------------------------------------------------------------------

@transaction.atomic
def create_campaign(actor, centre, *, title, starts_on, ends_on, units, groups=None, recent_days=90):
    """A campaign being prepared: its units, period and reviewer groups with their quotas."""
    _require_office(actor, centre.pk)
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Give the campaign a title.")
    elif len(title) > 100 or has_control(title):
        errors["title"] = _("The title is at most 100 characters.")
    if not isinstance(starts_on, datetime.date):
        errors["starts_on"] = _("Give the first day of the campaign.")
    if not isinstance(ends_on, datetime.date):
        errors["ends_on"] = _("Give the last day of the campaign.")
    elif isinstance(starts_on, datetime.date) and ends_on < starts_on:
        errors["ends_on"] = _("The campaign cannot end before it starts.")
    units = list(units or [])
    if not units:
        errors["units"] = _("Choose the units to review.")
    elif any(u.centre_id != centre.pk for u in units):
        errors["units"] = _("Only units of this service centre can be reviewed.")
    try:
        recent_days = int(recent_days)
    except (TypeError, ValueError):
        recent_days = 0
    if not 1 <= recent_days <= 365:
        errors["recent_days"] = _("Invite service users of the last 1 to 365 days.")
    quotas = {}
    for kind, quota in (DEFAULT_GROUPS if groups is None else groups).items():
        if kind not in Group.values:
            errors["groups"] = _("Unknown reviewer group.")
            continue
        try:
            quota = int(quota)
        except (TypeError, ValueError):
            quota = -1
        if not 0 <= quota <= 100000:
            errors[f"quota_{kind}"] = _("A quota is a whole number from 0 to 100000.")
        quotas[kind] = quota
    if not errors and not any(q > 0 for q in quotas.values()):
        errors["groups"] = _("Set at least one reviewer group with a quota.")
    if errors:
        raise ValidationError(errors)
    evaluation = Evaluation.objects.create(
        centre=centre, title=title, purpose=Evaluation.Purpose.CAMPAIGN, year=starts_on.year,
        quarter=(starts_on.month - 1) // 3 + 1, min_answers=1,
        created_by=actor if getattr(actor, "pk", None) else None)
    Question.objects.bulk_create([
        Question(evaluation=evaluation, order=0, text=RATING_QUESTION, kind=Question.Kind.SCALE),
        Question(evaluation=evaluation, order=1, text=ISSUE_QUESTION, kind=Question.Kind.TEXT, required=False)])
    EvaluatorGroup.objects.bulk_create([EvaluatorGroup(evaluation=evaluation, kind=kind, quota=quota)
                                        for kind, quota in quotas.items()])
    campaign = Campaign.objects.create(centre=centre, title=title, starts_on=starts_on, ends_on=ends_on,
                                       evaluation=evaluation, recent_days=recent_days,
                                       created_by=actor if getattr(actor, "pk", None) else None)
    campaign.units.set(units)
    audit.record_create(actor, campaign, verb=audit.Event.CAMPAIGN_CREATED, centre_id=centre.pk)
    return campaign


@transaction.atomic
def set_quota(actor, campaign, *, kind, quota):
    """A reviewer group's quota (the quarterly evaluation's rule: never below the codes issued)."""
    _require_office(actor, campaign.centre_id)
    campaign = _locked(campaign)
    _expect(campaign, Status.DRAFT, Status.OPEN)
    try:
        quota = int(quota)
    except (TypeError, ValueError):
        raise ValidationError({"quota": _("A quota is a whole number from 0 to 100000.")}) from None
    if not 0 <= quota <= 100000:
        raise ValidationError({"quota": _("A quota is a whole number from 0 to 100000.")})
    return surveys.set_group(actor, campaign.evaluation, kind=kind, quota=quota)


@transaction.atomic
def open_campaign(actor, campaign):
    """Answers are taken from now on: codes and SMS invitations can go out."""
    _require_office(actor, campaign.centre_id)
    campaign = _locked(campaign)
    _expect(campaign, Status.DRAFT)
    surveys.open_evaluation(actor, campaign.evaluation)
    before = audit.snapshot(campaign)
    campaign.status, campaign.opened_at = Status.OPEN, timezone.now()
    campaign.save()
    audit.record_update(actor, campaign, before, verb=audit.Event.CAMPAIGN_OPENED)
    return campaign


def _valid_days(campaign, valid_days):
    try:
        valid_days = int(valid_days)
    except (TypeError, ValueError):
        valid_days = 0
    if not 1 <= valid_days <= 120:
        raise ValidationError({"valid_days": _("An invitation is valid for 1 to 120 days.")})
    return valid_days


@transaction.atomic
def issue_codes(actor, campaign, *, kind, count, valid_days=14):
    """One-time codes for a group (printed slips or handed out): the quarterly evaluation's."""
    _require_office(actor, campaign.centre_id)
    campaign = _locked(campaign)
    _expect(campaign, Status.OPEN)
    group = campaign.evaluation.groups.filter(kind=kind).first()
    if group is None:
        raise ValidationError({"kind": _("This campaign has no such reviewer group.")})
    try:
        count = int(count)
    except (TypeError, ValueError):
        count = 0
    if count > 5000:
        raise ValidationError({"count": _("Issue at most 5000 codes at a time.")})
    return surveys.issue_invitations(actor, campaign.evaluation, group=group, count=count,
                                     valid_days=_valid_days(campaign, valid_days))


# Service users invited by SMS ------------------------------------------------------------------

def _mobile(raw):
    try:
        return normalise_mobile(raw) if raw else ""
    except ValidationError:
        return ""


def recent_mobiles(campaign, now=None):
    """The distinct mobiles of the campaign units' service users of its recent days, without the
    opted-out and the already invited (a set)."""
    from vanguard.ratings.models import Transaction

    now = now or timezone.now()
    since = now - datetime.timedelta(days=campaign.recent_days)
    raw = (Transaction.objects.filter(centre_id=campaign.centre_id, unit__in=campaign.units.all(),
                                      accepted_at__gte=since, accepted_at__lte=now)
           .exclude(rater_phone="").order_by().values_list("rater_phone", flat=True).distinct())
    mobiles = {m for m in (_mobile(r) for r in raw) if m}
    if not mobiles:
        return mobiles
    taken = set(CampaignContact.objects.filter(campaign=campaign).values_list("mobile", flat=True))
    out = set()
    chunk = sorted(mobiles)
    for i in range(0, len(chunk), 5000):
        out |= set(SmsOptOut.objects.filter(mobile__in=chunk[i:i + 5000]).values_list("mobile", flat=True))
    return mobiles - taken - out


@transaction.atomic
def invite_service_users(actor, campaign, *, count, valid_days=14, seed=None):
    """Invite a random sample of recent service users by SMS: one code each, in the service
    users' quota. The SMS go out after the commit (`send_invitations`, also run by the worker
    and by `vanguard campaign send`)."""
    _require_office(actor, campaign.centre_id)
    campaign = _locked(campaign)
    _expect(campaign, Status.OPEN)
    valid_days = _valid_days(campaign, valid_days)
    try:
        count = int(count)
    except (TypeError, ValueError):
        count = 0
    if count < 1:
        raise ValidationError({"count": _("Invite at least one service user.")})
    group = campaign.evaluation.groups.select_for_update().filter(kind=Group.USERS).first()
    if group is None:
        raise ValidationError({"count": _("This campaign has no group of service users.")})
    pool = sorted(recent_mobiles(campaign))
    if not pool:
        raise ValidationError({"count": _("No service user of the campaign's units in its recent days can be "
                                          "invited (none left with a mobile, or all invited or opted out).")})
    chosen = random.Random(seed).sample(pool, min(count, len(pool)))
    invitations = surveys.issue_invitations(actor, campaign.evaluation, group=group, count=len(chosen),
                                            valid_days=valid_days, channel=Invitation.Channel.SMS)
    CampaignContact.objects.bulk_create([CampaignContact(campaign=campaign, mobile=mobile, invitation=invitation)
                                         for mobile, invitation in zip(chosen, invitations, strict=True)])
    audit.record(actor, audit.Action.CREATE, campaign, {"invited": [None, len(chosen)]},
                 verb=audit.Event.CAMPAIGN_INVITED, centre_id=campaign.centre_id)
    transaction.on_commit(lambda: _kick(campaign.pk))
    return len(chosen)


def _kick(campaign_pk):
    from .tasks import send_campaign_invitations

    try:
        send_campaign_invitations.enqueue(campaign_pk)
    except Exception:  # no worker backend here: the periodic run or the command sends them
        send_invitations(campaign_pk)


def send_invitations(campaign_pk=None, limit=5000):
    """Send the invitations not sent yet: each claimed (sent_at set, in its own commit) before
    it is handed to the gateway, so a worker dying mid-way never sends one twice (a lost one is
    marked failed, not retried). Returns (sent, failed)."""
    from vanguard.messaging.direct import send_now

    pending = CampaignContact.objects.filter(sent_at__isnull=True, campaign__status=Status.OPEN)
    if campaign_pk is not None:
        pending = pending.filter(campaign_id=campaign_pk)
    sent = failed = 0
    rows = list(pending.select_related("campaign", "invitation__evaluation").order_by("pk")[:limit])
    for contact in rows:
        if not CampaignContact.objects.filter(pk=contact.pk, sent_at__isnull=True).update(sent_at=timezone.now()):
            continue  # another worker took it
        text = INVITATION_TEXT % {"title": contact.campaign.title, "url": contact.invitation.public_url}
        if send_now(contact.mobile, text, ref_prefix=f"review{contact.pk}"):
            sent += 1
        else:
            CampaignContact.objects.filter(pk=contact.pk).update(failed=True)
            failed += 1
    return sent, failed


@transaction.atomic
def opt_out(code):
    """The citizen, from the invitation's link, asks for no more review invitations: their
    mobile joins the opt-out list (the code stays usable for this campaign). True when the
    code was an SMS invitation."""
    invitation = surveys.find_invitation(code)
    contact = CampaignContact.objects.filter(invitation=invitation).first() if invitation else None
    if contact is None:
        return False
    SmsOptOut.objects.get_or_create(mobile=contact.mobile)
    audit.record(SYSTEM, audit.Action.CREATE, contact.campaign, {"opted_out": [None, 1]},
                 verb=audit.Event.CAMPAIGN_OPT_OUT, centre_id=contact.campaign.centre_id)
    return True


# Answering ---------------------------------------------------------------------------------

def questionnaire(campaign):
    """(units, rating question, issue question) of the campaign's questionnaire."""
    questions = {q.kind: q for q in campaign.evaluation.questions.all()}
    return (list(campaign.units.order_by("name", "pk")), questions[Question.Kind.SCALE],
            questions[Question.Kind.TEXT])


def level_field(unit):
    return f"u_{unit.pk}"


def issue_field(unit):
    return f"i_{unit.pk}"


def _kind_for(level):
    """An issue raised with a poor rating is a complaint; otherwise a suggestion."""
    return Kind.COMPLAINT if level is not None and level <= 2 else Kind.SUGGESTION


@transaction.atomic
def submit_review(code, *, levels, issues=None, contact_mobile="", now=None):
    """A reviewer's answers behind a one-time code: {unit_id: 1..5 or DONT_KNOW} and
    {unit_id: issue text}. The answers are stored anonymously (the quarterly evaluation's
    sheet); every issue becomes a case routed to its unit, anonymous unless the reviewer
    leaves a mobile to be answered. Bad answers raise one ValidationError keyed by form field;
    nothing is stored."""
    now = now or timezone.now()
    invitation = surveys.usable_invitation(code, now)
    campaign = Campaign.objects.select_related("centre").filter(evaluation_id=invitation.evaluation_id).first()
    if campaign is None:
        raise ValidationError(_("This invitation code does not exist."))
    units, rating_q, issue_q = questionnaire(campaign)
    items, raised, errors = [], [], {}
    for unit in units:
        value = levels.get(unit.pk)
        level = None
        if value in (None, ""):
            errors[level_field(unit)] = _("“%(unit)s”: choose a level, or “Don't know”.") % {"unit": unit.name}
        elif value == DONT_KNOW:
            items.append(AnswerItem(question=rating_q, unit=unit, dont_know=True))
        else:
            level = surveys.scale_value(value)
            if level is None:
                errors[level_field(unit)] = _("“%(unit)s”: choose a level from 1 to 5, or “Don't know”.") % {
                    "unit": unit.name}
            else:
                items.append(AnswerItem(question=rating_q, unit=unit, value=level))
        text = ((issues or {}).get(unit.pk) or "").strip()
        if not text:
            continue
        if len(text) > ISSUE_MAX:
            errors[issue_field(unit)] = _("“%(unit)s”: at most %(limit)s characters (now %(length)s).") % {
                "unit": unit.name, "limit": ISSUE_MAX, "length": len(text)}
            continue
        try:
            text = check_public_input(kind=_kind_for(level), content=text)
        except ValidationError as e:
            errors[issue_field(unit)] = " ".join(e.messages)
            continue
        items.append(AnswerItem(question=issue_q, unit=unit, text=text))
        raised.append((unit, level, text))
    mobile = ""
    if (contact_mobile or "").strip():
        mobile = _mobile(contact_mobile)
        if not mobile:
            errors["contact_mobile"] = _("Give a mainland mobile number of 11 digits, or leave it empty.")
        elif not raised:
            errors["contact_mobile"] = _("A mobile is kept only to answer an issue you raise.")
    if errors:
        raise ValidationError(errors)
    sheet = surveys.spend_invitation(invitation, now)
    for item in items:
        item.sheet = sheet
    AnswerItem.objects.bulk_create(items)
    for unit, level, text in raised:
        intake_case(SYSTEM, centre=campaign.centre, kind=_kind_for(level), content=text, source=Source.CAMPAIGN,
                    source_ref=campaign.ref, unit=unit, contact_mobile=mobile, received_at=now)
    return sheet


# Closing and results --------------------------------------------------------------------------

def _ranked(rows):
    """Standard competition ranking by rate then mean (1, 1, 3); rows without answers unranked."""
    ordered = sorted((r for r in rows if r.rate is not None), key=lambda r: (-r.rate, -(r.mean or 0)))
    previous, rank = None, 0
    for position, row in enumerate(ordered, start=1):
        key = (row.rate, row.mean)
        if key != previous:
            rank, previous = position, key
        row.rank = rank
    return rows


def compute_results(campaign):
    """Each unit's answers, "don't know"s, satisfied answers (basically satisfied or better),
    rate, mean level, issues raised and rank: two grouped queries, unsaved UnitResult rows."""
    rating_q = campaign.evaluation.questions.filter(kind=Question.Kind.SCALE).values_list("pk", flat=True).first()
    stats = {row["unit"]: row for row in AnswerItem.objects.filter(
        sheet__evaluation_id=campaign.evaluation_id, question_id=rating_q, unit__isnull=False).values("unit").annotate(
        answers=Count("pk", filter=Q(value__isnull=False)), dont_know=Count("pk", filter=Q(dont_know=True)),
        satisfied=Count("pk", filter=Q(value__gte=3)), total=Sum("value"))}
    issues = dict(Case.objects.filter(source=Source.CAMPAIGN, source_ref=campaign.ref).values_list("unit")
                  .annotate(n=Count("pk")).order_by())
    rows = []
    for unit in campaign.units.order_by("name", "pk"):
        row = stats.get(unit.pk, {"answers": 0, "dont_know": 0, "satisfied": 0, "total": 0})
        rate = mean = None
        if row["answers"]:
            rate = (Decimal(row["satisfied"] * 100) / row["answers"]).quantize(Decimal("0.01"), ROUND_HALF_UP)
            mean = (Decimal(row["total"]) / row["answers"]).quantize(Decimal("0.01"), ROUND_HALF_UP)
        rows.append(UnitResult(campaign=campaign, unit=unit, answers=row["answers"], dont_know=row["dont_know"],
                               satisfied=row["satisfied"], rate=rate, mean=mean, issues=issues.get(unit.pk, 0)))
    return _ranked(rows)


@transaction.atomic
def close_campaign(actor, campaign):
    """No more answers; each unit's result and rank are kept (UnitResult). The issues already
    routed go on as cases under their deadlines."""
    _require_office(actor, campaign.centre_id)
    campaign = _locked(campaign)
    _expect(campaign, Status.OPEN)
    surveys.close_evaluation(actor, campaign.evaluation)
    before = audit.snapshot(campaign)
    campaign.status, campaign.closed_at = Status.CLOSED, timezone.now()
    campaign.save()
    UnitResult.objects.bulk_create(compute_results(campaign))
    audit.record_update(actor, campaign, before, verb=audit.Event.CAMPAIGN_CLOSED)
    return campaign


def units_of(centre):
    return Unit.objects.filter(centre=centre).order_by("name", "pk")

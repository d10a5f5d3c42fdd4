"""Audit changes and history details as a person reads them: the field's
Chinese label, a choice's label, a related object's name, a time in the local
time zone; never a field name, an id, `∅` or a UTC timestamp.

`describe(entries)` works on a page of rows at once, so related names cost one
query per related model, whatever the number of rows."""

import datetime
import re
from collections import defaultdict

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

# What services write as an audit entry's verb, in words. A verb not listed shows as written.
VERBS = {
    "open": pgettext_lazy("audit", "opened"), "close": pgettext_lazy("audit", "closed"), "name": pgettext_lazy("audit", "named"),
    "revoke": pgettext_lazy("audit", "revoked"), "disclose": pgettext_lazy("audit", "disclosed"), "cancel": pgettext_lazy("audit", "cancelled"),
    "sign": pgettext_lazy("audit", "signed"), "circulate": pgettext_lazy("audit", "circulated"), "remind": pgettext_lazy("audit", "reminded"),
    "review": pgettext_lazy("audit", "reviewed"), "overdue": pgettext_lazy("audit", "marked overdue"),
    "set-aside": pgettext_lazy("audit", "set aside"), "set-group": pgettext_lazy("audit", "group set"),
    "send test": pgettext_lazy("audit", "test message sent"), "resend failed": pgettext_lazy("audit", "failed messages resent"),
    "post to work groups": pgettext_lazy("audit", "posted to work groups"), "add chapter": pgettext_lazy("audit", "chapter added"),
    "reset password": pgettext_lazy("audit", "password reset"),
    "activate account": pgettext_lazy("audit", "account activated"),
    "deactivate account": pgettext_lazy("audit", "account deactivated"),
    "link account": pgettext_lazy("audit", "login account linked"),
    "unlink account": pgettext_lazy("audit", "login account unlinked"), "record-rating": pgettext_lazy("audit", "rating recorded"),
    "record-ratings": pgettext_lazy("audit", "ratings recorded"), "open-case": pgettext_lazy("audit", "case opened"),
    "open-cases": pgettext_lazy("audit", "cases opened"), "import-transactions": pgettext_lazy("audit", "transactions imported"),
    "issue-invitations": pgettext_lazy("audit", "invitations issued"), "create-evaluation": pgettext_lazy("audit", "evaluation created"),
    "confirm-naming": pgettext_lazy("audit", "naming confirmed"), "dismiss-naming": pgettext_lazy("audit", "naming dismissed"),
    "confirm calendar year": pgettext_lazy("audit", "calendar year confirmed"), "city demo": pgettext_lazy("audit", "city demo built"),
    "assessment scheme": pgettext_lazy("audit", "assessment scheme"), "scores entered": pgettext_lazy("audit", "scores entered"),
    "score entered": pgettext_lazy("audit", "score entered"), "score changed": pgettext_lazy("audit", "score changed"),
    "score corrected after publication": pgettext_lazy("audit", "score corrected after publication"),
    "results computed": pgettext_lazy("audit", "results computed"), "assessment month opened": pgettext_lazy("audit", "month opened"),
    "appeal submitted": pgettext_lazy("audit", "appeal submitted"), "appeal decided": pgettext_lazy("audit", "appeal decided"),
    "adjustment entered": pgettext_lazy("audit", "adjustment entered"), "adjustment decided": pgettext_lazy("audit", "adjustment decided"),
    "assessment scheme activated": pgettext_lazy("audit", "assessment scheme activated"),
    "scoring started": pgettext_lazy("audit", "scoring started"), "scoring closed": pgettext_lazy("audit", "scoring closed"),
    "scoring closed confirmed with members not assessed": pgettext_lazy(
        "audit", "scoring closed, members not assessed confirmed"),
    "publication confirmed with members not assessed": pgettext_lazy(
        "audit", "publication, members not assessed confirmed"),
    "published": pgettext_lazy("audit", "results published"), "made final": pgettext_lazy("audit", "made final"),
    "result version": pgettext_lazy("audit", "new result version"),
    "automatic indicators computed": pgettext_lazy("audit", "automatic indicators computed from the records"),
    "computed score overridden": pgettext_lazy("audit", "computed score overridden"),
    "computed score restored": pgettext_lazy("audit", "computed score restored"), "roster import": pgettext_lazy("audit", "roster imported"),
    "create API token": pgettext_lazy("audit", "API token created"), "rotate API token": pgettext_lazy("audit", "API token replaced"),
    # cases (audit.Event.CASE_*, vanguard/cases/)
    "receive case": pgettext_lazy("audit", "case received"),
    "dispatch case": pgettext_lazy("audit", "case dispatched"),
    "accept case": pgettext_lazy("audit", "case accepted"),
    "return case": pgettext_lazy("audit", "case returned"),
    "refer to office": pgettext_lazy("audit", "case referred to the office"),
    "supervise case": pgettext_lazy("audit", "case put under supervision"),
    "ask extension": pgettext_lazy("audit", "extension asked"),
    "grant extension": pgettext_lazy("audit", "extension granted"),
    "refuse extension": pgettext_lazy("audit", "extension refused"),
    "answer case": pgettext_lazy("audit", "case answered"),
    "call back": pgettext_lazy("audit", "call-back recorded"),
    "redo case": pgettext_lazy("audit", "case sent back to redo"),
    "close case": pgettext_lazy("audit", "case closed"),
    "case rules": pgettext_lazy("audit", "case rules set"),
    "campaign created": pgettext_lazy("audit", "review campaign created"),
    "campaign opened": pgettext_lazy("audit", "review campaign opened"),
    "campaign invitations sent": pgettext_lazy("audit", "service users invited to the review"),
    "campaign opt-out": pgettext_lazy("audit", "a service user opted out of review invitations"),
    "campaign closed": pgettext_lazy("audit", "review campaign closed"),
    # life
    "meeting cadence set": pgettext_lazy("audit", "meeting cadence set"),
    "meeting planned": pgettext_lazy("audit", "meeting planned"),
    "meeting changed": pgettext_lazy("audit", "meeting changed"),
    "meeting recorded as held": pgettext_lazy("audit", "meeting recorded as held"),
    "meeting file added": pgettext_lazy("audit", "meeting file added"),
    "attendance recorded": pgettext_lazy("audit", "attendance recorded"),
    "signed in": pgettext_lazy("audit", "signed in"),
    "leave requested": pgettext_lazy("audit", "leave requested"),
    "leave decided": pgettext_lazy("audit", "leave decided"),
    "make-up study recorded": pgettext_lazy("audit", "make-up study recorded"),
    "activity kind set": pgettext_lazy("audit", "activity kind set"),
    "activity recorded": pgettext_lazy("audit", "activity recorded"),
    "activity decided": pgettext_lazy("audit", "activity decided"),
    "meeting reminder sent": pgettext_lazy("audit", "meeting reminder sent"),
    "notice sent": pgettext_lazy("audit", "notice sent"),
    "notice preference": pgettext_lazy("audit", "notice preference changed"),
    "figures refreshed": pgettext_lazy("audit", "figures refreshed"),
    "big screen created": pgettext_lazy("audit", "big screen created"),
    "big screen revoked": pgettext_lazy("audit", "big screen revoked"),
    "annual report made": pgettext_lazy("audit", "annual report made"),
    # pledges
    "pledge made": pgettext_lazy("audit", "pledge made"), "pledge revised": pgettext_lazy("audit", "pledge revised"),
    "pledge approved": pgettext_lazy("audit", "pledge approved"),
    "pledge returned": pgettext_lazy("audit", "pledge returned"),
    "pledge progress recorded": pgettext_lazy("audit", "pledge progress recorded"),
    "pledge progress confirmed": pgettext_lazy("audit", "pledge progress confirmed"),
    "pledge judged": pgettext_lazy("audit", "pledge judged"),
    "pledge commented": pgettext_lazy("audit", "pledge commented"),
    "pledge comment moderated": pgettext_lazy("audit", "pledge comment moderated"),
    "post pledge broken": pgettext_lazy("audit", "post pledge broken"),
    "responsibility letter drafted": pgettext_lazy("audit", "responsibility letter drafted"),
    "responsibility letter targets set": pgettext_lazy("audit", "responsibility letter targets set"),
    "responsibility letter sent": pgettext_lazy("audit", "responsibility letter sent"),
    "responsibility letter signed": pgettext_lazy("audit", "responsibility letter signed"),
    "responsibility letter progress": pgettext_lazy("audit", "responsibility letter progress recorded"),
    "responsibility letter scored": pgettext_lazy("audit", "responsibility letter scored"),
    "responsibility letter results published": pgettext_lazy("audit", "responsibility letter results published"),
    # honours
    "selection opened": pgettext_lazy("audit", "selection opened"),
    "candidate nominated": pgettext_lazy("audit", "candidate nominated"),
    "nominations closed": pgettext_lazy("audit", "nominations closed"),
    "nomination scored by the panel": pgettext_lazy("audit", "nomination scored by the panel"),
    "vote codes issued": pgettext_lazy("audit", "vote codes issued"),
    "vote cast": pgettext_lazy("audit", "vote cast"),
    "nomination reviewed": pgettext_lazy("audit", "nomination reviewed"),
    "red-flag standards judged": pgettext_lazy("audit", "red-flag standards judged"),
    "public notice started": pgettext_lazy("audit", "public notice started"),
    "objection filed": pgettext_lazy("audit", "objection filed"),
    "objection answered": pgettext_lazy("audit", "objection answered"),
    "selection awarded": pgettext_lazy("audit", "selection awarded"),
    "rotating medals created": pgettext_lazy("audit", "rotating medals created"),
    "medals moved by the rule": pgettext_lazy("audit", "medals moved by the rule"),
    "medal passed by decision": pgettext_lazy("audit", "medal passed by decision"),
    "team created": pgettext_lazy("audit", "team created"),
    "service brand created": pgettext_lazy("audit", "service brand created"),
    "exemplar story linked": pgettext_lazy("audit", "exemplar story linked"),
}


def verb_label(verb):
    return str(VERBS.get(verb, verb))

# "surveys.evaluation:2": how services name an object of another app in a detail.
REFERENCE = re.compile(r"^(?P<label>[a-z_]+\.[a-z_]+):(?P<pk>\d+)$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Bookkeeping the entry's own time already states.
HIDDEN = {"created_at", "updated_at"}
# A bulk write's changed cells: shown as their own table (core/_audit_changes.html).
HIDDEN |= {"cells"}


def model_for(label):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def model_label(label):
    """'posts.vanguardpost' -> 先锋岗."""
    model = model_for(label)
    return str(model._meta.verbose_name) if model else label


def _field(model, name):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


class _Names:
    """Names of related objects, fetched once per model for a whole page."""

    def __init__(self):
        self.wanted = defaultdict(set)
        self.names = {}

    def want(self, model, pk):
        if model is not None and pk not in (None, ""):
            self.wanted[model].add(str(pk))

    def fetch(self):
        user_model = apps.get_model(settings.AUTH_USER_MODEL)
        for model, pks in self.wanted.items():
            queryset = model._base_manager.filter(pk__in=[pk for pk in pks if pk.isdigit()] or pks)
            if model is user_model:
                for user in queryset.select_related("person"):
                    person = getattr(user, "person", None)
                    self.names[(model, str(user.pk))] = person.name if person else user.username
                continue
            for obj in queryset:
                self.names[(model, str(obj.pk))] = str(obj)

    def name(self, model, pk):
        return self.names.get((model, str(pk)), _("(deleted, no. %(pk)s)") % {"pk": pk})


def _plan(model, name, value, names):
    """Register what `value` of field `name` needs resolved; return a renderer."""
    field = _field(model, name)
    if isinstance(value, str) and (match := REFERENCE.match(value)):
        ref_model = model_for(match["label"])
        if ref_model is not None:
            names.want(ref_model, match["pk"])
            return lambda: names.name(ref_model, match["pk"])
    if field is not None and field.is_relation and field.many_to_one and value not in (None, ""):
        names.want(field.related_model, value)
        return lambda: names.name(field.related_model, value)
    return lambda: plain(value, field)


def plain(value, field=None):
    """One stored value as text: choices, yes/no, local times, lists."""
    if value is None or value == "" or value == []:
        return ""
    if field is not None and getattr(field, "flatchoices", None):
        choices = {str(k): v for k, v in field.flatchoices}
        if str(value) in choices:
            return str(choices[str(value)])
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return "、".join(plain(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{plain(v)}" for k, v in value.items())
    if isinstance(value, str) and ISO_DATETIME.match(value):
        moment = parse_datetime(value)
        if moment is not None:
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return formats.date_format(moment, "Y-m-d H:i")
    if isinstance(value, str) and ISO_DATE.match(value) and parse_date(value):
        return value
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "Y-m-d H:i")
    return str(value)


def _label(model, name, labels):
    if name in labels:
        return str(labels[name])
    field = _field(model, name)
    if field is not None and hasattr(field, "verbose_name"):
        return str(field.verbose_name)
    return name.replace("_", " ")


def describe(rows, labels=None):
    """rows: (model label, {name: value or [before, after]}, paired) triples.
    Returns, per row, a list of {label, before, after}; `before` is None unless
    the row is a change (paired) with something before. `labels` names keys that
    are not fields."""
    labels = labels or {}
    names = _Names()
    planned = []
    for label, changes, paired in rows:
        model = model_for(label)
        items = []
        for name, value in (changes or {}).items():
            if name in HIDDEN:
                continue
            if paired and isinstance(value, list) and len(value) == 2:
                before, after = value
                if after is None and before is not None and paired == "delete":
                    before, after = None, before
                items.append((_label(model, name, labels),
                              _plan(model, name, before, names) if paired == "update" else None,
                              _plan(model, name, after, names)))
            else:
                items.append((_label(model, name, labels), None, _plan(model, name, value, names)))
        planned.append(items)
    names.fetch()
    return [[{"label": label, "before": before() if before else None, "after": after()}
             for label, before, after in items] for items in planned]


def describe_entries(entries):
    """Audit entries -> the same list shape as `describe`, one per entry: an
    update as before → after, a creation or deletion as its values."""
    modes = {"update": "update", "delete": "delete"}
    return describe([(e.model, e.changes, modes.get(e.action, "create")) for e in entries])

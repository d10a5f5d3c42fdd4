"""An Open311 GeoReport v2 endpoint (https://wiki.open311.org/GeoReport_v2), JSON only, so
that existing Open311 clients and hotline platforms can submit and follow cases:

- GET  /open311/v2/services.json          the four kinds of case as services
- POST /open311/v2/requests.json          a new case (api_key = the API token of an office
                                          integration; jurisdiction_id = the centre's code
                                          when the token's office holds several)
- GET  /open311/v2/requests.json          cases by service_request_id (anyone: a tracking
                                          number is its own secret); with an api_key, the
                                          centre's recent cases, filtered by service_code,
                                          status, start_date and end_date
- GET  /open311/v2/requests/<id>.json     one case

Mapping: service_request_id = the tracking number; service_code = the kind; address_id (or
attribute[post]) = a post's public code, which routes the case to its unit; address_string
is kept in the case's words; first_name + last_name and a mainland mobile in phone become the
contact (other phone formats and e-mail are not kept); lat/long and media_url are not used
(the product fetches nothing from outside). Requests carry only what a tracking page shows.

Errors use Open311's format: a list of {"code": <HTTP status>, "description": "..."}."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.http import JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from rest_framework.authtoken.models import Token

from vanguard.core.middleware import client_ip
from vanguard.core.permissions import office_centre
from vanguard.core.ratelimit import hit
from vanguard.org.phones import normalise_mobile

from . import services
from .models import Case, CaseStep, Kind, Source, Status, normalise_number

SERVICE_CODES = {kind.value: kind for kind in Kind}
LIST_LIMIT = 200
DEFAULT_DAYS = 90


def error(status, description):
    return JsonResponse([{"code": status, "description": str(description)}], status=status, safe=False)


def _json(data, status=200):
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _limited(request):
    return not hit("open311", client_ip(request) or "-")


def _user(api_key):
    key = (api_key or "").strip()
    if not key or len(key) > 64:
        return None
    token = Token.objects.select_related("user").filter(key=key).first()
    return token.user if token and token.user.is_active else None


def _centre(user, jurisdiction):
    return office_centre(user, jurisdiction[:30] if jurisdiction else None, by="code",
                         several=_("Give jurisdiction_id (the service centre's code)."),
                         message=_("This api_key may not submit cases here."))


def _message(e):
    messages = e.messages if hasattr(e, "messages") else [str(e)]
    return " ".join(messages)


@require_GET
def service_list(request):
    if _limited(request):
        return error(429, _("Too many requests; try again later."))
    return _json([{"service_code": code, "service_name": str(kind.label), "description": str(kind.label),
                   "metadata": False, "type": "realtime", "keywords": "", "group": str(_("Feedback cases"))}
                  for code, kind in SERVICE_CODES.items()])


@require_GET
def service_definition(request, code):
    if code not in SERVICE_CODES:
        return error(404, _("Unknown service_code."))
    return _json({"service_code": code, "attributes": []})


def _request_row(case, updated, notes):
    return {
        "service_request_id": case.number,
        "status": "open" if case.status != Status.CLOSED else "closed",
        "status_notes": notes.get(case.pk, ""),
        "service_name": str(case.get_kind_display()),
        "service_code": case.kind,
        "description": case.public_content,
        "agency_responsible": case.unit.name if case.unit_id else "",
        "service_notice": str(case.get_status_display()),
        "requested_datetime": timezone.localtime(case.received_at).isoformat(),
        "updated_datetime": timezone.localtime(updated.get(case.pk) or case.received_at).isoformat(),
        "expected_datetime": (timezone.make_aware(datetime.datetime.combine(case.due, datetime.time(17)))
                              .isoformat() if case.due and case.status != Status.CLOSED else None),
        "address": case.post.name if case.post_id else "",
        "address_id": case.post.code if case.post_id else "",
        "zipcode": "",
        "lat": None,
        "long": None,
        "media_url": "",
    }


def _rows(cases):
    cases = list(cases)
    ids = [c.pk for c in cases]
    updated = dict(CaseStep.objects.filter(case_id__in=ids).values("case_id").annotate(last=Max("at"))
                   .values_list("case_id", "last"))
    notes = {}
    for case_id, note in (CaseStep.objects.filter(case_id__in=ids, public=True).exclude(public_note="")
                          .order_by("case_id", "at", "pk").values_list("case_id", "public_note")):
        notes[case_id] = note  # the latest public outcome
    return [_request_row(c, updated, notes) for c in cases]


def _public_fields(qs):
    return qs.select_related("unit", "post").only(
        "number", "status", "kind", "public_content", "received_at", "due", "unit__name", "post__name",
        "post__code")


def _when(raw, field):
    value = parse_datetime(raw) if raw and len(raw) <= 40 else None
    if raw and value is None:
        raise ValidationError(_("%(field)s is not an ISO 8601 date and time.") % {"field": field})
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests(request):
    if _limited(request):
        return error(429, _("Too many requests; try again later."))
    try:
        if request.method == "POST":
            return _create(request)
        return _list(request)
    except PermissionDenied as e:
        return error(403, _message(e) or _("You are not allowed to do this."))
    except ValidationError as e:
        return error(400, _message(e))
    except ValueError:
        return error(400, _("Malformed request."))


def _list(request):
    params = request.GET
    ids = [n for n in (params.get("service_request_id") or "").split(",") if n.strip()]
    if ids:
        numbers = [normalise_number(n) for n in ids[:50]]
        qs = Case.objects.filter(number__in=[n for n in numbers if n])
    else:
        user = _user(params.get("api_key"))
        if user is None:
            raise PermissionDenied(_("Without an api_key, ask for cases by service_request_id."))
        centre = _centre(user, params.get("jurisdiction_id"))
        start = _when(params.get("start_date"), "start_date") or timezone.now() - datetime.timedelta(DEFAULT_DAYS)
        end = _when(params.get("end_date"), "end_date")
        qs = Case.objects.filter(centre=centre, received_at__gte=start)
        if end:
            qs = qs.filter(received_at__lte=end)
        codes = [c for c in (params.get("service_code") or "").split(",") if c]
        if codes:
            if any(c not in SERVICE_CODES for c in codes):
                raise ValidationError(_("Unknown service_code."))
            qs = qs.filter(kind__in=codes)
        wanted = {s for s in (params.get("status") or "").split(",") if s}
        if wanted - {"open", "closed"}:
            raise ValidationError(_("status is open or closed."))
        if wanted == {"open"}:
            qs = qs.exclude(status=Status.CLOSED)
        elif wanted == {"closed"}:
            qs = qs.filter(status=Status.CLOSED)
    return _json(_rows(_public_fields(qs).order_by("-received_at", "-pk")[:LIST_LIMIT]))


def _create(request):
    data = request.POST
    user = _user(data.get("api_key"))
    if user is None:
        raise PermissionDenied(_("A valid api_key is required to submit a request."))
    code = data.get("service_code", "")
    if code not in SERVICE_CODES:
        raise ValidationError(_("Unknown service_code “%(code)s”; see services.json.") % {"code": code[:40]})
    centre = _centre(user, data.get("jurisdiction_id"))
    description = (data.get("description") or "").strip()
    where = (data.get("address_string") or "").strip()
    if description and where:
        place = _("Where: %(place)s") % {"place": where[:200]}
        description = f"{description}\n{place}"
    post_code = (data.get("address_id") or data.get("attribute[post]") or "").strip().upper()
    post = None
    if post_code:
        from vanguard.posts.models import VanguardPost

        post = VanguardPost.objects.filter(centre=centre, code=post_code[:12]).first()
        if post is None:
            raise ValidationError(_("Unknown address_id: give a vanguard post's public code."))
    name = " ".join(p for p in ((data.get("last_name") or "").strip(), (data.get("first_name") or "").strip()) if p)
    try:
        mobile = normalise_mobile(data.get("phone")) if data.get("phone") else ""
    except ValidationError:
        mobile = ""  # not a mainland mobile: no SMS can reach it
    case = services.intake_case(
        user, centre=centre, kind=code, content=description, source=Source.API, post=post,
        source_ref=(data.get("service_request_id") or data.get("device_id") or "")[:64],
        contact_name=name[:50], contact_mobile=mobile, anonymous=not (name or mobile))
    return _json([{"service_request_id": case.number, "service_notice": str(_(
        "Keep this number to follow the case: %(url)s") % {"url": case.public_url}), "account_id": None}],
        status=201)


@require_GET
def request_detail(request, number):
    if _limited(request):
        return error(429, _("Too many requests; try again later."))
    number = normalise_number(number)
    qs = _public_fields(Case.objects.filter(number=number)) if number else Case.objects.none()
    rows = _rows(qs[:1])
    if not rows:
        return error(404, _("No case has this service_request_id."))
    return _json(rows)

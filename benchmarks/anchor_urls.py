"""The benchmark's anchor: the least a request that records something can do in this server
(same gunicorn, middleware, database): authenticate an API token and insert one row in a
transaction (a session row: a table without triggers or chained hashes). The rating endpoint's
time is read against it. Loaded only by anchor_settings."""

import datetime
import json
import uuid

from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from rest_framework.authtoken.models import Token

from vanguard.urls import urlpatterns as product_urlpatterns

ANCHOR_PREFIX = "bench-anchor-"  # session keys of the anchor's rows: prefix + the item's transaction


@csrf_exempt
def anchor(request):
    key = request.headers.get("Authorization", "").removeprefix("Token ").strip()
    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        return HttpResponse(status=401)
    item = json.loads(request.body or b"{}")
    key = f"{ANCHOR_PREFIX}{str(item.get('transaction') or uuid.uuid4().hex)[:20]}"
    with transaction.atomic():
        Session.objects.create(session_key=key, session_data=str(token.user_id),
                               expire_date=timezone.now() + datetime.timedelta(hours=1))
    return JsonResponse({"key": key}, status=201)


urlpatterns = [path("bench/anchor/", anchor), *product_urlpatterns]

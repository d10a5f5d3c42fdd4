"""The benchmark's anchor: the least a request that records something can do in this server
(same gunicorn, middleware, database): authenticate an API token and insert one row in a
transaction. The rating endpoint's time is read against it. Loaded only by anchor_settings."""

import json

from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.authtoken.models import Token

from vanguard.core.models import AuditEntry
from vanguard.urls import urlpatterns as product_urlpatterns

ANCHOR_VERB = "bench-anchor"


@csrf_exempt
def anchor(request):
    key = request.headers.get("Authorization", "").removeprefix("Token ").strip()
    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        return HttpResponse(status=401)
    item = json.loads(request.body or b"{}")
    with transaction.atomic():
        row = AuditEntry.objects.create(actor=token.user, actor_name=token.user.username, action="create",
                                        verb=ANCHOR_VERB, model="bench.anchor",
                                        object_id=str(item.get("transaction", ""))[:64])
    return JsonResponse({"id": row.pk}, status=201)


urlpatterns = [path("bench/anchor/", anchor), *product_urlpatterns]

"""API tokens for integrations (DRF's TokenAuthentication): one per user,
issued and rotated from the server's shell with `vanguard api-token`."""

import json

from django.db import transaction
from rest_framework import authentication
from rest_framework.authtoken.models import Token

from . import audit
from .models import AuditEntry
from .permissions import require
from .scoping import scope_for, scope_from_grants
from .system import is_system


def _centre_of(user):
    # File the audit row under the user's centre when there is exactly one,
    # so that centre's office sees who was given API access.
    centres = scope_for(user).centre_ids
    return next(iter(centres)) if len(centres) == 1 else None


@transaction.atomic
def issue_api_token(actor, user, *, rotate=False):
    """Return (token, changed): the user's token, created if missing; with
    `rotate`, a new key replaces the old one, which stops working at once.
    Only an administrator, or the system (SYSTEM, the shell command), may.
    The audit row records that a token was issued, never the key."""
    require(is_system(actor) or scope_for(actor).is_admin)
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and not rotate:
        return token, False
    verb = "rotate API token" if token is not None else "create API token"
    if token is not None:
        token.delete()
    token = Token.objects.create(user=user)
    audit.record(actor, AuditEntry.Action.ACTION, user, verb=verb, centre_id=_centre_of(user))
    return token, True


def _grants_sql(vendor):
    """A subquery beside the token: the user's grants as one JSON array of GRANT_COLUMNS rows, so the
    token, its user, the person and the grants come in ONE query (read fresh on every request: a
    revoked grant or token stops working on the next request, nothing is cached)."""
    from vanguard.core.models import Grant
    from vanguard.org.models import Organization, Unit

    row, agg = ("json_build_array", "json_agg") if vendor == "postgresql" else ("json_array", "json_group_array")
    return (f"(SELECT {agg}({row}(g.role, g.organization_id, o.path, o.centre_id, g.unit_id, u.centre_id)) "
            f"FROM {Grant._meta.db_table} g LEFT JOIN {Organization._meta.db_table} o ON o.id = g.organization_id "
            f"LEFT JOIN {Unit._meta.db_table} u ON u.id = g.unit_id "
            f"WHERE g.user_id = {Token._meta.db_table}.user_id)")


_TOKEN_SQL = {}  # vendor -> the token query (built once: compiling it per request cost more CPU than running it)


def _token_query():
    """The token, its user, the user's person (a reverse one-to-one: an outer join) and the grants,
    with hand-written SQL (core.hot_sql): every API request runs it."""
    from django.db import connection

    from vanguard.org.models import Person

    from .hot_sql import Columns
    from .models import User

    vendor = connection.vendor
    if vendor not in _TOKEN_SQL:
        qn = connection.ops.quote_name
        token_table = Token._meta.db_table
        token, user, person = Columns(Token, qn(token_table)), Columns(User, "tu"), Columns(Person, "tp")
        sql = (f"SELECT {token.sql()}, {user.sql()}, {person.sql()}, {_grants_sql(vendor)} "
               f"FROM {qn(token_table)} JOIN {qn(User._meta.db_table)} tu ON tu.id = {qn(token_table)}.user_id "
               f"LEFT JOIN {qn(Person._meta.db_table)} tp ON tp.user_id = tu.id "
               f"WHERE {qn(token_table)}.{qn('key')} = %s")
        _TOKEN_SQL[vendor] = (sql, token, user, person)
    return _TOKEN_SQL[vendor]


def _read_token(key):
    """(token with its user and the user's person cached as select_related caches them, grant rows),
    or (None, None)."""
    from django.db import connection

    sql, token_cols, user_cols, person_cols = _token_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
    if row is None:
        return None, None
    token, at = token_cols.read(row, 0)
    user, at = user_cols.read(row, at)
    person, at = person_cols.read(row, at)
    Token.user.field.set_cached_value(token, user)
    user_cols.model.person.related.set_cached_value(user, person)  # None: no person (user.person raises)
    if person is not None:
        person_cols.model.user.field.set_cached_value(person, user)
    return token, row[at]


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token check, with the user's person (a reverse one-to-one, or none) and grants read in
    the same query: `scope_for` asks for both on every request, which cost two more queries."""

    def authenticate_credentials(self, key):
        token, rows = _read_token(key)
        if token is None or not token.user.is_active:
            return super().authenticate_credentials(key)  # refused by DRF, with its (translated) message
        if isinstance(rows, str | bytes):
            rows = json.loads(rows)
        scope_from_grants(token.user, rows or ())
        return (token.user, token)

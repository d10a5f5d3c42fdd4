"""The roster import use case: validate every row, report every problem, then
write all rows or none, with the audit trail, in bulk."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import audit
from vanguard.core.permissions import require
from vanguard.core.system import is_system
from vanguard.core.text import CONTROL_MESSAGE, has_control, xml_safe

from ..models import Organization, Person, ServiceCentre, Unit, Window
from ..phones import normalise_mobile
from . import bulk
from .access import can_import_roster
from .columns import (
    BRANCH,
    GENDER,
    GENDER_VALUES,
    JOB,
    JOB_MAX,
    JOINED,
    MOBILE,
    NAME,
    NAME_MAX,
    STATUS,
    STATUS_VALUES,
    UNIT,
    WINDOW,
    fold,
    parse_date,
    text,
)
from .reading import FileRejected, RosterError, file_name, open_roster

# The fields a roster row sets; everything else about a person is left alone.
# A person on the roster works here: someone deactivated who is listed again becomes active again.
ROW_FIELDS = ["name", "gender", "political_status", "joined_party_on", "unit", "branch", "window", "job",
              "is_active"]
ROW_ATTNAMES = ["name", "gender", "political_status", "joined_party_on", "unit_id", "branch_id", "window_id", "job",
                "is_active"]
NAME_ATTNAME = list(zip(ROW_FIELDS, ROW_ATTNAMES, strict=True))
PARTY_FOUNDED = datetime.date(1921, 7, 1)


@dataclass
class RosterResult:
    centre: ServiceCentre
    file_name: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self):
        return not self.errors

    @property
    def saved(self):
        return self.ok and not self.dry_run


class _Lookups:
    """The centre's reference data in dicts, loaded once, so no row costs a query."""

    def __init__(self, centre):
        self.units = {}
        for unit in Unit.objects.filter(centre=centre).only("pk", "name", "short_name"):
            self.units[fold(unit.name)] = unit.pk
        for unit in Unit.objects.filter(centre=centre).exclude(short_name="").only("pk", "short_name"):
            self.units.setdefault(fold(unit.short_name), unit.pk)
        self.branches = {}
        branch_kinds = [Organization.Kind.BRANCH, Organization.Kind.GENERAL_BRANCH]
        for pk, name in Organization.objects.filter(centre=centre, kind__in=branch_kinds).values_list("pk", "name"):
            self.branches.setdefault(fold(name), []).append(pk)
        self.windows = {fold(number): pk for pk, number in
                        Window.objects.filter(centre=centre).values_list("pk", "number")}
        # Plain values, not model instances: a city centre has tens of thousands of people.
        self.people = {}
        # People saved without a mobile number (allowed by the model): an exported row of theirs has no
        # number either, so it is matched by name, if the name is unique among them.
        self.phoneless = {}
        for row in Person.objects.filter(centre=centre).values("pk", "mobile", *ROW_ATTNAMES):
            if row["mobile"]:
                self.people[row["mobile"]] = row
            else:
                self.phoneless.setdefault(row["name"], []).append(row)


class _Row:
    """Reads one row's cells, collecting every problem instead of stopping at the first."""

    def __init__(self, number, values, columns, letters, errors):
        self.number, self.values, self.columns, self.letters = number, values, columns, letters
        self.errors = errors
        self.ok = True

    def raw(self, header):
        return self.values[self.columns[header]]

    def error(self, header, reason, code, value=None):
        value = text(self.raw(header)) if value is None else value
        self.errors.append(RosterError(reason, row=self.number, column=self.letters[header], header=header,
                                       value=value, code=code))
        self.ok = False


def _parse_row(row, centre, lookups, today):
    """The person's field values from one row; `row.ok` says whether they are all valid."""
    values = {}
    name = text(row.raw(NAME))
    if not name:
        row.error(NAME, _("The name is missing."), "name_missing")
    elif len(name) > NAME_MAX:
        row.error(NAME, _("The name is longer than %(max)s characters.") % {"max": NAME_MAX}, "name_too_long")
    elif has_control(name):
        row.error(NAME, CONTROL_MESSAGE, "control_character", value=xml_safe(name))
    values["name"] = name

    gender = fold(row.raw(GENDER))
    if gender and gender not in GENDER_VALUES:
        row.error(GENDER, _("“%(value)s” is not a gender; write 男 or 女.") % {"value": text(row.raw(GENDER))},
                  "gender_unknown")
    values["gender"] = GENDER_VALUES.get(gender, "")

    mobile = None
    values["existing"] = None
    try:
        mobile = normalise_mobile(text(row.raw(MOBILE)))
    except ValidationError as e:
        same_name = lookups.phoneless.get(name, []) if e.code == "missing" else []
        if len(same_name) == 1:
            mobile, values["existing"] = "", same_name[0]  # that person, still without a number
        elif same_name:
            row.error(MOBILE, _("The mobile number is missing, and several people called “%(name)s” have none: "
                                "add each one's number.") % {"name": name}, "mobile_missing")
        else:
            row.error(MOBILE, e.messages[0], "mobile_missing" if e.code == "missing" else "mobile_invalid")
    values["mobile"] = mobile

    status_text = fold(row.raw(STATUS))
    status = STATUS_VALUES.get(status_text)
    if not status_text:
        row.error(STATUS, _("The political status is missing; choose 中共党员, 中共预备党员 or 群众."),
                  "status_missing")
    elif status is None:
        row.error(STATUS, _("“%(value)s” is not a political status; choose 中共党员, 中共预备党员 or 群众.")
                  % {"value": text(row.raw(STATUS))}, "status_unknown")
    values["political_status"] = status

    joined = None
    if text(row.raw(JOINED)):
        joined = parse_date(row.raw(JOINED))
        if joined is None:
            row.error(JOINED, _("“%(value)s” is not a date; write it like 2010-07-01 or 2010年7月1日.")
                      % {"value": text(row.raw(JOINED))}, "date_invalid")
        elif joined > today:
            row.error(JOINED, _("The date %(date)s is in the future.") % {"date": joined.isoformat()},
                      "date_future")
        elif joined < PARTY_FOUNDED:
            row.error(JOINED, _("The date %(date)s is before the Party was founded.")
                      % {"date": joined.isoformat()}, "date_too_early")
    values["joined_party_on"] = joined

    values["unit_id"] = _look_up(row, UNIT, lookups.units, centre, "unit_unknown")
    values["window_id"] = _look_up(row, WINDOW, lookups.windows, centre, "window_unknown")
    branch_id = None
    branch_text = fold(row.raw(BRANCH))
    if branch_text:
        matches = lookups.branches.get(branch_text, [])
        if not matches:
            row.error(BRANCH, _("“%(value)s” is not a party branch of %(centre)s.")
                      % {"value": text(row.raw(BRANCH)), "centre": centre.name}, "branch_unknown")
        elif len(matches) > 1:
            row.error(BRANCH, _("Several branches are called “%(value)s”; ask the office to rename them.")
                      % {"value": text(row.raw(BRANCH))}, "branch_ambiguous")
        else:
            branch_id = matches[0]
    values["branch_id"] = branch_id

    if status == Person.Status.PUBLIC:
        if joined is not None:
            row.error(JOINED, _("群众 (not a party member) cannot have a date joined the party."),
                      "public_with_date")
        if branch_text:
            row.error(BRANCH, _("群众 (not a party member) cannot be registered with a party branch."),
                      "public_with_branch")
    elif status is not None and not branch_text:
        row.error(BRANCH, _("A party member must have the branch that holds their registration."),
                  "member_without_branch")

    job = text(row.raw(JOB))
    if len(job) > JOB_MAX:
        row.error(JOB, _("The job is longer than %(max)s characters.") % {"max": JOB_MAX}, "job_too_long")
    elif has_control(job):
        row.error(JOB, CONTROL_MESSAGE, "control_character", value=xml_safe(job))
    values["job"] = job
    values["is_active"] = True
    return values


def _look_up(row, header, table, centre, code):
    key = fold(row.raw(header))
    if not key:
        return None
    if key not in table:
        # Translated only when needed: this runs for every row.
        message = (_("“%(value)s” is not a unit of %(centre)s.") if code == "unit_unknown"
                   else _("There is no window numbered “%(value)s” in %(centre)s."))
        row.error(header, message % {"value": text(row.raw(header)), "centre": centre.name}, code)
        return None
    return table[key]


@transaction.atomic
def import_roster(actor, centre, file, *, dry_run=False):
    """Import a roster workbook into `centre`. Every row is checked; if any has a
    problem nothing is written and `result.errors` lists them all. A mobile number
    already in the centre updates that person, a new one adds a person.
    `actor` SYSTEM (or None) is the system: the console command run without --user."""
    require(is_system(actor) or can_import_roster(actor, centre),
            _("Only the party-building office of the centre may import its roster."))
    result = RosterResult(centre=centre, file_name=file_name(file), dry_run=dry_run)
    try:
        columns, letters, rows = open_roster(file)
        if not dry_run:
            # One import per centre at a time: a second one waits here and then sees the first one's people.
            ServiceCentre.objects.select_for_update().filter(pk=centre.pk).first()
        lookups = _Lookups(centre)
        today = timezone.localdate()
        parsed, first_row_of = [], {}
        for number, values in rows:
            result.rows += 1
            row = _Row(number, values, columns, letters, result.errors)
            fields = _parse_row(row, centre, lookups, today)
            mobile = fields["mobile"]
            if mobile == "":  # a person without a number, matched by name
                key = ("pk", fields["existing"]["pk"])
                if key in first_row_of:
                    row.error(MOBILE, _("%(name)s (no mobile number) appears on rows %(first)s and %(row)s; a "
                                        "person may appear only once.")
                              % {"name": fields["name"], "first": first_row_of[key], "row": number}, "mobile_twice")
                    continue
                first_row_of[key] = number
            elif mobile is not None:
                if mobile in first_row_of:
                    row.error(MOBILE, _("The mobile number %(mobile)s appears on rows %(first)s and %(row)s; a "
                                        "person may appear only once.")
                              % {"mobile": mobile, "first": first_row_of[mobile], "row": number},
                              "mobile_twice")
                    continue
                first_row_of[mobile] = number
            if row.ok:
                parsed.append(fields)
    except FileRejected as e:
        result.errors.extend(e.errors)
        return result
    if result.rows == 0 and not result.errors:
        result.errors.append(RosterError(_("The file has no people in it: fill in the sheet from row 2."),
                                         code="empty"))
    if result.errors:
        return result
    _apply(actor, centre, parsed, lookups, result)
    return result


def _apply(actor, centre, parsed, lookups, result):
    new, changed = [], []
    for fields in parsed:
        existing = fields["existing"] or lookups.people.get(fields["mobile"])
        if existing is None:
            new.append(fields)
            continue
        after = {name: fields[name] for name in ROW_ATTNAMES}
        if all(existing[name] == value for name, value in after.items()):
            result.unchanged += 1
        else:
            changed.append((existing, after))
    result.created, result.updated = len(new), len(changed)
    if result.dry_run:
        return
    now = timezone.now()
    bulk.insert_rows(Person, [{"centre_id": centre.pk, "mobile": f["mobile"],
                               **{name: f[name] for name in ROW_ATTNAMES}} for f in new], now)
    bulk.update_rows(Person, [{"pk": before["pk"], **after, "updated_at": now} for before, after in changed],
                     [*ROW_ATTNAMES, "updated_at"])
    _write_audit(actor, centre, new, changed, now, result)


def _write_audit(actor, centre, new, changed, now, result):
    """One create or update entry per person with each changed field's before and after value,
    appended to the audit chain together, then the import's summary entry."""
    ids = dict(Person.objects.filter(centre=centre).exclude(mobile="").values_list("mobile", "pk")) if new else {}
    # A new person's snapshot: the model's defaults, then the row's values (field names, JSON-safe).
    base = audit.snapshot(Person(centre=centre, created_at=now, updated_at=now))
    common = {"verb": audit.Event.ROSTER_IMPORT, "model": Person._meta.label_lower, "centre_id": centre.pk}
    entries = []
    for f in new:
        snapshot = {**base, "mobile": f["mobile"], **{name: _plain(f[attname])
                                                      for name, attname in NAME_ATTNAME}}
        entries.append({**common, "action": audit.Action.CREATE, "object_id": str(ids[f["mobile"]]),
                        "object_repr": f["name"][:200],
                        "changes": {k: [None, v] for k, v in snapshot.items() if v not in (None, "")}})
    for before, after in changed:
        changes = {name: [_plain(before[attname]), _plain(after[attname])]
                   for name, attname in NAME_ATTNAME if before[attname] != after[attname]}
        entries.append({**common, "action": audit.Action.UPDATE, "object_id": str(before["pk"]),
                        "object_repr": after["name"][:200], "changes": changes})
    audit.record_many(actor, entries, at=now)
    audit.record(actor, audit.Action.IMPORT, centre, {
        "file": result.file_name, "rows": result.rows, "created": result.created, "updated": result.updated,
        "unchanged": result.unchanged,
    }, verb=audit.Event.ROSTER_IMPORT, centre_id=centre.pk)


def _plain(value):
    return value.isoformat() if isinstance(value, datetime.date) else value

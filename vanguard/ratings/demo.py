"""Demo ratings: a year of transactions at a few hundred a day with realistic
shares of each level, written with bulk_create and counted with one set-based
rebuild; bad reviews in every rectification state; a few flagged ratings; and
recent unrated transactions whose QR links can be tried."""

import datetime
import random

from django.utils import timezone

from vanguard.core.workdays import WorkingCalendar
from vanguard.org.models import Organization

from . import cases, figures, services
from .models import Level, Rating, RectificationCase, Transaction

ITEMS = ["企业设立登记", "变更登记", "社保参保登记", "医保关系转移", "不动产登记", "公积金提取", "税务登记",
         "食品经营许可", "施工许可", "户籍证明"]
# Shares of each level among ratings actually given (the rest of the day's transactions get the default).
LEVEL_WEIGHTS = [(5, 820), (4, 140), (3, 34), (2, 4), (1, 2)]
PER_DAY = (220, 380)
DEMO_MOBILES = 200


def _level(rng):
    roll = rng.randrange(1000)
    for level, weight in LEVEL_WEIGHTS:
        if roll < weight:
            return level
        roll -= weight
    return 5


def build(ctx):
    rng = random.Random(5)
    centre, today = ctx.centre, ctx.today
    staff = {}
    for person in ctx.people:
        if person.window_id:
            staff.setdefault(person.window_id, []).append(person)
    windows = [w for w in ctx.windows if staff.get(w.pk)]
    posts = services._post_for_window([w.pk for w in windows])
    floor_branch = dict(Organization.objects.filter(centre=centre, floor__isnull=False).values_list("floor_id", "pk"))
    tz = timezone.get_current_timezone()
    start = today - datetime.timedelta(days=365)
    txns, plans = [], []
    day = start
    while day < today:
        n = rng.randint(*PER_DAY) // (2 if day.weekday() >= 5 else 1)
        for i in range(n):
            window = rng.choice(windows)
            person = rng.choice(staff[window.pk])
            accepted = datetime.datetime.combine(day, datetime.time(9 + rng.randrange(8), rng.randrange(60)),
                                                 tzinfo=tz)
            txns.append(Transaction(
                centre=centre, number=f"{day:%Y%m%d}{i:04d}", service_item=rng.choice(ITEMS), window=window,
                person=person, unit_id=window.unit_id,
                kind=Transaction.Kind.IMMEDIATE if rng.random() < 0.8 else Transaction.Kind.PROMISED,
                user_kind=Transaction.UserKind.COMPANY if rng.random() < 0.3 else Transaction.UserKind.PERSON,
                accepted_at=accepted, completed_at=accepted + datetime.timedelta(minutes=rng.randint(5, 60)),
                import_batch=f"demo-{day:%Y%m%d}", rated=True))
            plans.append((window, person, accepted))
        day += datetime.timedelta(days=1)
    Transaction.objects.bulk_create(txns, batch_size=2000)
    # bulk_create sets pks on PostgreSQL and SQLite alike.
    ratings = []
    recent = today - datetime.timedelta(days=4)
    # Nothing is dated after the moment the demo is built: a rating comes after its transaction
    # and before now, and only transactions a week old can have been given the default rating.
    now = timezone.now()
    default_before = now - datetime.timedelta(days=services.CONFIG["default_after_days"])
    for txn, (window, person, accepted) in zip(txns, plans, strict=True):
        if accepted.date() >= recent and rng.random() < 0.5:  # left unrated: QR links to try
            txn.rated = False
            continue
        is_default = accepted < default_before and rng.random() < 0.06
        level = Level.BASIC if is_default else _level(rng)
        rated_at = accepted + datetime.timedelta(minutes=rng.randint(10, 600) if not is_default else 7 * 24 * 60)
        rated_at = min(rated_at, now - datetime.timedelta(minutes=rng.randint(1, 30)))
        flags = ["address"] if not is_default and rng.random() < 0.002 else []
        ratings.append(Rating(
            transaction_id=txn.pk, level=level, is_default=is_default,
            channel=Rating.Channel.DEFAULT if is_default else rng.choice(["device", "device", "qr", "sms", "app"]),
            scores={} if is_default else {"overall": level, "attitude": min(5, level + rng.randint(0, 1))},
            comment="" if level > 2 or is_default else rng.choice(["等候时间太长", "材料要求没有一次说清", "态度生硬"]),
            rated_at=rated_at, day=timezone.localdate(rated_at), centre_id=centre.pk, unit_id=window.unit_id,
            window_id=window.pk, floor_id=window.floor_id, person_id=person.pk, post_id=posts.get(window.pk),
            branch_id=person.branch_id or floor_branch.get(window.floor_id), flagged=bool(flags), flags=flags,
            ip_address=f"10.20.{rng.randrange(256)}.{rng.randrange(256)}" if not is_default else None,
            counted=True))
    unrated = [t.pk for t in txns if not t.rated]
    Transaction.objects.filter(pk__in=unrated).update(rated=False)
    # Some citizens left a mobile when served: they can rate from the signboard with an SMS code
    # (the demo's SMS channel prints it on the server console). Fictional numbers 1390000xxxx.
    given = [t for t in txns if not t.rated][:DEMO_MOBILES]
    for i, txn in enumerate(given):
        txn.rater_phone = f"1390000{i:04d}"
    Transaction.objects.bulk_update(given, ["rater_phone"], batch_size=500)
    Rating.objects.bulk_create(ratings, batch_size=2000)
    figures.rebuild(centre.pk)

    # Bad reviews become cases; older ones further along, so every state shows.
    calendar = WorkingCalendar()
    bad = list(Rating.objects.filter(centre=centre, level__lte=2, is_default=False).select_related(
        "centre").order_by("rated_at"))
    office, handler = ctx.users.get("office") or ctx.admin, ctx.admin
    for rating in bad:
        RectificationCase.objects.bulk_create([_case(rating, calendar)])
    states = {}
    for case in RectificationCase.objects.filter(centre=centre).order_by("opened_on"):
        age = (today - case.opened_on).days
        pick = rng.random()
        if age > 20:
            if pick < 0.08:
                cases.request_set_aside(handler, case, reason="经调取录像核实，系误评")
                cases.decide_set_aside(office, case, approve=True, note="同意剔除")
                states["set_aside"] = states.get("set_aside", 0) + 1
                continue
            cases.verify_case(handler, case, verification="经核实情况属实")
            cases.rectify_case(handler, case, rectification="已对当事人进行批评教育，优化一次性告知清单")
            if pick < 0.16:  # still dissatisfied: a second round (重办) before it closes
                case = cases.call_back(handler, case, result="dissatisfied", note="办事人认为问题仍未解决")
                cases.rectify_case(handler, case, rectification="科室负责人约见办事人，当场协调办结")
                states["redone"] = states.get("redone", 0) + 1
            cases.call_back(handler, case, result=rng.choice(["satisfied", "satisfied", "basic"]), note="已回访")
            cases.close_case(handler, case)
            states["closed"] = states.get("closed", 0) + 1
        elif age > 8:
            if pick < 0.3:
                cases.verify_case(handler, case, verification="经核实情况属实")
            elif pick < 0.5:
                cases.request_set_aside(handler, case, reason="办事人提交材料不全，非窗口原因")
        elif age > 3 and pick < 0.5:
            cases.verify_case(handler, case, verification="经核实情况属实")
            cases.rectify_case(handler, case, rectification="已整改")
    # Late cases are marked once, as the periodic job would have when they became overdue.
    overdue = cases.mark_overdue()
    ctx.say(f"{len(txns)} transactions, {len(ratings)} ratings ({len(unrated)} recent unrated), "
            f"{len(bad)} bad-review cases ({', '.join(f'{k} {v}' for k, v in states.items())}, overdue {overdue})")


def _case(rating, calendar):
    opened_on = timezone.localdate(rating.rated_at)
    verify_due, rectify_due = cases.deadlines(opened_on, rating.centre.rectification_days, calendar)
    return RectificationCase(rating=rating, centre_id=rating.centre_id, unit_id=rating.unit_id,
                             person_id=rating.person_id, opened_on=opened_on, verify_due=verify_due,
                             rectify_due=rectify_due)

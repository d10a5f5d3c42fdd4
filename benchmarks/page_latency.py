"""Benchmark: every staff page a role can reach, at city scale (or on the small demo).

    createdb -h 127.0.0.1 -U postgres vg_city
    VANGUARD_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/vg_city \\
        python benchmarks/page_latency.py [--port 8700] [--records] [--repeat 3]
    python benchmarks/page_latency.py --small            # the demo centre (SQLite or PostgreSQL)

City: builds (or reuses) `vanguard demo --scale city` (300,000 people, 50
centres) and, with --records, the other apps' records at city volumes
(benchmarks/city_records.py: posts, a year of assessment months, transactions
and ratings, lessons and broadcasts; minutes, kept for reruns). --small builds
(or reuses) the demo centre instead, so a regression shows on any machine.

It starts `vanguard serve` on a loopback port, signs in (a session per role,
made here) as the administrator, a centre's office, a branch secretary, a
scorer and a member, follows every link of the navigation and the links of
those pages one level below (list pages, detail pages, forms; at most
--per-shape links of one URL shape, e.g. /org/people/<id>/, per page), times
each page --repeat times (wall time on loopback, the server's time plus a
little transfer) and prints per role the slowest pages, the median, p95 and
maximum of the pages' medians and the largest HTML, with the load average.

Goals (city): every page's median <= 300 ms, none over 1 s, no HTML over
200 KB. Exit status 1 when a goal is missed (on --small too: the same goals).
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanguard.settings")

GOAL_MEDIAN_MS = 300
GOAL_MAX_MS = 1000
GOAL_HTML_KB = 200
PASSWORD = "vanguard-bench"  # noqa: S105 - loopback benchmark accounts
SKIP = re.compile(r"^/(api|django-admin|static|media|i18n|b/|s/|p/|r/|accounts/(logout|password))|"
                  r"/(export|template|download|pdf|qr|print|certificate)|\.(xlsx|pdf|png|csv|zip)$")


def load():
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


class Links(HTMLParser):
    """The hrefs of <a> elements, split into the navigation bar's and the page's own."""

    def __init__(self):
        super().__init__()
        self.nav, self.main, self._in_nav, self._in_main = [], [], 0, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and "vg-navbar" in (attrs.get("class") or ""):
            self._in_nav += 1
        elif tag == "main":
            self._in_main += 1
        elif tag == "a" and attrs.get("href"):
            if self._in_nav:
                self.nav.append(attrs["href"])
            elif self._in_main:
                self.main.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "nav" and self._in_nav:
            self._in_nav -= 1
        elif tag == "main" and self._in_main:
            self._in_main -= 1


def shape(path):
    return re.sub(r"/\d+(?=/|$)", "/<id>", path)


def setup_django():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def city_roles():
    """The five roles in the first city centre, created once (grants as the roles hold them)."""
    from vanguard.core.models import Grant, User
    from vanguard.core.roles import Role
    from vanguard.org.demo_city import build_city
    from vanguard.org.models import Organization, Person, ServiceCentre, Unit

    build_city(stdout=sys.stdout)
    centre = ServiceCentre.objects.get(code="city-001")
    root = Organization.objects.get(centre=centre, parent=None)
    branch = Organization.objects.filter(centre=centre, kind="branch", floor__isnull=False).order_by("pk").first()
    department = Unit.objects.filter(centre=centre, kind=Unit.Kind.DEPARTMENT).order_by("pk").first()
    member = Person.objects.filter(branch=branch, user__isnull=True).order_by("pk").first()
    users = {"admin": User.objects.get(username="admin")}
    for name, role, grant in (("office", Role.OFFICE, {"organization": root}),
                              ("secretary", Role.SECRETARY, {"organization": branch}),
                              ("scorer", Role.SCORER, {"unit": department}), ("member", None, None)):
        user, _created = User.objects.get_or_create(username=f"bench-{name}")
        if role is not None:
            Grant.objects.get_or_create(user=user, role=role, **grant)
        users[name] = user
    if member is not None and not Person.objects.filter(user=users["member"]).exists():
        Person.objects.filter(pk=member.pk).update(user=users["member"])
    return users


def small_roles():
    from vanguard.core.demo import DemoContext, build_apps
    from vanguard.core.models import User
    from vanguard.org.demo import build_centre, demo_exists

    if not demo_exists():
        ctx = DemoContext(password=PASSWORD)
        build_centre(ctx)
        build_apps(ctx)
    return {name: User.objects.get(username=name) for name in ("admin", "office", "secretary", "scorer", "member")}


def sessions(users):
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    keys = {}
    for role, user in users.items():
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys[role] = session.session_key
    return keys


def start_server(port, workers):
    env = dict(os.environ, VANGUARD_WEB_WORKERS=str(workers), VANGUARD_WEB_TIMEOUT="300")
    proc = subprocess.Popen([sys.executable, "-m", "vanguard", "serve", "--port", str(port), "--workers",
                             str(workers)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240  # collectstatic runs first
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2).read()  # noqa: S310
            return proc
        except OSError:
            if proc.poll() is not None:
                sys.exit(f"the server exited ({proc.returncode}); is port {port} free?")
            time.sleep(0.5)
    proc.terminate()
    sys.exit("the server did not start")


def fetch(base, path, cookie):
    from django.conf import settings

    request = urllib.request.Request(base + path, headers=  # noqa: S310 - loopback
                                     {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"})
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310 - loopback
            body, status, kind = response.read(), response.status, response.headers.get("Content-Type", "")
            final = urlsplit(response.geturl()).path
    except urllib.error.HTTPError as e:
        body, status, kind, final = e.read(), e.code, e.headers.get("Content-Type", ""), path
    return (time.perf_counter() - t0) * 1000, status, body, kind, final


def crawl(base, cookie, *, repeat, per_shape, max_pages, only=()):
    """Navigation pages, then the links of each one level below; each page timed `repeat` times.
    `only`: path prefixes to keep (e.g. ("/cases/",)): the other rooms' pages are neither timed nor followed."""

    def kept(path):
        return not only or path.startswith(tuple(only))

    _ms, _status, body, _kind, _final = fetch(base, "/", cookie)
    parser = Links()
    parser.feed(body.decode("utf-8", "replace"))
    nav = []
    for href in parser.nav:
        path = urlsplit(urljoin("/", href)).path
        if href.startswith("/") and not SKIP.search(path) and path not in nav and path != "/" and kept(path):
            nav.append(href)
    queue, seen, results = ([] if only else ["/"]) + nav, set(), []
    shapes = {}
    level = dict.fromkeys(queue, 0)
    while queue and len(results) < max_pages:
        href = queue.pop(0)
        if href in seen:
            continue
        seen.add(href)
        times, status, body, kind, final = [], 0, b"", "", href
        for _ in range(repeat):
            ms, status, body, kind, final = fetch(base, href, cookie)
            times.append(ms)
            if status >= 400 or ms > 20_000:
                break  # one try is enough for an error or a minute-long page
        if urlsplit(final).path.startswith("/accounts/login"):
            continue
        results.append({"url": href, "status": status, "ms": statistics.median(times), "max": max(times),
                        "bytes": len(body) if "html" in kind else 0})
        if level[href] >= 1 or "html" not in kind or status != 200:
            continue
        links = Links()
        links.feed(body.decode("utf-8", "replace"))
        for link in links.main:
            absolute = urljoin(href, link)
            parts = urlsplit(absolute)
            if parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path) or not kept(parts.path):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            key = (href, shape(parts.path), bool(parts.query))
            if target in seen or target in level or shapes.get(key, 0) >= per_shape:
                continue
            shapes[key] = shapes.get(key, 0) + 1
            level[target] = level[href] + 1
            queue.append(target)
    return results


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))] if values else 0


def report(role, results, top):
    ok_pages = [r for r in results if r["status"] < 400]
    errors = [r for r in results if r["status"] >= 400]
    medians = [r["ms"] for r in ok_pages]
    biggest = max(results, key=lambda r: r["bytes"]) if results else None
    print(f"\n== {role}: {len(results)} pages (load {load()})")
    if not medians:
        print("  no page")
        return False
    print(f"  median {statistics.median(medians):.0f} ms, p95 {pct(medians, 95):.0f} ms, "
          f"max {max(medians):.0f} ms; largest HTML {biggest['bytes'] / 1024:.0f} KB ({biggest['url']})")
    for r in sorted(ok_pages, key=lambda r: -r["ms"])[:top]:
        print(f"  {r['ms']:8.0f} ms {r['bytes'] / 1024:7.0f} KB  {r['url']}")
    for r in errors:
        print(f"  status {r['status']}: {r['url']}")
    missed = [r for r in ok_pages if r["ms"] > GOAL_MEDIAN_MS or r["max"] > GOAL_MAX_MS
              or r["bytes"] > GOAL_HTML_KB * 1024]
    for r in missed:
        print(f"  GOAL MISSED: {r['url']} median {r['ms']:.0f} ms, slowest {r['max']:.0f} ms, "
              f"{r['bytes'] / 1024:.0f} KB")
    return not missed and not [r for r in errors if r["status"] >= 500]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="the demo centre instead of the city")
    parser.add_argument("--records", action="store_true",
                        help="city: add the other apps' records first (benchmarks/city_records.py)")
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--per-shape", type=int, default=2)
    parser.add_argument("--max-pages", type=int, default=150, help="per role")
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument("--roles", default="admin,office,secretary,scorer,member")
    parser.add_argument("--only", default="", help="comma-separated path prefixes to measure (e.g. /cases/,/pledges/)")
    args = parser.parse_args()
    url = os.environ.get("VANGUARD_DATABASE_URL", "")
    if not args.small and not url.startswith(("postgres://", "postgresql://")):
        sys.exit("The city needs PostgreSQL: set VANGUARD_DATABASE_URL (or use --small).")
    setup_django()
    print(f"machine: {os.cpu_count()} cores, load {load()}")
    if args.small:
        users = small_roles()
    else:
        users = city_roles()
        if args.records:
            from city_records import build_records

            build_records(stdout=sys.stdout)
    from django.db import connection

    from vanguard.org.models import Person

    print(f"people: {Person.objects.count():,}; database: {connection.vendor}")
    keys = sessions({r: users[r] for r in args.roles.split(",")})
    connection.close()
    proc = start_server(args.port, args.workers)
    ok = True
    try:
        base = f"http://127.0.0.1:{args.port}"
        # The anchor: the sign-in page (no session, no query of the dataset) through the same server, so a
        # busy machine's floor shows beside the pages' figures.
        anchor = [fetch(base, "/accounts/login/", "")[0] for _ in range(max(5, args.repeat))]
        print(f"anchor: sign-in page median {statistics.median(anchor):.0f} ms (load {load()})")
        for role, key in keys.items():
            results = crawl(base, key, repeat=args.repeat, per_shape=args.per_shape, max_pages=args.max_pages,
                            only=[p for p in args.only.split(",") if p])
            ok &= report(role, results, args.top)
    finally:
        proc.terminate()
        proc.wait(20)
    print(f"\nload average at the end: {load()}")
    print(f"goals (median <= {GOAL_MEDIAN_MS} ms, none over {GOAL_MAX_MS} ms, HTML <= {GOAL_HTML_KB} KB): "
          + ("met" if ok else "MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

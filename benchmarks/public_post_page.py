"""Benchmark: the public signboard /p/<code>/ with 10,000 posts on PostgreSQL.

    createdb -h 127.0.0.1 -U postgres vg_bench
    VANGUARD_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/vg_bench python benchmarks/public_post_page.py

Builds a centre of its own with bulk writes (people with photos, 10,000
disclosed or named posts of 1-5 holders each), starts `vanguard serve`
(gunicorn, --workers) on a free loopback port, requests the signboards of
random posts (at most --requests requests or --seconds seconds), and prints:

- median and p99 of the server time (the page's Server-Timing header) and of
  the client latency over loopback, first visits and repeat visits separately;
- the page weight of the heaviest signboard with its assets (HTML + CSS +
  the images it references), in bytes.

Goals: median <= 20 ms, page weight <= 150 KB. Exit status 1 when missed.
Everything it created is deleted at the end (unless --keep).
"""

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanguard.settings")

GOAL_MEDIAN_MS = 20.0
GOAL_WEIGHT_BYTES = 150 * 1024
POSTS = 10_000
PHOTOS = 40  # distinct photo files, shared by the people (what matters is their size)


def setup_django():
    url = os.environ.get("VANGUARD_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("VANGUARD_DATABASE_URL must point to a PostgreSQL database, e.g. "
                 "postgresql://postgres@127.0.0.1:5432/vg_bench (create it with createdb).")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def build(tag, posts_count):
    from django.conf import settings
    from django.db import transaction

    from vanguard.org.avatars import avatar
    from vanguard.org.models import Floor, Organization, Person, ServiceCentre, Unit, Window
    from vanguard.posts.models import CODE_ALPHABET, CODE_LENGTH, PostHolder, PostKind, VanguardPost

    rng = random.Random(tag)
    started = time.monotonic()
    photo_dir = Path(settings.MEDIA_ROOT) / "public" / "people"
    photo_dir.mkdir(parents=True, exist_ok=True)
    photos = []
    for i in range(PHOTOS):
        name = f"bench-{tag}-{i}.jpg"
        (photo_dir / name).write_bytes(avatar("先锋"[i % 2] + str(i), i).read())
        photos.append(f"public/people/{name}")
    with transaction.atomic():
        centre = ServiceCentre.objects.create(name=f"基准测试政务服务中心{tag}", code=f"bench-{tag}",
                                              complaint_phone="0871-12345678")
        root = Organization.objects.create(centre=centre, name="基准局党组", kind=Organization.Kind.LEADING_GROUP)
        root.path = f"/{root.pk}/"
        root.save(update_fields=["path"])
        floors = [Floor.objects.create(centre=centre, number=n, name=f"{n}层大厅") for n in range(1, 7)]
        branches = []
        for floor in floors:
            branch = Organization.objects.create(centre=centre, parent=root, name=f"{floor.number}层党支部",
                                                 kind=Organization.Kind.BRANCH, floor=floor, depth=1)
            branch.path = f"{root.path}{branch.pk}/"
            branch.save(update_fields=["path"])
            branches.append(branch)
        units = Unit.objects.bulk_create(Unit(centre=centre, name=f"区第{n}委办局", kind=Unit.Kind.HOME)
                                         for n in range(1, 61))
        windows = Window.objects.bulk_create(
            Window(centre=centre, floor=floors[n % 6], number=f"{chr(65 + n % 6)}{n:03d}",
                   name="综合受理", unit=units[n % 60], service_items="企业设立登记\n变更登记\n注销登记")
            for n in range(1, 301))
        people = Person.objects.bulk_create(
            Person(centre=centre, name=f"党员{n:05d}", political_status=Person.Status.FULL, job="窗口受理员",
                   joined_party_on="2010-07-01", unit=units[n % 60], branch=branches[n % 6],
                   window=windows[n % 300], photo=photos[n % PHOTOS])
            for n in range(posts_count * 2)) if posts_count else []
        codes = set()
        while len(codes) < posts_count:
            codes |= {"".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
                      for _ in range(posts_count - len(codes))}
            codes -= set(VanguardPost.objects.filter(code__in=codes).values_list("code", flat=True))
        today = time.strftime("%Y-%m-%d")
        posts = VanguardPost.objects.bulk_create(
            VanguardPost(centre=centre, code=code, name=f"{windows[i % 300].number}窗口先锋岗{i}",
                         kind=PostKind.WINDOW, window=windows[i % 300], floor=floors[i % 6],
                         status=rng.choice([VanguardPost.Status.DISCLOSED, VanguardPost.Status.NAMED]),
                         service_scope="企业设立登记\n企业变更登记\n食品经营许可\n个体工商户登记",
                         complaint_phone="0871-12345678", disclosed_on=today,
                         pledge_work="材料一次告知，不让群众跑冤枉路", pledge_time="即办件当场办结，承诺件提前办结",
                         pledge_quality="首问负责、一次办好，差错率为零", pledge_attitude="微笑服务，文明用语，耐心解答每一个问题")
            for i, code in enumerate(sorted(codes)))
        for post in posts:
            if post.status == VanguardPost.Status.NAMED:
                post.named_by, post.named_on, post.certificate_number = root, today, f"B-{post.pk}"
        VanguardPost.objects.bulk_update([p for p in posts if p.status == VanguardPost.Status.NAMED],
                                         ["named_by", "named_on", "certificate_number"], batch_size=2000)
        holders = []
        for i, post in enumerate(posts):
            count = 5 if i == 0 else rng.randint(1, 5)  # the first post is the heaviest page
            chosen = rng.sample(range(len(people)), count)
            holders += [PostHolder(post=post, person=people[p], sort_order=k) for k, p in enumerate(chosen)]
        PostHolder.objects.bulk_create(holders, batch_size=5000)
    print(f"built {len(posts):,} posts, {len(people):,} people, {len(holders):,} holders "
          f"in {time.monotonic() - started:.1f} s")
    return centre, [p.code for p in posts], photo_dir, photos


def clean_up(centre, photo_dir, photos):
    from django.db import connection, transaction

    from vanguard.org.models import Floor, Organization, Person, Unit, Window
    from vanguard.posts.models import PostHolder, VanguardPost

    with transaction.atomic():
        PostHolder.objects.filter(post__centre=centre)._raw_delete(connection.alias)
        VanguardPost.objects.filter(centre=centre)._raw_delete(connection.alias)
        Person.objects.filter(centre=centre)._raw_delete(connection.alias)
        Window.objects.filter(centre=centre)._raw_delete(connection.alias)
        Organization.objects.filter(centre=centre).update(parent=None)
        for model in (Organization, Floor, Unit):
            model.objects.filter(centre=centre)._raw_delete(connection.alias)
        type(centre).objects.filter(pk=centre.pk)._raw_delete(connection.alias)
    for photo in photos:
        (photo_dir.parent.parent / photo).unlink(missing_ok=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port, workers, redis_url=""):
    env = {**os.environ, "VANGUARD_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    if redis_url:
        env["VANGUARD_REDIS_URL"] = redis_url
    server = subprocess.Popen(
        [sys.executable, "-m", "vanguard", "serve", "--port", str(port), "--workers", str(workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"vanguard serve exited: {server.stderr.read()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2):  # noqa: S310
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    sys.exit("vanguard serve did not answer within 60 s")


def fetch(url):
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
        body = response.read()
        timing = response.headers.get("Server-Timing", "")
    client_ms = (time.perf_counter() - started) * 1000
    app = re.search(r"app;dur=([\d.]+)", timing)
    cpu = re.search(r"cpu;dur=([\d.]+)", timing)
    return body, client_ms, (float(app.group(1)) if app else None, float(cpu.group(1)) if cpu else None)


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def page_weight(base, code):
    """HTML plus every stylesheet and image the page references, in bytes (uncompressed)."""
    html, _client, _server = fetch(f"{base}/p/{code}/")
    assets = re.findall(r'<link[^>]+href="([^"]+)"', html.decode()) + re.findall(r'<img[^>]+src="([^"]+)"',
                                                                                    html.decode())
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html.decode())
    sizes = {"html": len(html)}
    for asset in assets + scripts:
        sizes[asset] = len(fetch(base + asset if asset.startswith("/") else asset)[0])
    return sizes


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=POSTS)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=90.0)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--redis-url", default="",
                        help="serve with this shared cache (e.g. redis://127.0.0.1:6379/15) instead of "
                             "each worker's own memory")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark centre instead of deleting it")
    args = parser.parse_args()
    setup_django()
    tag = uuid.uuid4().hex[:6]
    centre, codes, photo_dir, photos = build(tag, args.posts)
    port = free_port()
    server = start_server(port, args.workers, args.redis_url)
    base = f"http://127.0.0.1:{port}"
    try:
        rng = random.Random(7)
        first, repeat, seen = ({"server": [], "cpu": [], "client": []}, {"server": [], "cpu": [], "client": []},
                              set())
        started = time.monotonic()
        for i in range(args.requests):
            if time.monotonic() - started > args.seconds:
                break
            # Two thirds new posts (no cached page anywhere), one third repeats.
            code = rng.choice(list(seen)) if seen and i % 3 == 2 else rng.choice(codes)
            bucket = repeat if code in seen else first
            seen.add(code)
            _body, client_ms, (server_ms, cpu_ms) = fetch(f"{base}/p/{code}/")
            bucket["client"].append(client_ms)
            bucket["server"].append(server_ms)
            bucket["cpu"].append(cpu_ms)
        elapsed = time.monotonic() - started
        sizes = page_weight(base, codes[0])
    finally:
        server.terminate()
        server.wait(timeout=30)
        if not args.keep:
            clean_up(centre, photo_dir, photos)

    total = len(first["client"]) + len(repeat["client"])
    cache_kind = f"shared cache {args.redis_url}" if args.redis_url else "per-worker memory cache"
    print(f"{total:,} requests in {elapsed:.1f} s over {len(seen):,} posts ({args.workers} gunicorn workers, "
          f"{cache_kind})")
    everything = first["server"] + repeat["server"]
    for label, data in (("first visits", first), ("repeat visits", repeat)):
        if data["client"]:
            print(f"  {label:14} n={len(data['client']):5}  server median {statistics.median(data['server']):6.2f} ms"
                  f"  p99 {percentile(data['server'], 99):6.2f} ms (cpu median {statistics.median(data['cpu']):5.2f})"
                  f" | client median "
                  f"{statistics.median(data['client']):6.2f} ms  p99 {percentile(data['client'], 99):6.2f} ms")
    median = statistics.median(everything)
    print(f"  all            server median {median:.2f} ms, p99 {percentile(everything, 99):.2f} ms; "
          f"view cpu median {statistics.median(first['cpu'] + repeat['cpu']):.2f} ms")
    print(f"  load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
          f"(a busy machine inflates wall times, not cpu)")
    weight = sum(sizes.values())
    print(f"page weight (heaviest signboard, 5 holders): {weight:,} bytes = "
          + " + ".join(f"{name.rsplit('/', 1)[-1]} {size:,}" for name, size in sizes.items()))
    ok = median <= GOAL_MEDIAN_MS and weight <= GOAL_WEIGHT_BYTES
    print(f"goals: median <= {GOAL_MEDIAN_MS:.0f} ms: {'met' if median <= GOAL_MEDIAN_MS else 'MISSED'}; "
          f"page weight <= {GOAL_WEIGHT_BYTES // 1024} KB: {'met' if weight <= GOAL_WEIGHT_BYTES else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""bench.pages: the commune household list page (5,000 households, paginated, filtered).

Target: p95 ≤ 150 ms on SQLite and on PostgreSQL, with a bounded number of queries. Prints one
JSON line: p50/p95 per scenario and the query count, beside a baseline in the same run (a naive
page that loads the whole commune with each household's members, no pagination).

    python -m bench.pages [--households 5000] [--requests 60] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="hongheo-bench-pages-")
    os.environ["HONGHEO_VAR_DIR"] = tmp
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DEBUG"] = "0"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    if connection.vendor == "postgresql":
        # start from an empty schema in the scratch database
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    from hongheo.geography.models import Area
    from hongheo.registry.demo import population_load
    from hongheo.registry.models import Household
    from hongheo.users.services import user_create

    started = time.perf_counter()
    population_load(actor=None, province_code=46, households=args.households, communes=1, seed=46)
    load_s = time.perf_counter() - started
    commune = Household.objects.first().commune  # type: ignore[union-attr]
    officer = user_create(
        actor=None, username="bench", password="bench-password-123", role="commune_officer", areas=[commune]
    )
    village = Area.objects.filter(parent=commune).order_by("code").first()
    some_name = Household.objects.filter(commune=commune).order_by("code")[1234 % args.households].head_name
    # the household page shows the current classification and its explanation: classify first
    from hongheo.standards.classification import classification_run

    classification_run(actor=None, area=commune)
    sample_household = Household.objects.filter(commune=commune).order_by("code")[777 % args.households]
    client = Client()
    client.force_login(officer)

    scenarios = {
        "list_first_page": "/ho/",
        "list_page_40": "/ho/?trang=40",
        "filter_village": f"/ho/?xa={commune.code}&thon={village.code}" if village else "/ho/",
        "household_page": f"/ho/{sample_household.pk}/",
        "search_name_no_diacritics": "/ho/?q="
        + __import__("urllib.parse").parse.quote(
            __import__("hongheo.core.text", fromlist=["fold"]).fold(some_name)
        ),
    }
    out: dict[str, object] = {
        "bench": "pages",
        "database": connection.vendor,
        "households": Household.objects.filter(commune=commune).count(),
        "seed_load_s": round(load_s, 2),
    }
    for name, url in scenarios.items():
        client.get(url)  # warm
        times = []
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        queries = len(ctx.captured_queries)
        for _ in range(args.requests):
            t = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200
        times.sort()
        out[name] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
            "queries": queries,
        }

    # Baseline: the naive page — whole commune, members loaded per household, no pagination.
    from django.template import Context, Template

    naive = Template(
        "{% for h in households %}<tr><td>{{ h.code }}</td>"
        "{% for m in h.members.all %}{{ m.full_name }}{% endfor %}</tr>{% endfor %}"
    )
    times = []
    for _ in range(max(3, args.requests // 10)):
        reset_queries()
        t = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            naive.render(
                Context({"households": Household.objects.filter(commune=commune).order_by("head_sort_key")})
            )
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    out["baseline_naive_unpaginated"] = {
        "p50_ms": round(statistics.median(times), 1),
        "queries": len(ctx.captured_queries),
    }
    out["target_p95_ms"] = 150
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

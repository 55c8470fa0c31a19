"""p95 of a filtered, sorted seizure list page and of a full-text search, through Django's
test Client (the whole stack but the network: middleware, URL policy, restricted queryset,
filters, pagination with its count, templates), against a database bench/import_bench.py
filled. Each URL is timed as the HTML page and again as its JSON twin (same filters and
query, no template), which tells the database's share from the rendering's.

    python bench/pages_bench.py --data-dir /tmp/bench/100k/sqlite [--requests 100]
    python bench/pages_bench.py --data-dir /tmp/bench/100k/postgresql \
        --database-url postgresql://kouprey:...@127.0.0.1:5432/bench_100000

Signed in as the bench organisation's admin (clearance secret: every seizure is visible, the
largest result sets). Each request varies its filter values so no two ask the same; the
first 5 requests warm the caches and are not counted. Target: p95 under 200 ms. The pages
count at most 1,000 matches ("more than 1,000"); what the exact count on demand
(``?count=exact``, "Count them all") costs is measured apart, for 12 of the URLs.
Figures go to stdout and to bench/results/pages-<database>-<seizures>.json.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH_USER, ROOT, machine, migrate, save, setup_django, summary_ms  # noqa: E402

TARGET_P95_MS = 200
WARM_UP = 5
# Words the generated data contains (bench/generate.py): Khmer inside descriptions and
# names, Latin transliterations, Vietnamese and Chinese names, container prefixes, references.
SEARCH_TERMS = ["ភ្លុកដំរី", "ស្នែងរមាស", "ហេង សុខ", "Nguyen Van", "Wang Wei", "Heng Sok",
                "pangolin", "rosewood", "Trần Thu", "ឆ្អឹងតោ", "Chukwu Obi", "KHKOS"]


def list_urls(rng: random.Random, places: list[int], taxa: list[int], agencies: list[int],
              count: int) -> list[str]:
    """Filtered and sorted seizure list pages: four kinds of filter, varied values and pages."""
    urls = []
    for n in range(count):
        year = rng.randrange(2012, 2026)
        page = rng.randrange(1, 6)
        kind = n % 4
        if kind == 0:
            query = f"place={rng.choice(places)}&date_from={year}-01-01&sort=-date"
        elif kind == 1:
            query = f"taxon={rng.choice(taxa)}&year={year}&sort=date"
        elif kind == 2:
            query = f"agency={rng.choice(agencies)}&date_to={year}-12-31&sort=place"
        else:
            query = f"validation_status=validated&year={year}&sort=-reference"
        urls.append(f"/seizures/?{query}&page={page}")
    return urls


def search_urls(rng: random.Random, count: int) -> list[str]:
    from urllib.parse import quote

    return [f"/seizures/?q={quote(SEARCH_TERMS[n % len(SEARCH_TERMS)])}"
            f"&page={rng.randrange(1, 4)}" for n in range(count)]


def measure(get: Callable[[str], Any], urls: list[str]
            ) -> tuple[list[float], list[float], list[float]]:
    """Durations of every counted request, of those whose query (the URL without its page)
    had not been asked before (Kouprey caches list counts until the next write, so a
    repeated query skips its count), and this process's CPU time for each request: on a
    shared machine steadier than wall time; with SQLite it holds the database's work too,
    with PostgreSQL only Django's."""
    times, first, cpu = [], [], []
    asked: set[str] = set()
    for n, url in enumerate(urls):
        query = re.sub(r"&page=\d+", "", url)
        started, cpu_started = time.perf_counter(), time.process_time()
        response = get(url)
        elapsed = time.perf_counter() - started
        cpu_used = time.process_time() - cpu_started
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")
        if n >= WARM_UP:
            times.append(elapsed)
            cpu.append(cpu_used)
            if query not in asked:
                first.append(elapsed)
        asked.add(query)
    return times, first, cpu


def result_counts(get: Callable[[str], Any], urls: list[str]) -> list[str]:
    """How many seizures each URL finds (from its JSON twin, not timed): "1000+" where the
    page's count stopped at its limit (lists.COUNT_LIMIT)."""
    found = [get(url + "&format=json").json() for url in urls]
    return [f"{d['count']}" if d.get("count_is_exact", True) else f"{d['count']}+"
            for d in found]


def exact_counts(get: Callable[[str], Any], urls: list[str]) -> dict[str, Any]:
    """What "Count them all" (``?count=exact``) costs: each URL's JSON twin with the exact
    count, the count cache cleared first (not part of the p95 target)."""
    from django.core.cache import cache

    times, counts = [], []
    for url in urls:
        cache.clear()
        started = time.perf_counter()
        counts.append(get(url + "&format=json&count=exact").json()["count"])
        times.append(time.perf_counter() - started)
    return {**summary_ms(times), "counts": counts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-migrate", action="store_true",
                        help="leave the database's migrations as they are (e.g. while "
                             "another app's migrations are work in progress)")
    args = parser.parse_args()
    setup_django(args.data_dir, args.database_url or None)
    migrated_in = None if args.no_migrate else migrate()

    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from kouprey.core.models import User
    from kouprey.reference.models import Agency, Place, Taxon
    from kouprey.seizures.models import Seizure

    # Let the test Client's host in. Not setup_test_environment(): its instrumented template
    # rendering (a signal and a context copy per template) would triple the page times.
    settings.ALLOWED_HOSTS.append("testserver")
    rng = random.Random(args.seed)
    used = Seizure.objects.values("place")
    places = list(Place.objects.filter(pk__in=used).values_list("pk", flat=True))
    taxa = list(Taxon.objects.filter(scientific_name__in=[
        "Loxodonta africana", "Manis javanica", "Panthera leo", "Batagur affinis"])
        .values_list("pk", flat=True))
    agencies = list(Agency.objects.filter(code__in=["gdce", "fa", "police"])
                    .values_list("pk", flat=True))
    client = Client()
    client.force_login(User.objects.get(username=BENCH_USER))
    total = args.requests + WARM_UP
    figures: dict[str, Any] = {"machine": machine(), "database": connection.vendor,
                               "seizures": Seizure.objects.count(),
                               "migrate_seconds": migrated_in}
    for name, urls in (("filtered_sorted_list", list_urls(rng, places, taxa, agencies, total)),
                       ("full_text_search", search_urls(rng, total))):
        print(f"== {name}: {args.requests} requests, HTML then the JSON twin", flush=True)
        cache.clear()  # each pass starts with no cached counts
        html, html_first, html_cpu = measure(client.get, urls)
        cache.clear()
        twin, twin_first, twin_cpu = measure(client.get, [f"{url}&format=json" for url in urls])
        counts = result_counts(client.get, urls[WARM_UP:WARM_UP + 12])
        figures[name] = {
            "html": summary_ms(html), "json": summary_ms(twin),
            "html_process_cpu": summary_ms(html_cpu), "json_process_cpu": summary_ms(twin_cpu),
            "html_first_time_queries": summary_ms(html_first),
            "json_first_time_queries": summary_ms(twin_first),
            "p95_under_200ms": summary_ms(html)["p95_ms"] < TARGET_P95_MS,
            "examples": urls[WARM_UP:WARM_UP + 4],
            "result_counts_of_12_requests": counts,
            "exact_count_on_demand": exact_counts(client.get, urls[WARM_UP:WARM_UP + 12]),
        }
    save(ROOT / "bench" / "results" / f"pages-{connection.vendor}-{figures['seizures']}.json",
         figures)


if __name__ == "__main__":
    main()

"""Time the indicator table (target: under 1 s) and check that it is exact and never stale,
against a database bench/import_bench.py filled (with --cases).

    python bench/indicators_bench.py --data-dir /tmp/bench/100k/sqlite [--runs 5]
    python bench/indicators_bench.py --data-dir /tmp/bench/100k/postgresql \
        --database-url postgresql://kouprey:...@127.0.0.1:5432/bench_100000

Timed, each --runs times after a first "cold" call with Kouprey's caches emptied: the
computation (indicators.services.compute, uncached) for every record and as the bench
admin (through restrict()), the /indicators/ page and its JSON twin through Django's test
Client (with the exact cache, indicators.cache), and `kouprey indicators --format json` as
a child process (including Python's and Django's start). Exactness: seizures_total and
cases_total equal plain counts, and the cached table counts a seizure added (committed) at
once and drops it again once deleted. Figures go to stdout and to
bench/results/indicators-<database>-<seizures>.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    BENCH_ORG,
    BENCH_USER,
    ROOT,
    database_env,
    kouprey,
    machine,
    migrate,
    save,
    setup_django,
    summary_ms,
)

TARGET_SECONDS = 1.0


def timed(action: Callable[[], Any], runs: int) -> dict[str, Any]:
    """The first call with no cached results (``cold_ms``), then ``runs`` more."""
    from django.core.cache import cache

    cache.clear()
    started = time.perf_counter()
    action()
    cold = time.perf_counter() - started
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    found: dict[str, Any] = {"cold_ms": round(cold * 1000, 1), **summary_ms(samples)}
    found["under_1s"] = max(cold, *samples) < TARGET_SECONDS
    return found


def value(rows: list[Any], indicator_id: str) -> Any:
    return next(r.value for r in rows if r.id == indicator_id and not getattr(r, "key", ""))


def exactness() -> dict[str, Any]:
    """The table equals plain counts, and the cached table counts a new seizure at once and
    forgets it once deleted (committed writes, as a user's would be)."""
    from kouprey.cases.models import Case
    from kouprey.core.models import Organisation
    from kouprey.indicators import cache, services
    from kouprey.seizures.models import Seizure

    def total() -> Any:
        return value(cache.compute(services.Scope()), "seizures_total")

    rows = cache.compute(services.Scope())  # now cached
    found = {"seizures_total": value(rows, "seizures_total"),
             "seizures_count": Seizure.objects.count(),
             "cases_total": value(rows, "cases_total"), "cases_count": Case.objects.count()}
    extra = Seizure.objects.create(owner_org=Organisation.objects.get(code=BENCH_ORG),
                                   date=date(2020, 1, 1), synthetic=True)
    found["cached_total_after_adding_one"] = total()
    extra.delete()
    found["cached_total_after_deleting_it"] = total()
    found["exact"] = (found["seizures_total"] == found["seizures_count"]
                      and found["cases_total"] == found["cases_count"]
                      and found["cached_total_after_adding_one"] == found["seizures_count"] + 1
                      and found["cached_total_after_deleting_it"] == found["seizures_count"])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    setup_django(args.data_dir, args.database_url or None)
    migrated_in = migrate()

    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from kouprey.core.models import User
    from kouprey.indicators import services
    from kouprey.seizures.models import Seizure

    settings.ALLOWED_HOSTS.append("testserver")  # see pages_bench.py
    admin = User.objects.get(username=BENCH_USER)
    client = Client()
    client.force_login(admin)

    def page(url: str) -> Callable[[], Any]:
        def get() -> Any:
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url}: {response.status_code}")
        return get

    figures: dict[str, Any] = {"machine": machine(), "database": connection.vendor,
                               "seizures": Seizure.objects.count(),
                               "migrate_seconds": migrated_in}
    print("== exactness", flush=True)
    figures["exactness"] = exactness()
    print("== compute, every record", flush=True)
    figures["compute_all_records"] = timed(lambda: services.compute(services.Scope()),
                                           args.runs)
    print("== compute, as the bench admin (restrict)", flush=True)
    figures["compute_as_user"] = timed(lambda: services.compute(services.Scope(user=admin)),
                                       args.runs)
    print("== /indicators/ page and JSON twin", flush=True)
    figures["page_html"] = timed(page("/indicators/"), args.runs)
    figures["page_json"] = timed(page("/indicators/?format=json"), args.runs)
    print("== kouprey indicators --format json (a new process each time)", flush=True)
    env = database_env(args.data_dir, args.database_url or None)
    samples = []
    for _ in range(max(1, args.runs // 2)):
        done = kouprey("indicators", "--format", "json", env=env)
        samples.append(done.seconds)
        rows = json.loads(done.stdout)
    figures["cli"] = {**summary_ms(samples),
                      "indicators": len(rows)}
    save(ROOT / "bench" / "results"
         / f"indicators-{connection.vendor}-{figures['seizures']}.json", figures)


if __name__ == "__main__":
    main()

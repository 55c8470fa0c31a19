"""Time the indicator table (target: under 1 s) and check that it is exact and never stale,
against a database bench/import_bench.py filled (with --cases).

    python bench/indicators_bench.py --data-dir /tmp/bench/100k/sqlite [--runs 5]
    python bench/indicators_bench.py --data-dir /tmp/bench/100k/postgresql \
        --database-url postgresql://kouprey:...@127.0.0.1:5432/bench_100000

First the full rebuild of the month tallies and the kept per-record figures (every month
marked dirty, as after a large import without the bulk hook), with the process's peak RSS.
Then timed, each --runs times after a first "cold" call with Kouprey's caches emptied: the
table from the tallies (indicators.rollups.compute, no cache) for every
record, as the bench admin and as a viewer cleared to RESTRICTED (both through restrict()),
and for a range ending mid-month; the /indicators/ page and its JSON twin through Django's
test Client (with the exact cache); the FIRST table after a committed write, a new write
before each timing: one seizure saved through seizures.services.save_seizure, and a charge
added to a case (5 linked seizures); `kouprey indicators --format json` as a child process
(including Python's and Django's start); and services.compute, the reference, once each.
Exactness: totals equal plain counts, the cached table counts a seizure added at once and
drops it once deleted, and after all the writes the table equals services.compute for
every reader, with and without a date range. Figures go to stdout and to
bench/results/indicators-<database>-<seizures>.json.
"""

from __future__ import annotations

import argparse
import json
import resource
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


def once(action: Callable[[], Any]) -> dict[str, Any]:
    started = time.perf_counter()
    action()
    return {"ms": round((time.perf_counter() - started) * 1000, 1)}


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


def rebuild() -> dict[str, Any]:
    """Every month dirty (as after a 1M import): the one-pass rebuild of the tallies."""
    from django.db import connection

    from kouprey.indicators import store
    from kouprey.indicators.models import ALL_MONTHS, DirtyMonth, SeizureTally, Tally

    pending = store.dirty_months(connection)
    started = time.perf_counter()
    first = store.refresh()  # what migrate (and any write since) left
    leftover = time.perf_counter() - started
    DirtyMonth.objects.create(month=ALL_MONTHS)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    store.refresh()
    return {"seconds": round(time.perf_counter() - started, 1),
            "months_pending_after_migrate": first, "pending": len(pending),
            "refresh_after_migrate_seconds": round(leftover, 1),
            "tally_rows": Tally.objects.count(),
            "kept_seizure_rows": SeizureTally.objects.count(),
            # this process's peak before and after (the rebuild's, if it grew)
            "peak_rss_mib_before": rss_before // 1024,
            "peak_rss_mib_after": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}


def viewer() -> Any:
    """A restricted reader: a viewer of the bench organisation cleared to RESTRICTED (sees
    3 of the 4 levels' records through restrict())."""
    from kouprey.core.models import Organisation, User
    from kouprey.core.permissions import Confidentiality, Role

    user, _ = User.objects.get_or_create(username="bench-viewer", defaults={
        "organisation": Organisation.objects.get(code=BENCH_ORG), "role": Role.VIEWER,
        "clearance": Confidentiality.RESTRICTED})
    return user


def save_one_seizure(n: int) -> None:
    """An edit form's save: one seizure with its items, through seizures.services."""
    from django.db import transaction

    from kouprey.reference.models import Place
    from kouprey.seizures.models import Seizure
    from kouprey.seizures.services import SeizureRecord, save_seizure

    seizure = Seizure.objects.order_by("pk")[1000 + 37 * n]
    places = list(Place.objects.order_by("pk"))
    seizure.place = places[n % len(places)]
    items = list(seizure.items.all())
    for item in items:
        item.weight_kg = (item.weight_kg or 0) + 1
    with transaction.atomic():
        save_seizure(SeizureRecord(seizure, agencies=list(seizure.agencies.all()), items=items,
                                   origins=list(seizure.origins.all()),
                                   transits=list(seizure.transits.all()),
                                   suspects=list(seizure.suspects.all()),
                                   sources=list(seizure.sources.all())))


def add_case_event(n: int) -> None:
    """A charge added to a case (a case of the bench links 5 seizures)."""
    from kouprey.cases.models import Case, CaseEvent

    case = Case.objects.order_by("pk")[500 + 41 * n]
    first = case.seizures.order_by("date").values_list("date", flat=True).first()
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.CHARGE,
                             date=first or date(2020, 1, 1), offence="bench")


def after_writes(write: Callable[[int], None], readers: dict[str, Any], runs: int
                 ) -> dict[str, Any]:
    """The first table after a committed write (the cache empty: the write changed the data
    version), for each reader: a new write before each timing."""
    from kouprey.indicators import cache, services

    found: dict[str, Any] = {}
    for name, user in readers.items():
        samples = []
        for n in range(runs):
            write(n + 100 * len(found))
            started = time.perf_counter()
            cache.compute(services.Scope(user=user))
            samples.append(time.perf_counter() - started)
        found[name] = {**summary_ms(samples),
                       "under_1s": max(samples) < TARGET_SECONDS}
    return found


def exact_after_writes(readers: dict[str, Any]) -> dict[str, Any]:
    """After all those writes: the table (cache, tallies) equals services.compute."""
    from kouprey.indicators import cache, services

    found = {}
    for name, user in readers.items():
        for since, until in ((None, None), (date(2015, 3, 15), date(2019, 6, 10))):
            scope = services.Scope(user=user, since=since, until=until)
            fast = [r.as_dict() for r in cache.compute(scope)]
            found[f"{name} {since}..{until}"] = fast == [
                r.as_dict() for r in services.compute(scope)]
    return {**found, "exact": all(found.values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-rebuild", action="store_true",
                        help="skip timing a full rebuild of the tallies")
    parser.add_argument("--no-reference", action="store_true",
                        help="skip timing services.compute (the reference, seconds at 1M)")
    args = parser.parse_args()
    setup_django(args.data_dir, args.database_url or None)
    migrated_in = migrate()

    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from kouprey.core.models import User
    from kouprey.indicators import rollups, services
    from kouprey.seizures.models import Seizure

    settings.ALLOWED_HOSTS.append("testserver")  # see pages_bench.py
    admin = User.objects.get(username=BENCH_USER)
    readers = {"all records": None, "bench admin": admin, "viewer": viewer()}
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
    if not args.no_rebuild:
        print("== full rebuild of the tallies", flush=True)
        figures["rebuild"] = rebuild()
    print("== exactness", flush=True)
    figures["exactness"] = exactness()
    print("== the table from the tallies (no cache), every record and restricted", flush=True)
    figures["compute_all_records"] = timed(lambda: rollups.compute(services.Scope()),
                                           args.runs)
    figures["compute_as_user"] = timed(lambda: rollups.compute(services.Scope(user=admin)),
                                       args.runs)
    figures["compute_as_viewer"] = timed(
        lambda: rollups.compute(services.Scope(user=readers["viewer"])), args.runs)
    figures["compute_range_mid_month"] = timed(lambda: rollups.compute(services.Scope(
        since=date(2015, 3, 15), until=date(2019, 6, 10))), args.runs)
    print("== /indicators/ page and JSON twin", flush=True)
    figures["page_html"] = timed(page("/indicators/"), args.runs)
    figures["page_json"] = timed(page("/indicators/?format=json"), args.runs)
    print("== the first table after a write", flush=True)
    figures["after_saving_one_seizure"] = after_writes(save_one_seizure, readers, args.runs)
    figures["after_adding_a_case_event"] = after_writes(add_case_event, readers, args.runs)
    print("== kouprey indicators --format json (a new process each time)", flush=True)
    env = database_env(args.data_dir, args.database_url or None)
    samples = []
    for _ in range(max(1, args.runs // 2)):
        done = kouprey("indicators", "--format", "json", env=env)
        samples.append(done.seconds)
        rows = json.loads(done.stdout)
    figures["cli"] = {**summary_ms(samples), "indicators": len(rows)}
    if not args.no_reference:
        print("== services.compute, the reference (once each)", flush=True)
        figures["reference_all_records"] = once(lambda: services.compute(services.Scope()))
        figures["reference_as_user"] = once(
            lambda: services.compute(services.Scope(user=admin)))
        print("== exact after the writes (tallies against the reference)", flush=True)
        figures["exact_after_writes"] = exact_after_writes(readers)
    save(ROOT / "bench" / "results"
         / f"indicators-{connection.vendor}-{figures['seizures']}.json", figures)


if __name__ == "__main__":
    main()

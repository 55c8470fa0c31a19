"""Time `kouprey import seizures` of the generated CSV, against `sqlite-utils insert` of the
same file in the same run, and measure each child's peak memory.

    python bench/import_bench.py --csv /tmp/bench/seizures-100000.csv --workdir /tmp/bench/100k \
        [--database-url postgresql://kouprey:...@127.0.0.1:5432/kouprey_bench] [--cases 20000]

SQLite: a fresh database under WORKDIR/sqlite. PostgreSQL (when --database-url names an
EMPTY database): the same steps there. Each: `kouprey init` (not timed in the figure), a
`bench` organisation with an admin, then the import with full validation, all or nothing:
timed to its commit (`seconds`, the rate); the command then brings the indicators up to date,
timed apart (`indicators_seconds`; `command_seconds` is both).
The peer: `sqlite-utils insert WORKDIR/peer.sqlite3 seizures CSV --csv --no-detect-types
--batch-size 100000`, which loads the rows as text with no validation (and, with
--peer-defaults, again with sqlite-utils' default options). Optionally --cases writes that
many cases afterwards (bench/generate.py cases), so the databases are ready for pages_bench
and indicators_bench.
Figures go to stdout and to bench/results/import-<seizures>.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    BENCH_ORG,
    BENCH_USER,
    BIN,
    ROOT,
    as_dict,
    database_env,
    kouprey,
    machine,
    run,
    save,
)

PASSWORD = "bench-password-not-secret"  # noqa: S105 - a throw-away benchmark database
TARGET_PER_SECOND = 10_000
TARGET_PEAK_MIB = 1024
TARGET_RATIO = 3.0


def prepare(data_dir: Path, database_url: str | None) -> tuple[dict[str, str], float]:
    """A migrated database with the reference data and the bench organisation's admin."""
    env = database_env(data_dir, database_url)
    data_dir.mkdir(parents=True, exist_ok=True)
    init = kouprey("init", env=env)
    password_file = data_dir / "bench-password"
    password_file.write_text(PASSWORD + "\n")
    kouprey("createuser", BENCH_USER, "--org", BENCH_ORG, "--role", "admin", "--clearance",
            "secret", "--password-file", str(password_file), env=env)
    return env, init.seconds


def import_into(label: str, csv_path: Path, data_dir: Path, database_url: str | None,
                cases: int) -> dict[str, Any]:
    print(f"== {label}: kouprey init", flush=True)
    env, init_seconds = prepare(data_dir, database_url)
    print(f"== {label}: kouprey import seizures {csv_path.name}", flush=True)
    done = kouprey("import", "seizures", str(csv_path), "--org", BENCH_ORG, "--json", env=env)
    result = json.loads(done.stdout)
    if not result["committed"]:
        raise SystemExit(f"the import was refused: {result['problems'][:5]}")
    seizures = int(result["created"])
    # The command then brings the indicators up to date (after the commit): timed apart.
    recount = float((result.get("indicators") or {}).get("seconds") or 0)
    imported = done.seconds - recount
    figures: dict[str, Any] = {
        "database": label, "init_seconds": round(init_seconds, 1),
        "seizures": seizures, "rows": result["rows"], "children": result["children"],
        "seconds": round(imported, 1),  # to the commit
        "indicators_seconds": round(recount, 1),  # the recount after it
        "command_seconds": round(done.seconds, 1),
        "cpu_seconds": round(done.cpu_seconds, 1),  # Kouprey's process (not PostgreSQL's)
        "seizures_per_second": round(seizures / imported),
        "peak_rss_mib": round(done.peak_rss_mib),
        "run": as_dict(done),
    }
    if database_url is None:
        database = data_dir / "kouprey.sqlite3"
        figures["database_mib"] = round(database.stat().st_size / 2**20)
    if cases:
        print(f"== {label}: {cases} cases (bench/generate.py cases)", flush=True)
        made = run([sys.executable, str(ROOT / "bench" / "generate.py"), "cases", "--count",
                    str(cases), "--data-dir", str(data_dir), "--database-url",
                    database_url or ""])
        figures["cases"] = cases
        figures["cases_seconds"] = round(made.seconds, 1)
    return figures


# The peer at its fastest: every column as text (no type detection, so no validation of
# any kind) and one commit per 100,000 rows. Its defaults (type detection, a commit every 100
# rows) are several times slower on a disk with slow fsync; --peer-defaults measures those too.
PEER_FAST = ["--no-detect-types", "--batch-size", "100000"]


def peer(csv_path: Path, workdir: Path, options: list[str]) -> dict[str, Any]:
    target = workdir / "peer.sqlite3"
    for leftover in workdir.glob("peer.sqlite3*"):
        leftover.unlink()
    tool = " ".join(["sqlite-utils insert --csv", *options])
    print(f"== peer: {tool}", flush=True)
    done = run([str(BIN / "sqlite-utils"), "insert", str(target), "seizures", str(csv_path),
                "--csv", "--silent", *options])
    return {"tool": tool, "seconds": round(done.seconds, 1),
            "peak_rss_mib": round(done.peak_rss_mib), "run": as_dict(done)}


def verdict(figures: dict[str, Any], peers: list[dict[str, Any]]) -> dict[str, Any]:
    """Targets, judged against the fastest peer run."""
    ratios = {p["tool"]: round(figures["seconds"] / p["seconds"], 2) for p in peers}
    figures["ratio_to_sqlite_utils"] = ratios
    ratio = max(ratios.values())
    figures["targets_met"] = {
        "seizures_per_second>=10000": figures["seizures_per_second"] >= TARGET_PER_SECOND,
        "peak_rss<1GiB": figures["peak_rss_mib"] < TARGET_PEAK_MIB,
        "within_3x_sqlite_utils": ratio <= TARGET_RATIO,
    }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", type=Path, required=True)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--database-url", default="",
                        help="an empty PostgreSQL database to import into as well")
    parser.add_argument("--cases", type=int, default=0)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--peer-defaults", action="store_true",
                        help="also time sqlite-utils with its default options (slow)")
    args = parser.parse_args()
    csv_path = args.csv.resolve()
    args.workdir.mkdir(parents=True, exist_ok=True)

    figures: dict[str, Any] = {"machine": machine(), "csv": str(csv_path),
                               "csv_mib": round(csv_path.stat().st_size / 2**20)}
    figures["peers"] = [peer(csv_path, args.workdir, PEER_FAST)]
    if args.peer_defaults:
        figures["peers"].append(peer(csv_path, args.workdir, []))
    results = []
    if not args.skip_sqlite:
        sqlite_dir = args.workdir / "sqlite"
        shutil.rmtree(sqlite_dir, ignore_errors=True)
        results.append(import_into("sqlite", csv_path, sqlite_dir, None, args.cases))
    if args.database_url:
        results.append(import_into("postgresql", csv_path, args.workdir / "postgresql",
                                   args.database_url, args.cases))
    figures["kouprey"] = [verdict(r, figures["peers"]) for r in results]
    seizures = results[0]["seizures"] if results else 0
    save(ROOT / "bench" / "results" / f"import-{seizures}.json", figures)


if __name__ == "__main__":
    main()

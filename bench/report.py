"""Print the figures in bench/results/*.json as the Markdown tables of bench/README.md.

    python bench/report.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def load(pattern: str) -> list[tuple[str, dict[str, Any]]]:
    return [(p.name, json.loads(p.read_text())) for p in sorted(RESULTS.glob(pattern))]


def yes(flag: bool) -> str:
    return "yes" if flag else "**no**"


def imports() -> None:
    print("| file | seizures | database | commit | seconds | seizures/s | peak RSS MiB "
          "| sqlite-utils s | ratio | load avg |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, data in load("import-*.json"):
        machine, peers = data["machine"], data["peers"]
        fast = peers[0]
        for run in data["kouprey"]:
            print(f"| {name} | {run['seizures']:,} | {run['database']} "
                  f"| {machine.get('commit', '')} | {run['seconds']:,} "
                  f"| {run['seizures_per_second']:,} | {run['peak_rss_mib']:,} "
                  f"| {fast['seconds']:,} | {run['seconds'] / fast['seconds']:.2f} "
                  f"| {machine['load_average_1_5_15min'][0]} |")
        for peer in peers[1:]:
            print(f"| {name} | | peer: `{peer['tool']}` | | {peer['seconds']:,} | | "
                  f"{peer['peak_rss_mib']} | | | |")


def pages() -> None:
    print("| seizures | database | commit | page | p95 ms (HTML) | median | p95 first-time "
          "queries | p95 JSON twin | < 200 ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for _name, data in load("pages-*.json"):
        for kind in ("filtered_sorted_list", "full_text_search"):
            run = data[kind]
            first = run.get("html_first_time_queries", {}).get("p95_ms", "")
            print(f"| {data['seizures']:,} | {data['database']} "
                  f"| {data['machine'].get('commit', '')} | {kind.replace('_', ' ')} "
                  f"| {run['html']['p95_ms']:,} | {run['html']['median_ms']:,} | {first} "
                  f"| {run['json']['p95_ms']:,} | {yes(run['p95_under_200ms'])} |")


INDICATOR_ROWS = ("compute_all_records", "compute_as_user", "compute_as_viewer",
                  "compute_range_mid_month", "page_html", "page_json", "cli")
AFTER_WRITES = ("after_saving_one_seizure", "after_adding_a_case_event")


def indicators() -> None:
    print("| seizures | database | commit | what | cold ms | median ms | max ms | < 1 s "
          "| exact |")
    print("|---|---|---|---|---|---|---|---|---|")
    for _name, data in load("indicators-*.json"):
        head = f"| {data['seizures']:,} | {data['database']} | {data['machine'].get('commit', '')}"
        exact = yes(data["exactness"]["exact"] and data.get("exact_after_writes", {}).get(
            "exact", True))
        if "rebuild" in data:
            rebuild_ms = data["rebuild"]["seconds"] * 1000
            print(f"{head} | full rebuild of the tallies | | {rebuild_ms:,.0f} | | | {exact} |")
        for kind in (*INDICATOR_ROWS, *AFTER_WRITES):
            runs = data.get(kind)
            if runs is None:
                continue
            for reader, run in (runs.items() if kind in AFTER_WRITES else [("", runs)]):
                what = kind.replace("_", " ") + (f" ({reader})" if reader else "")
                print(f"{head} | {what} | {run.get('cold_ms', '')} | {run['median_ms']:,} "
                      f"| {run['max_ms']:,} "
                      f"| {yes(run['under_1s']) if 'under_1s' in run else ''} | {exact} |")
        for kind in ("reference_all_records", "reference_as_user"):
            if kind in data:
                print(f"{head} | {kind.replace('_', ' ')} (services.compute, no tallies) | "
                      f"| {data[kind]['ms']:,} | | | {exact} |")


if __name__ == "__main__":
    for title, table in (("Import", imports), ("Pages", pages), ("Indicators", indicators)):
        print(f"\n### {title}\n")
        table()

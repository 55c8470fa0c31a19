"""Helpers shared by the benchmark scripts: child processes with their peak memory, the
machine, percentiles, and Django set up on a chosen database."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the venv's bin, where `kouprey` and `sqlite-utils` are
BENCH_ORG = "bench"
BENCH_USER = "bench-admin"


@dataclass
class Run:
    """One child process: its command, wall time, peak resident memory, exit status, and the
    CPU seconds it used (user + system): on a shared machine a steadier figure than wall."""

    command: list[str]
    seconds: float
    peak_rss_mib: float
    returncode: int
    stdout: str
    stderr: str
    cpu_seconds: float = 0.0


def run(command: list[str], env: dict[str, str] | None = None, check: bool = True) -> Run:
    """Run ``command`` to the end, measuring wall time and the child's peak RSS (wait4)."""
    started = time.perf_counter()
    child = subprocess.Popen(command, env={**os.environ, **(env or {})}, cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # communicate() would reap the child; read the pipes in threads and wait4 ourselves.
    out: list[str] = []
    err: list[str] = []
    readers = [threading.Thread(target=lambda: out.append(child.stdout.read())),  # type: ignore[union-attr]
               threading.Thread(target=lambda: err.append(child.stderr.read()))]  # type: ignore[union-attr]
    for reader in readers:
        reader.start()
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    for reader in readers:
        reader.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    result = Run(command, seconds, usage.ru_maxrss / 1024, child.returncode,
                 "".join(out), "".join(err), usage.ru_utime + usage.ru_stime)
    if check and result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"failed ({result.returncode}): {' '.join(command)}")
    return result


def kouprey(*args: str, env: dict[str, str] | None = None, check: bool = True) -> Run:
    return run([str(BIN / "kouprey"), *args], env=env, check=check)


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text()
                   .splitlines() if line.startswith("MemTotal"))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    changed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                             cwd=ROOT, capture_output=True, text=True).stdout.count("\n")
    # UTC: a process that set Django up runs in Kouprey's TIME_ZONE (Phnom Penh, UTC+7).
    return {"date": datetime.now(UTC).date().isoformat(), "commit": commit,
            "files_changed_since_commit": changed, "nproc": os.cpu_count(), "cpu": cpu,
            "ram_gib": round(mem_kib / 1024 / 1024, 1), "python": platform.python_version(),
            "kernel": platform.release(),
            "load_average_1_5_15min": [round(x, 2) for x in os.getloadavg()]}


def percentile(samples: list[float], p: float) -> float:
    """The p-th percentile (nearest rank), p in 0..100."""
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary_ms(samples: list[float]) -> dict[str, float]:
    """Milliseconds: median, p95, max of a list of durations in seconds."""
    return {"n": len(samples), "median_ms": round(statistics.median(samples) * 1000, 1),
            "p95_ms": round(percentile(samples, 95) * 1000, 1),
            "max_ms": round(max(samples) * 1000, 1)}


def database_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    """The KOUPREY_* variables that point Kouprey at the benchmark's database."""
    env = {"KOUPREY_DATA_DIR": str(data_dir), "KOUPREY_DATABASE_URL": database_url or "",
           "KOUPREY_MAX_UPLOAD_MB": "100000", "KOUPREY_LOG_LEVEL": "ERROR"}
    return env


def setup_django(data_dir: Path, database_url: str | None) -> None:
    """Django in this process, on the benchmark's database."""
    os.environ.update(database_env(data_dir, database_url))
    (data_dir / "static").mkdir(parents=True, exist_ok=True)  # STATIC_ROOT, for WhiteNoise
    os.environ["DJANGO_SETTINGS_MODULE"] = "kouprey.settings"
    import django

    django.setup()


def migrate() -> float:
    """Bring the benchmark database up to the code's migrations (the code moves on)."""
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    return round(time.perf_counter() - started, 1)


def save(path: Path, figures: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=2, default=str) + "\n")
    print(json.dumps(figures, indent=2, default=str))


def as_dict(run_: Run) -> dict[str, Any]:
    found = asdict(run_)
    found.pop("stdout")
    found.pop("stderr")
    return found

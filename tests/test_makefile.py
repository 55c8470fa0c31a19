"""The Makefile's demo target: the port a newcomer may need to change."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(("args", "port"), [([], "8000"), (["PORT=8083"], "8083")])
def test_make_demo_serves_on_the_port_asked(args: list[str], port: str) -> None:
    """`make demo PORT=8083` (README) when 8000 is taken; 8000 otherwise. Dry run only."""
    make = shutil.which("make") or "make"
    result = subprocess.run(  # noqa: S603 - make with fixed arguments, dry run
        [make, "-n", "demo", *args], cwd=ROOT, capture_output=True, text=True, check=True,
        env={"PATH": "/usr/bin:/bin"})
    serve = [line for line in result.stdout.splitlines() if " serve " in line]
    assert len(serve) == 1 and serve[0].endswith(f"--port {port}")

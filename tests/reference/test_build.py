"""The bundled places and taxa are exactly what build.py derives from ../shared/data."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from kouprey.reference.loaders import DATA_DIR

pytestmark = pytest.mark.shared


def load_build():
    spec = importlib.util.spec_from_file_location("reference_build", DATA_DIR / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rebuilding_gives_the_committed_files(shared_data: Path, tmp_path: Path):
    counts = load_build().build(shared_data, tmp_path)
    assert set(counts) == {"places.csv", "taxa.csv"}
    for name in counts:
        assert (tmp_path / name).read_bytes() == (DATA_DIR / name).read_bytes(), (
            f"{name} differs from what build.py makes: run "
            "`.venv/bin/python kouprey/reference/data/build.py` and commit the result")

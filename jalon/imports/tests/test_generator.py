from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from jalon.imports import read_export

GENERATOR = Path(__file__).parents[3] / "benchmarks" / "generate_tickets.py"


@pytest.mark.parametrize("profile", ["servicenow", "glpi"])
def test_generated_exports_read_back_without_problems(tmp_path, profile):
    main = runpy.run_path(str(GENERATOR))["main"]
    out = tmp_path / f"{profile}.csv"
    assert main(["--rows", "500", "--profile", profile, "--out", str(out)]) == 0
    result = read_export(out, profile)
    assert result.stats.rows_read == 500
    assert result.problems == []
    assert len(result.tickets) == (500 if profile == "glpi" else len(set(result.tickets.ids)))


def test_generation_is_deterministic(tmp_path):
    main = runpy.run_path(str(GENERATOR))["main"]
    for name in ("a.csv", "b.csv"):
        main(["--rows", "50", "--profile", "servicenow", "--out", str(tmp_path / name)])
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()

"""``jalon calendar batch`` against answers counted minute by minute (see make_golden.py)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from jalon.businesstime.batch import run_batch

GOLDEN = Path(__file__).parent / "golden" / "cases.csv"


def test_batch_matches_the_minute_by_minute_oracle():
    source = GOLDEN.read_bytes()
    out, log = io.BytesIO(), io.StringIO()
    report = run_batch(io.BytesIO(source), out, log)
    rows = list(csv.DictReader(io.StringIO(out.getvalue().decode())))
    assert report.failed == 0, log.getvalue()
    wrong = [(row["case"], row["expected"], row["result"]) for row in rows if row["result"] != row["expected"]]
    assert wrong == []
    assert len(rows) == 240

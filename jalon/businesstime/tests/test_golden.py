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


def test_blocks_answered_by_several_processes_give_the_same_output_and_row_numbers():
    lines = GOLDEN.read_bytes().split(b"\n")
    for bad in (10, 100, 200):  # three bad rows, in different blocks
        lines[bad] = lines[bad].replace(b",2026-", b",hier-", 1)
    source = b"\n".join(lines)
    serial_out, serial_log = io.BytesIO(), io.StringIO()
    pooled_out, pooled_log = io.BytesIO(), io.StringIO()
    serial = run_batch(io.BytesIO(source), serial_out, serial_log, workers=1)
    pooled = run_batch(io.BytesIO(source), pooled_out, pooled_log, workers=2, block_bytes=2_000)
    assert pooled_out.getvalue() == serial_out.getvalue()
    assert pooled_log.getvalue() == serial_log.getvalue()
    assert (pooled.rows, pooled.failed) == (serial.rows, serial.failed) == (240, 3)

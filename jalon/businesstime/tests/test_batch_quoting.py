"""``jalon calendar batch`` reads quoted fields (a lunch-break window must be quoted in CSV) with
the fast reader, and gives the csv module's answers."""

from __future__ import annotations

import csv
import io

from jalon.businesstime.batch import Layout, answer_block, run_batch
from jalon.businesstime.csvfast import FieldTable

LUNCH = "mon-fri 08:00-12:00,14:00-18:00"
HEADER = "window,holidays,closures,op,start,end,duration_min,pauses"
POSITIONS = {name: index for index, name in enumerate(HEADER.split(","))}
ROWS = [
    f'"{LUNCH}",FR,,deadline,2026-05-13T16:00+02:00,,600,',
    f'"{LUNCH}",FR-57,,elapsed,2026-04-02T09:00+02:00,2026-04-07T11:00+02:00,,',
    f'"{LUNCH}","FR",2026-05-15,"deadline",2026-05-13T16:00+02:00,,60,',
    '"mon-fri 08:00-18:00",FR,,elapsed,2026-05-12T08:00+02:00,2026-05-12T18:00+02:00,,'
    '"2026-05-12T09:00+02:00/2026-05-12T10:00+02:00;2026-05-12T09:30+02:00/2026-05-12T11:00+02:00"',
]


def test_a_block_with_quoted_windows_takes_the_fast_reader():
    block = ("\r\n".join(ROWS) + "\r\n").encode()
    table = FieldTable.split(block, 8, sorted(POSITIONS.values()))
    assert table is not None
    assert table.column(0).tolist() == [LUNCH.encode()] * 3 + [b"mon-fri 08:00-18:00"]
    assert table.column(3).tolist() == [b"deadline", b"elapsed", b"deadline", b"elapsed"]
    assert table.lines() == [row.encode() for row in ROWS]


def test_doubled_quotes_inside_a_quoted_field_are_one_quote():
    block = b'"say ""hi""",x\n"",y\n'
    table = FieldTable.split(block, 2, [0, 1])
    assert table is not None
    assert table.column(0).tolist() == [b'say "hi"', b""]


def test_a_line_break_inside_quotes_or_a_short_row_is_left_to_the_csv_module():
    assert FieldTable.split(b'"a\nb",x\nc,d\n', 2, [0, 1]) is None
    assert FieldTable.split(b"a,b\nc\n", 2, [0, 1]) is None


def test_quoted_rows_get_the_answers_of_the_csv_module_path():
    block = ("\n".join(ROWS) + "\n").encode()
    fast = answer_block(block, Layout(8, POSITIONS, [], "Europe/Paris"))
    slow = answer_block(block, Layout(8, POSITIONS, [8], "Europe/Paris"))  # a dropped column: csv module
    fast_rows = list(csv.reader(io.StringIO(fast.output.decode())))
    slow_rows = list(csv.reader(io.StringIO(slow.output.decode())))
    assert fast_rows == slow_rows
    # Ascension Thursday 14 May 2026 is a holiday; Good Friday is one in Moselle (FR-57)
    assert [row[-2] for row in fast_rows] == ["2026-05-15T18:00:00+02:00", "600", "2026-05-13T17:00:00+02:00", "480"]
    assert fast.output.decode().splitlines()[0] == f"{ROWS[0]},2026-05-15T18:00:00+02:00,"


def test_blocks_are_cut_outside_quotes_in_one_pass():
    rows = [f'"{LUNCH}",FR,,elapsed,2026-05-12T08:00+02:00,2026-05-12T18:00+02:00,,,"a\nb"' for _ in range(50)]
    source = io.BytesIO(("\n".join([HEADER + ",note", *rows]) + "\n").encode())
    target, log = io.BytesIO(), io.StringIO()
    report = run_batch(source, target, log, workers=1, block_bytes=64)
    out = list(csv.DictReader(io.StringIO(target.getvalue().decode())))
    assert report.rows == 50
    assert report.failed == 0, log.getvalue()
    assert {(row["result"], row["note"]) for row in out} == {("480", "a\nb")}

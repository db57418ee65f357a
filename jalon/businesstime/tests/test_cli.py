from __future__ import annotations

import csv
import io
import subprocess
import sys

import pytest

from jalon.businesstime.cli import main

OFFICE = "mon-fri 08:00-18:00"
HEADER = "window,holidays,closures,op,start,end,duration_min,pauses"


def run(argv: list[str], capsys, stdin: str = "") -> tuple[int, str, str]:
    if stdin:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode()))
    try:
        status = main(argv)
    finally:
        sys.stdin = sys.__stdin__
    out, err = capsys.readouterr()
    return status, out, err


def test_deadline_prints_an_iso_instant_with_its_offset(capsys):
    status, out, _ = run(["deadline", "--hours", OFFICE, "--holidays", "FR",
                          "--start", "2026-05-13T16:00+02:00", "--minutes", "600"], capsys)
    assert (status, out) == (0, "2026-05-15T16:00:00+02:00\n")


def test_deadline_takes_closure_days(capsys):
    _, out, _ = run(["deadline", "--hours", OFFICE, "--holidays", "FR", "--start", "2026-05-13T16:00+02:00",
                     "--minutes", "600", "--closed", "2026-05-15", "--closed", "2026-05-18"], capsys)
    assert out == "2026-05-19T16:00:00+02:00\n"


def test_deadline_in_same_time_business_days(capsys):
    _, out, _ = run(["deadline", "--hours", OFFICE, "--start", "2026-05-12T10:00+02:00",
                     "--days", "2", "--business-day", "same_time"], capsys)
    assert out == "2026-05-15T10:00:00+02:00\n"


def test_elapsed_prints_whole_minutes(capsys):
    status, out, _ = run(["elapsed", "--hours", "mon-fri 08:00-12:00,14:00-18:00", "--holidays", "FR-57",
                          "--start", "2026-04-02T09:00+02:00", "--end", "2026-04-07T11:00:59+02:00"], capsys)
    assert (status, out) == (0, "600\n")


def test_elapsed_subtracts_pauses(capsys):
    _, out, _ = run(["elapsed", "--hours", OFFICE, "--start", "2026-05-12T08:00+02:00",
                     "--end", "2026-05-12T18:00+02:00", "--pause", "2026-05-12T09:00+02:00/2026-05-12T10:00+02:00"],
                    capsys)
    assert out == "540\n"


@pytest.mark.parametrize(("argv", "message"), [
    (["elapsed", "--hours", "mon-fri 8h-18h", "--start", "2026-05-12T08:00+02:00", "--end", "2026-05-12T09:00+02:00"],
     "error: --hours: "),
    (["elapsed", "--hours", OFFICE, "--holidays", "FR-999", "--start", "2026-05-12T08:00+02:00",
      "--end", "2026-05-12T09:00+02:00"], "error: --holidays: unknown subdivision"),
    (["elapsed", "--hours", OFFICE, "--start", "12/05/2026", "--end", "2026-05-12T09:00+02:00"],
     "error: --start: '12/05/2026' is not an ISO 8601 instant"),
    (["elapsed", "--hours", OFFICE, "--start", "2026-05-12T10:00+02:00", "--end", "2026-05-12T09:00+02:00"],
     "error: --end: "),
    (["deadline", "--hours", OFFICE, "--start", "2026-05-12T10:00+02:00", "--minutes", "-5"],
     "error: --minutes: a duration must be more than 0"),
    (["deadline", "--hours", OFFICE, "--start", "2026-05-12T10:00+02:00", "--minutes", "60", "--closed", "demain"],
     "error: --closed: 'demain' is not a date"),
])
def test_bad_input_names_the_option_and_exits_2(capsys, argv, message):
    status, out, err = run(argv, capsys)
    assert status == 2
    assert out == ""
    assert message in err


def test_batch_answers_every_row_and_passes_extra_columns_through(capsys):
    rows = [
        f"ticket,{HEADER},note",
        f"T1,{OFFICE},FR,,deadline,2026-05-13T16:00+02:00,,600,,a",
        f"T2,{OFFICE},FR,2026-05-15,deadline,2026-05-13T16:00+02:00,,600,,b",
        'T3,"mon-fri 08:00-12:00,14:00-18:00",FR-57,,elapsed,2026-04-02T09:00+02:00,2026-04-07T11:00+02:00,,,c',
        f"T4,{OFFICE},FR,,elapsed,2026-05-12T08:00+02:00,2026-05-12T18:00+02:00,,"
        "2026-05-12T09:00+02:00/2026-05-12T10:00+02:00;2026-05-12T09:30+02:00/2026-05-12T11:00+02:00,d",
    ]
    status, out, err = run(["batch"], capsys, "\n".join(rows) + "\n")
    table = list(csv.DictReader(io.StringIO(out)))
    assert status == 0, err
    assert [row["result"] for row in table] == ["2026-05-15T16:00:00+02:00", "2026-05-18T16:00:00+02:00", "600", "480"]
    assert [row["ticket"] + row["note"] for row in table] == ["T1a", "T2b", "T3c", "T4d"]
    assert [row["error"] for row in table] == ["", "", "", ""]


def test_batch_reports_bad_rows_and_still_computes_the_others(capsys):
    rows = [
        HEADER,
        f"{OFFICE},FR,,elapsed,2026-05-12T08:00+02:00,2026-05-12T09:00+02:00,,",
        "mon-fri 25:00-26:00,FR,,elapsed,2026-05-12T08:00+02:00,2026-05-12T09:00+02:00,,",
        f"{OFFICE},FR,,elapsed,2026-05-12T10:00+02:00,2026-05-12T09:00+02:00,,",
        f"{OFFICE},FR,,deadline,2026-05-12T10:00+02:00,,0,",
        f"{OFFICE},FR,,deadline,2026-05-12T10:00+02:00,,,",
        f"{OFFICE},ZZ,,elapsed,2026-05-12T08:00+02:00,2026-05-12T09:00+02:00,,",
        f"{OFFICE},FR,2026-02-30,elapsed,2026-05-12T08:00+02:00,2026-05-12T09:00+02:00,,",
        f"{OFFICE},FR,,elapsed,2026-05-12T08:00+02:00,2026-05-12T09:00+02:00,,2026-05-12T09:00+02:00",
        f"{OFFICE},FR,,compute,2026-05-12T08:00+02:00,2026-05-12T09:00+02:00,,",
        f"{OFFICE},FR,,deadline,hier,,60,",
        f"{OFFICE},FR,,deadline,2026-05-12T10:00+02:00,,60,",
    ]
    status, out, err = run(["batch"], capsys, "\n".join(rows) + "\n")
    table = list(csv.DictReader(io.StringIO(out)))
    assert status == 1
    assert [row["result"] for row in table] == ["60", "", "", "", "", "", "", "", "", "", "2026-05-12T11:00:00+02:00"]
    errors = [row["error"] for row in table]
    assert errors[0] == ""
    assert errors[-1] == ""
    assert errors[1].startswith("window: '25:00-26:00'")
    assert errors[2] == "end: before start"
    assert errors[3] == "duration_min: 0 must be more than 0"
    assert errors[4] == "duration_min: missing"
    assert errors[5].startswith("holidays: unknown holiday code 'ZZ'")
    assert errors[6].startswith("closures: '2026-02-30' is not a date")
    assert errors[7] == "pauses: '2026-05-12T09:00+02:00' is not ISO/ISO"
    assert errors[8] == "op: 'compute' is not deadline or elapsed"
    assert errors[9].startswith("start: 'hier' is not an ISO 8601 instant")
    assert "row 2 (line 3): window: " in err
    assert "9 of 11 rows failed" in err


def test_batch_refuses_a_header_without_the_required_columns(capsys):
    status, _, err = run(["batch"], capsys, "window,op,start\nx,y,z\n")
    assert status == 2
    assert "header: missing column(s) holidays, closures, end, duration_min, pauses" in err


def test_the_console_command_is_installed():
    result = subprocess.run(
        [sys.executable, "-m", "jalon", "calendar", "deadline", "--hours", OFFICE, "--holidays", "FR",
         "--start", "2026-05-13T16:00+02:00", "--minutes", "600"],
        capture_output=True, text=True, check=True,
    )
    assert result.stdout == "2026-05-15T16:00:00+02:00\n"


def test_plain_and_quoted_csv_give_the_same_answers(capsys):
    """Blocks without quotes take the numpy reader, others the csv module: same results."""
    body = [
        f"{OFFICE},FR,,deadline,2026-05-13T16:00+02:00,,600,",
        f"{OFFICE},FR-57,2026-05-15,elapsed,2026-04-02T09:00+02:00,2026-05-20T11:00+02:00,,",
        f"{OFFICE},FR,,elapsed,2026-05-12T10:00+02:00,2026-05-12T09:00+02:00,,",
        "24/7,none,,deadline,2026-10-25T01:00+02:00,,180,2026-10-25T01:30+02:00/2026-10-25T02:00+01:00",
    ]
    _, plain, _ = run(["batch"], capsys, "\r\n".join([HEADER, *body]) + "\r\n")
    _, quoted, _ = run(["batch"], capsys, "\n".join([f"{HEADER},note", *(f'{row},"a, b"' for row in body)]))
    plain_rows = list(csv.DictReader(io.StringIO(plain)))
    quoted_rows = list(csv.DictReader(io.StringIO(quoted)))
    assert [(r["result"], r["error"]) for r in plain_rows] == [(r["result"], r["error"]) for r in quoted_rows]
    assert [r["result"] for r in plain_rows] == [
        "2026-05-15T16:00:00+02:00", "16920", "", "2026-10-25T04:30:00+01:00"]
    assert {r["note"] for r in quoted_rows} == {"a, b"}

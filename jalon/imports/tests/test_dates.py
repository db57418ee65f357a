from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from jalon.imports.dates import (
    NAT,
    DateFormat,
    matrix_of,
    parse_cells,
    parse_matrix,
    wall_to_utc,
)

PARIS = ZoneInfo("Europe/Paris")


def wall(text: str) -> int:
    return int((datetime.fromisoformat(text) - datetime(1970, 1, 1)).total_seconds())


def utc(text: str) -> int:
    return wall(text)


def parse(values: list[str], label: str) -> list[str | None]:
    seconds, parsed = parse_matrix(matrix_of([v.encode() for v in values]),
                                   (DateFormat.parse(label),))
    return [str(np.datetime64(int(s), "s")) if ok else None
            for s, ok in zip(seconds, parsed, strict=True)]


def test_it_reads_servicenow_dates_without_zero_padding():
    assert parse(["29/2/2016 01:16", "5/3/2016 12:00", "01/01/2016 00:00"], "D/M/YYYY HH:MM") == [
        "2016-02-29T01:16:00", "2016-03-05T12:00:00", "2016-01-01T00:00:00"]


def test_it_rejects_impossible_dates_and_other_layouts():
    assert parse(["31/02/2016 25:00", "29/2/2015 01:16", "1/1/2016 0:00", "1-1/2016 00:00",
                  "1/1/2016 00:00 ", "123/1/2016 00:00", "", "?"], "D/M/YYYY HH:MM") == [None] * 8


def test_doubled_letters_need_two_digits_and_mm_after_the_hour_is_minutes():
    assert parse(["2025-03-04 09:30:15", "2025-3-04 09:30:15"], "YYYY-MM-DD HH:MM:SS") == [
        "2025-03-04T09:30:15", None]


def test_a_format_it_cannot_read_is_refused():
    with pytest.raises(ValueError, match="not understood"):
        DateFormat.parse("D/M/YY")


def test_spring_forward_gap_is_read_with_winter_offset():
    result = wall_to_utc(np.array([wall("2025-03-30T02:30")], np.int64), "Europe/Paris")
    assert result.utc.tolist() == [utc("2025-03-30T01:30")]  # = 03:30 summer time
    assert (result.ambiguous, result.nonexistent) == (0, 1)


def test_autumn_repeated_hour_is_read_as_the_first_one():
    result = wall_to_utc(np.array([wall("2025-10-26T02:30")], np.int64), "Europe/Paris")
    assert result.utc.tolist() == [utc("2025-10-26T00:30")]  # 02:30 summer time
    assert (result.ambiguous, result.nonexistent) == (1, 0)


def test_it_agrees_with_zoneinfo_fold_0_every_quarter_hour_of_two_years():
    start = datetime(2024, 1, 1)
    moments = [start + timedelta(minutes=15 * i) for i in range(2 * 366 * 96)]
    walls = np.array([wall(m.isoformat()) for m in moments], np.int64)
    expected = [int(m.replace(tzinfo=PARIS).timestamp()) for m in moments]
    assert wall_to_utc(walls, "Europe/Paris").utc.tolist() == expected


def test_missing_instants_stay_missing_and_utc_is_identity():
    result = wall_to_utc(np.array([NAT, wall("2025-03-30T02:30")], np.int64), "UTC")
    assert result.utc.tolist() == [NAT, wall("2025-03-30T02:30")]


# --- reading cells in place (parse_cells) against the distinct-value parser (parse_matrix) ----

FORMAT_SETS = [
    ("D/M/YYYY HH:MM",),  # ServiceNow: eight layouts
    ("YYYY-MM-DD HH:MM:SS", "YYYY-MM-DD HH:MM", "DD-MM-YYYY HH:MM:SS", "DD-MM-YYYY HH:MM"),
    ("DD/MM/YYYY HH:MM:SS", "DD/MM/YYYY HH:MM", "DD/MM/YYYY"),
    ("H:MM D/M/YYYY", "YYYY"),
]
AWKWARD = [
    "", "?", " ", "2025-03-30 02:30", "2025-10-26 02:30", "2025-10-26 02:30:59", "30/03/2025 02:00",
    "26/10/2025 02:59:59", "29/2/2016 01:16", "29/2/2015 01:16", "31/02/2016 25:00", "1/1/2016 0:00",
    "01/01/2016 00:00", "1-1/2016 00:00", "123/1/2016 00:00", "2025-3-04 09:30:15",
    "2025-03-04 09:30:15", "2025-03-04T09:30:15", "2025-03-04 9:30", "2025-03-04 24:00",
    "2025-03-04 23:60", "2025-03-04 23:59:60", "2025-00-10 10:00", "2025-13-10 10:00",
    "2025-12-00 10:00", "2000-02-29 00:00", "1900-02-29 00:00", "2100-02-28 23:59:59",
    "31-12-2025 23:59", "31-12-2025 23:59:59", "12-31-2025 23:59", "2025/03/04 10:00",
    "2025-03-04  10:00", "2025-03-04 10:00 ", "x2025-03-04 10:00", "2025-03-04 10:0a",
    "２０２５-03-04 10:00", "2025-03-04 10:00\u00a0", "5/3/2016 12:00", "05/3/2016 12:00",
    "5/03/2016 1:00", "15/10/2016 9:05", "9:05 15/10/2016", "10:30 1/1/2026", "2026", "20261",
    "26/10/2025", "26/10/2025 02:30", "26/10/2025 02:30:00", "0001-01-01 00:00", "9999-12-31 23:59",
]


def cells(values: list[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The values laid end to end as in a block of a file, with their start and end offsets."""
    data = b";".join(values) + b"\n"
    ends = np.cumsum([len(v) + 1 for v in values]) - 1
    starts = ends - [len(v) for v in values]
    array = np.zeros(len(data) + 64, np.uint8)
    array[: len(data)] = np.frombuffer(data, np.uint8)
    return array, starts.astype(np.intp), ends.astype(np.intp)


def assert_parsers_agree(values: list[bytes], labels: tuple[str, ...]) -> None:
    formats = tuple(DateFormat.parse(label) for label in labels)
    in_place = parse_cells(*cells(values), formats)
    by_value = parse_matrix(matrix_of(values), formats)
    assert 0 < by_value[1].sum() < len(values)  # both kinds of value are tried
    assert in_place[1].tolist() == by_value[1].tolist()
    assert in_place[0].tolist() == by_value[0].tolist()


@pytest.mark.parametrize("labels", FORMAT_SETS)
def test_reading_in_place_agrees_on_awkward_values(labels):
    assert_parsers_agree([v.encode() for v in AWKWARD], labels)


@pytest.mark.parametrize("labels", FORMAT_SETS)
def test_reading_in_place_agrees_on_random_damage(labels):
    rng = random.Random(7)
    good = [datetime(2016, 1, 1) + timedelta(minutes=rng.randrange(6_000_000))
            for _ in range(3000)]
    spellings = [f"{m.day}/{m.month}/{m.year} {m:%H:%M}" for m in good]
    spellings += [f"{m:%Y-%m-%d %H:%M:%S}" for m in good] + [f"{m:%d/%m/%Y}" for m in good]
    spellings += [f"{m.hour}:{m:%M} {m.day}/{m.month}/{m.year}" for m in good[:500]]
    values = []
    for text in spellings:
        chars = list(text)
        for _ in range(rng.choice([0, 0, 1, 2])):  # replace, drop or insert a character
            where, what = rng.randrange(len(chars)), rng.choice("0123456789/-: ?a")
            if (action := rng.randrange(3)) == 0:
                chars[where] = what
            elif action == 1 and len(chars) > 1:
                del chars[where]
            else:
                chars.insert(where, what)
        values.append("".join(chars).encode())
    assert_parsers_agree(values, labels)


def test_a_format_with_one_and_two_digit_fields_has_a_layout_per_combination():
    assert [layout.template for layout in DateFormat.parse("D/M/YYYY HH:MM").layouts] == [
        b"0/0/0000 00:00", b"0/00/0000 00:00", b"00/0/0000 00:00", b"00/00/0000 00:00"]


def test_it_counts_each_skipped_and_repeated_quarter_hour_of_two_years():
    start = datetime(2024, 1, 1)
    walls = np.array([wall((start + timedelta(minutes=15 * i)).isoformat())
                      for i in range(2 * 366 * 96)] + [NAT], np.int64)
    result = wall_to_utc(walls, "Europe/Paris")
    assert (result.ambiguous, result.nonexistent) == (8, 8)
    assert result.utc[-1] == NAT

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from jalon.imports.dates import NAT, DateFormat, matrix_of, parse_matrix, wall_to_utc

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

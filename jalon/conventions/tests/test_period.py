"""The one period (a month, a quarter, a year, any days) and the one contract year."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from jalon.conventions.period import (
    ContractYear,
    EndBeforeStart,
    NoSuchDay,
    NotAPeriod,
    Period,
    PeriodError,
)

PARIS = ZoneInfo("Europe/Paris")


def names(periods: list[Period]) -> list[str]:
    return [str(p) for p in periods]


# -- reading and naming ---------------------------------------------------------------------

def test_it_reads_years_quarters_months_and_day_ranges() -> None:
    assert Period.parse("2026") == Period(date(2026, 1, 1), date(2026, 12, 31))
    assert Period.parse("2026-Q1") == Period(date(2026, 1, 1), date(2026, 3, 31))
    assert Period.parse("2026-02") == Period(date(2026, 2, 1), date(2026, 2, 28))
    assert Period.parse(" 2026-01-15..2026-02-14 ") == Period(date(2026, 1, 15), date(2026, 2, 14))


def test_it_names_itself_as_shortly_as_possible() -> None:
    for text in ("2026", "2026-Q4", "2026-12", "2026-01-15..2026-02-14",
                 "2026-02-01..2026-04-30"):
        assert str(Period.parse(text)) == text
    assert str(Period.parse("2026-04-01..2026-06-30")) == "2026-Q2"
    assert str(Period.parse("2026-01-01..2026-12-31")) == "2026"


def test_its_errors_are_value_errors_in_english_naming_the_text() -> None:
    for text, kind, words in [("2026-13", NotAPeriod, "month 13 does not exist"),
                              ("mars", NotAPeriod, "expected 2026, 2026-Q1"),
                              ("2026-Q5", NotAPeriod, "expected"),
                              ("2026-02-30..2026-03-01", NoSuchDay, "does not exist"),
                              ("2026-03-02..2026-03-01", EndBeforeStart, "precedes")]:
        with pytest.raises(kind, match=words) as caught:
            Period.parse(text)
        assert isinstance(caught.value, PeriodError)
        assert isinstance(caught.value, ValueError)
        assert str(caught.value).startswith(repr(text))
        assert caught.value.text == text


def test_a_period_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        Period(date(2026, 3, 2), date(2026, 3, 1))


def test_the_quarter_of_a_day() -> None:
    assert str(Period.quarter_of(date(2026, 8, 15))) == "2026-Q3"
    assert str(Period.quarter_of(date(2026, 12, 31))) == "2026-Q4"


# -- a span across a year end --------------------------------------------------------------

def test_a_span_across_a_year_end() -> None:
    span = Period.parse("2025-12-15..2026-01-14")
    assert (span.start, span.end, span.days) == (date(2025, 12, 15), date(2026, 1, 15), 31)
    assert span.month_indexes() == range(2025 * 12 + 11, 2026 * 12 + 1)
    assert not span.is_whole_months
    assert span.contains(Period.parse("2025-12-31..2026-01-01"))
    assert not span.contains(Period.parse("2026-01"))
    # 31 days: charted by weeks, the week of the new year whole
    assert names(span.buckets()) == ["2025-12-15..2025-12-21", "2025-12-22..2025-12-28",
                                     "2025-12-29..2026-01-04", "2026-01-05..2026-01-11",
                                     "2026-01-12..2026-01-14"]
    assert names(span.split("monthly")) == ["2025-12-15..2025-12-31", "2026-01-01..2026-01-14"]


def test_whole_months_across_a_year_end_split_into_months_and_quarters() -> None:
    winter = Period.of_months(2025, 11, 6)
    assert str(winter) == "2025-11-01..2026-04-30"
    assert names(winter.split("monthly")) == ["2025-11", "2025-12", "2026-01", "2026-02",
                                              "2026-03", "2026-04"]
    assert names(winter.split("quarterly")) == ["2025-11-01..2026-01-31", "2026-02-01..2026-04-30"]
    assert winter.split("yearly") == [winter]


def test_it_is_cut_in_weeks_up_to_a_month_and_in_months_beyond() -> None:
    assert names(Period.parse("2026-05").buckets()) == [
        "2026-05-01..2026-05-03", "2026-05-04..2026-05-10", "2026-05-11..2026-05-17",
        "2026-05-18..2026-05-24", "2026-05-25..2026-05-31"]
    assert names(Period.parse("2026-01-15..2026-03-02").buckets()) == [
        "2026-01-15..2026-01-31", "2026-02", "2026-03-01..2026-03-02"]
    assert Period.parse("2026-05").in_weeks
    assert not Period.parse("2026-05-01..2026-06-01").in_weeks


def test_a_measure_of_a_month_lies_in_its_quarter_and_year() -> None:
    march = Period.parse("2026-03")
    assert Period.parse("2026-Q1").contains(march)
    assert Period.parse("2026").contains(march)
    assert not Period.parse("2026-Q2").contains(march)
    # sorted by first day, then last: how a measure's rows are read in order
    assert names(sorted([march, Period.parse("2026"), Period.parse("2026-Q1")])) == [
        "2026-Q1", "2026", "2026-03"]


# -- instants, daylight saving time --------------------------------------------------------

def test_its_bounds_are_local_midnights_in_both_forms() -> None:
    start, end = Period.parse("2026-03").datetime_bounds("Europe/Paris")
    assert (start, end) == (datetime(2026, 3, 1, tzinfo=PARIS), datetime(2026, 4, 1, tzinfo=PARIS))
    # Summer time from 29 March: the month lasts one hour less than 31 days.
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(days=31, hours=-1)
    assert Period.parse("2026-03").bounds("Europe/Paris") == (
        np.datetime64("2026-02-28T23:00:00"), np.datetime64("2026-03-31T22:00:00"))


def test_a_period_ending_on_the_autumn_change_day_lasts_an_hour_more() -> None:
    day = Period.parse("2026-10-25..2026-10-25")  # 03:00 summer time is 02:00 again
    start, end = day.bounds("Europe/Paris")
    assert (str(start), str(end)) == ("2026-10-24T22:00:00", "2026-10-25T23:00:00")
    assert end - start == np.timedelta64(25 * 3600, "s")


def test_a_period_starting_where_midnight_does_not_exist_starts_at_the_first_instant() -> None:
    # Chile moves its clocks from 00:00 to 01:00 on 6 September 2026: the day starts at 01:00.
    day = Period.parse("2026-09-06..2026-09-06")
    start, end = day.datetime_bounds("America/Santiago")
    assert (start.hour, start.utcoffset()) == (1, timedelta(hours=-3))
    assert day.bounds("America/Santiago") == (np.datetime64("2026-09-06T04:00:00"),
                                              np.datetime64("2026-09-07T03:00:00"))
    assert int(end.timestamp() - start.timestamp()) == 23 * 3600


# -- the contract year ---------------------------------------------------------------------

def test_without_a_start_the_contract_year_ends_with_its_closing_month() -> None:
    assert str(ContractYear().holding(date(2026, 5, 4))) == "2026"
    june = ContractYear(year_end_month=6)
    assert str(june.holding(date(2026, 6, 30))) == "2025-07-01..2026-06-30"
    assert str(june.holding(date(2026, 7, 1))) == "2026-07-01..2027-06-30"


def test_with_a_start_the_contract_year_runs_from_anniversary_to_anniversary() -> None:
    years = ContractYear(date(2025, 3, 15), year_end_month=12)  # the start wins (D-50)
    assert str(years.holding(date(2026, 3, 14))) == "2025-03-15..2026-03-14"
    assert str(years.holding(date(2026, 3, 15))) == "2026-03-15..2027-03-14"


def test_a_contract_started_on_29_february_keeps_its_day_in_leap_years() -> None:
    years = ContractYear(date(2024, 2, 29))
    assert str(years.holding(date(2024, 2, 29))) == "2024-02-29..2025-02-27"
    assert str(years.holding(date(2025, 2, 28))) == "2025-02-28..2026-02-27"
    assert str(years.holding(date(2028, 2, 28))) == "2027-02-28..2028-02-28"
    assert str(years.holding(date(2028, 2, 29))) == "2028-02-29..2029-02-27"


def test_a_yearly_indicator_counts_in_the_period_holding_the_years_last_day() -> None:
    calendar = ContractYear()
    assert calendar.ending_in(Period.parse("2026-Q3")) is None
    assert str(calendar.ending_in(Period.parse("2026-Q4"))) == "2026"
    assert str(calendar.ending_in(Period.parse("2026-12"))) == "2026"
    assert str(ContractYear(year_end_month=6).ending_in(Period.parse("2026"))) == "2025-07-01..2026-06-30"
    from_april = ContractYear(date(2026, 4, 1))
    assert from_april.ending_in(Period.parse("2026-Q4")) is None
    assert str(from_april.ending_in(Period.parse("2027-Q1"))) == "2026-04-01..2027-03-31"
    mid_month = ContractYear(date(2026, 3, 15))
    assert str(mid_month.ending_in(Period.parse("2027-Q1"))) == "2026-03-15..2027-03-14"

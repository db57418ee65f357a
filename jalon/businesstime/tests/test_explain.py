"""Why a due instant falls where it does: closed days, holidays, nights (issue 16)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from jalon.businesstime import Calendar, CalendarError, Duration, WeeklyHours
from jalon.businesstime.explain import Closure, DayGroup, always_open, postponement, week_groups, written


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_week_groups_join_days_with_the_same_hours():
    hours = WeeklyHours.parse("mon-fri 08:00-12:00,14:00-18:00; sat 09:00-12:00")
    assert week_groups(hours) == (
        DayGroup(0, 4, ((480, 720), (840, 1080))), DayGroup(5, 5, ((540, 720),)))
    assert week_groups(WeeklyHours.parse("mon,wed 08:00-18:00")) == (
        DayGroup(0, 0, ((480, 1080),)), DayGroup(2, 2, ((480, 1080),)))
    assert written(hours) == "mon-fri 08:00-12:00,14:00-18:00; sat 09:00-12:00"
    assert WeeklyHours.parse(written(hours)) == hours
    assert always_open(WeeklyHours.parse("24/7"))
    assert not always_open(WeeklyHours.parse("mon-sun 00:00-23:00"))


def test_a_due_instant_pushed_past_christmas_and_the_weekend_says_so():
    office = Calendar.build("mon-fri 08:00-18:00", "FR")
    start = at("2026-12-24T16:00:00+01:00")  # Thursday
    due = office.deadline(start, Duration.parse("4h"))
    assert due.isoformat() == "2026-12-28T10:00:00+01:00"  # Monday
    found = postponement(office, start, due)
    assert [(d.day, d.why, d.name) for d in found.closed_days] == [
        (date(2026, 12, 25), Closure.HOLIDAY, "Noël"),
        (date(2026, 12, 26), Closure.WEEKEND, ""), (date(2026, 12, 27), Closure.WEEKEND, "")]
    assert found.nights == 1  # Thursday's close
    assert found.pushed


def test_a_due_instant_the_same_day_is_not_pushed():
    office = Calendar.build("mon-fri 08:00-18:00", "FR")
    start = at("2026-05-07T09:00:00+02:00")
    found = postponement(office, start, office.deadline(start, Duration.parse("4h")))
    assert not found.pushed


def test_the_night_between_two_open_days_and_a_start_after_closing():
    office = Calendar.build("mon-fri 08:00-18:00", "none")
    overnight = postponement(office, at("2026-05-06T17:00:00+02:00"), at("2026-05-07T11:00:00+02:00"))
    assert (overnight.closed_days, overnight.nights) == ((), 1)
    late = postponement(office, at("2026-05-06T19:00:00+02:00"), at("2026-05-07T12:00:00+02:00"))
    assert late.nights == 0  # opened after the close: counting starts at the next opening


def test_contract_closures_and_days_never_open():
    calendar = Calendar.build("mon-thu 08:00-18:00", "none", closures=["2026-05-11"])
    found = postponement(calendar, at("2026-05-07T17:00:00+02:00"), at("2026-05-12T09:00:00+02:00"))
    assert [(d.day.isoformat(), d.why) for d in found.closed_days] == [
        ("2026-05-08", Closure.WEEKDAY), ("2026-05-09", Closure.WEEKEND),
        ("2026-05-10", Closure.WEEKEND), ("2026-05-11", Closure.CLOSURE)]


def test_alsace_moselle_names_its_own_holidays():
    calendar = Calendar.build("mon-fri 08:00-18:00", "FR-57")
    found = postponement(calendar, at("2026-12-24T17:00:00+01:00"), at("2026-12-28T09:00:00+01:00"))
    assert [(d.day.day, d.why) for d in found.closed_days][:2] == [
        (25, Closure.HOLIDAY), (26, Closure.HOLIDAY)]  # 26 December is a holiday there


def test_around_the_clock_nothing_pushes_and_bad_instants_are_refused():
    calendar = Calendar.build("24/7", "none")
    assert not postponement(calendar, at("2026-05-07T17:00:00+02:00"), at("2026-05-09T17:00:00+02:00")).pushed
    with pytest.raises(CalendarError):
        postponement(calendar, at("2026-05-09T17:00:00+02:00"), at("2026-05-07T17:00:00+02:00"))

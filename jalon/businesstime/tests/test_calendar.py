from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from jalon.businesstime import BusinessDay, Calendar, CalendarError, Duration

OFFICE = "mon-fri 08:00-18:00"
LUNCH = "mon-fri 08:00-12:00,14:00-18:00"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def minutes(calendar: Calendar, start: str, end: str, pauses: list[tuple[str, str]] | None = None) -> float:
    return calendar.elapsed(at(start), at(end), [(at(a), at(b)) for a, b in pauses or []]) / 60


def due(calendar: Calendar, start: str, duration: Duration, pauses: list[tuple[str, str]] | None = None) -> str:
    return calendar.deadline(at(start), duration, [(at(a), at(b)) for a, b in pauses or []]).isoformat()


@pytest.fixture
def office() -> Calendar:
    return Calendar.build(OFFICE, "FR")


class TestElapsed:
    def test_it_counts_a_whole_window(self, office):
        assert minutes(office, "2026-05-12T08:00+02:00", "2026-05-12T18:00+02:00") == 600

    def test_it_ignores_time_before_opening_and_after_closing(self, office):
        assert minutes(office, "2026-05-12T06:00+02:00", "2026-05-12T21:00+02:00") == 600

    def test_it_is_zero_for_an_empty_interval(self, office):
        assert minutes(office, "2026-05-12T10:00+02:00", "2026-05-12T10:00+02:00") == 0

    def test_it_is_zero_over_a_weekend(self, office):
        assert minutes(office, "2026-05-09T08:00+02:00", "2026-05-10T20:00+02:00") == 0

    def test_it_skips_the_lunch_break(self):
        calendar = Calendar.build(LUNCH, "FR")
        assert minutes(calendar, "2026-05-12T11:00+02:00", "2026-05-12T15:00+02:00") == 120

    def test_it_skips_public_holidays(self, office):
        # Thursday 14 May 2026 is Ascension Day
        assert minutes(office, "2026-05-13T17:00+02:00", "2026-05-15T09:00+02:00") == 120

    def test_alsace_moselle_closes_on_good_friday_and_saint_stephen(self):
        moselle, france = Calendar.build(OFFICE, "FR-57"), Calendar.build(OFFICE, "FR")
        assert minutes(moselle, "2026-04-03T08:00+02:00", "2026-04-03T18:00+02:00") == 0
        assert minutes(france, "2026-04-03T08:00+02:00", "2026-04-03T18:00+02:00") == 600
        assert minutes(moselle, "2025-12-26T08:00+01:00", "2025-12-26T18:00+01:00") == 0
        assert minutes(france, "2025-12-26T08:00+01:00", "2025-12-26T18:00+01:00") == 600

    def test_alsace_departements_are_aliases(self):
        assert Calendar.build(OFFICE, "FR-67").holidays == "FR-6AE"

    def test_it_skips_closure_days(self):
        calendar = Calendar.build(OFFICE, "FR", ["2026-05-15"])
        assert minutes(calendar, "2026-05-13T08:00+02:00", "2026-05-16T00:00+02:00") == 600

    def test_it_subtracts_pauses(self, office):
        pause = [("2026-05-12T10:00+02:00", "2026-05-12T11:30+02:00")]
        assert minutes(office, "2026-05-12T08:00+02:00", "2026-05-12T18:00+02:00", pause) == 510

    def test_a_pause_over_a_closed_period_only_removes_open_time(self, office):
        # Friday 17:00 to Monday 09:00: only Friday 17-18 and Monday 08-09 were open
        pause = [("2026-05-15T17:00+02:00", "2026-05-18T09:00+02:00")]
        assert minutes(office, "2026-05-15T08:00+02:00", "2026-05-18T18:00+02:00", pause) == 1200 - 120

    def test_overlapping_pauses_count_once(self, office):
        pauses = [("2026-05-12T09:00+02:00", "2026-05-12T11:00+02:00"),
                  ("2026-05-12T10:00+02:00", "2026-05-12T12:00+02:00"),
                  ("2026-05-12T10:30+02:00", "2026-05-12T10:45+02:00")]
        assert minutes(office, "2026-05-12T08:00+02:00", "2026-05-12T18:00+02:00", pauses) == 420

    def test_pauses_outside_the_interval_are_clipped(self, office):
        pause = [("2026-05-12T06:00+02:00", "2026-05-12T09:00+02:00"),
                 ("2026-05-12T17:00+02:00", "2026-05-13T12:00+02:00")]
        assert minutes(office, "2026-05-12T08:30+02:00", "2026-05-12T17:30+02:00", pause) == 480

    def test_spring_forward_day_has_23_hours_on_a_24_7_calendar(self):
        calendar = Calendar.build("24/7", "none")
        assert minutes(calendar, "2026-03-29T00:00+01:00", "2026-03-30T00:00+02:00") == 23 * 60

    def test_fall_back_day_has_25_hours_on_a_24_7_calendar(self):
        calendar = Calendar.build("24/7", "none")
        assert minutes(calendar, "2026-10-25T00:00+02:00", "2026-10-26T00:00+01:00") == 25 * 60

    def test_office_hours_keep_their_length_across_daylight_saving_changes(self):
        calendar = Calendar.build("mon-sun 08:00-18:00", "none")
        assert minutes(calendar, "2026-03-29T00:00+01:00", "2026-03-30T00:00+02:00") == 600
        assert minutes(calendar, "2026-10-25T00:00+02:00", "2026-10-26T00:00+01:00") == 600

    def test_a_night_window_through_the_autumn_change_lasts_an_hour_more(self):
        calendar = Calendar.build("sun 01:00-04:00", "none")
        assert minutes(calendar, "2026-10-25T00:00+02:00", "2026-10-25T12:00+01:00") == 240

    def test_it_crosses_the_year_end(self, office):
        # 31 Dec 2026 is a Thursday, 1 Jan 2027 a holiday (Friday)
        assert minutes(office, "2026-12-31T17:00+01:00", "2027-01-04T09:00+01:00") == 120

    def test_long_spans_over_several_years(self, office):
        # 2025-2029: count business days by brute force on the dates
        import holidays

        days = holidays.country_holidays("FR", years=range(2025, 2030))
        expected = sum(
            1 for ordinal in range(datetime(2025, 1, 1).toordinal(), datetime(2030, 1, 1).toordinal())
            if (d := datetime.fromordinal(ordinal).date()).weekday() < 5 and d not in days
        )
        assert minutes(office, "2025-01-01T00:00+01:00", "2030-01-01T00:00+01:00") == expected * 600

    def test_any_offset_names_the_same_instant(self, office):
        assert minutes(office, "2026-05-12T06:00Z", "2026-05-12T16:00Z") == 600

    def test_end_before_start_is_refused(self, office):
        with pytest.raises(CalendarError, match="^end: "):
            office.elapsed(at("2026-05-12T10:00+02:00"), at("2026-05-12T09:00+02:00"))

    def test_naive_instants_are_refused(self, office):
        with pytest.raises(CalendarError, match="^start: .* no UTC offset"):
            office.elapsed(datetime(2026, 5, 12, 10), at("2026-05-12T11:00+02:00"))


class TestDeadline:
    def test_it_counts_from_the_start(self, office):
        assert due(office, "2026-05-12T09:00+02:00", Duration.hours(4)) == "2026-05-12T13:00:00+02:00"

    def test_it_ends_at_closing_time_when_it_runs_out_exactly_then(self, office):
        assert due(office, "2026-05-12T08:00+02:00", Duration.minutes(600)) == "2026-05-12T18:00:00+02:00"
        assert due(office, "2026-05-12T14:00+02:00", Duration.hours(4)) == "2026-05-12T18:00:00+02:00"

    def test_it_starts_counting_at_the_next_opening(self, office):
        assert due(office, "2026-05-12T19:30+02:00", Duration.hours(1)) == "2026-05-13T09:00:00+02:00"
        assert due(office, "2026-05-16T10:00+02:00", Duration.hours(1)) == "2026-05-18T09:00:00+02:00"

    def test_it_jumps_holidays_and_closures(self):
        calendar = Calendar.build(OFFICE, "FR", ["2026-05-15"])
        assert due(calendar, "2026-05-13T16:00+02:00", Duration.minutes(600)) == "2026-05-18T16:00:00+02:00"

    def test_it_jumps_the_lunch_break(self):
        calendar = Calendar.build(LUNCH, "FR")
        assert due(calendar, "2026-05-12T11:00+02:00", Duration.hours(2)) == "2026-05-12T15:00:00+02:00"
        assert due(calendar, "2026-05-12T11:00+02:00", Duration.hours(1)) == "2026-05-12T12:00:00+02:00"

    def test_it_is_pushed_by_pauses(self, office):
        pause = [("2026-05-12T10:00+02:00", "2026-05-12T12:00+02:00")]
        assert due(office, "2026-05-12T09:00+02:00", Duration.hours(4), pause) == "2026-05-12T15:00:00+02:00"

    def test_a_pause_starting_at_the_deadline_does_not_move_it(self, office):
        pause = [("2026-05-12T13:00+02:00", "2026-05-12T15:00+02:00")]
        assert due(office, "2026-05-12T09:00+02:00", Duration.hours(4), pause) == "2026-05-12T13:00:00+02:00"

    def test_chained_pauses_are_all_taken_into_account(self, office):
        pauses = [("2026-05-12T10:00+02:00", "2026-05-12T11:00+02:00"),
                  ("2026-05-12T13:30+02:00", "2026-05-12T14:00+02:00"),
                  ("2026-05-12T14:00+02:00", "2026-05-12T17:00+02:00")]
        assert due(office, "2026-05-12T09:00+02:00", Duration.hours(4), pauses) == "2026-05-12T17:30:00+02:00"

    def test_24_7_deadline_through_spring_forward(self):
        calendar = Calendar.build("24/7", "none")
        assert due(calendar, "2026-03-29T01:00+01:00", Duration.hours(2)) == "2026-03-29T04:00:00+02:00"

    def test_24_7_deadline_through_fall_back(self):
        calendar = Calendar.build("24/7", "none")
        assert due(calendar, "2026-10-25T01:00+02:00", Duration.hours(3)) == "2026-10-25T03:00:00+01:00"

    def test_it_crosses_the_year_end(self, office):
        assert due(office, "2026-12-31T17:00+01:00", Duration.hours(2)) == "2027-01-04T09:00:00+01:00"

    def test_very_long_durations_grow_the_calendar(self, office):
        start = "2026-01-02T08:00+01:00"
        end = office.deadline(at(start), Duration.hours(10 * 2000))
        assert office.elapsed(at(start), end) == 10 * 2000 * 3600
        assert end.year == 2033

    def test_the_result_is_in_the_calendar_zone(self, office):
        assert due(office, "2026-05-12T07:00Z", Duration.hours(1)) == "2026-05-12T10:00:00+02:00"

    def test_elapsed_of_the_deadline_is_the_duration(self, office):
        start = at("2026-05-13T16:37+02:00")
        for hours in (1, 4, 10, 37, 500):
            assert office.elapsed(start, office.deadline(start, Duration.hours(hours))) == hours * 3600


class TestBusinessDays:
    def test_a_fixed_business_day_is_open_time(self):
        calendar = Calendar.build(OFFICE, "FR", business_day=BusinessDay.fixed(600))
        assert due(calendar, "2026-05-12T16:00+02:00", Duration.business_days(5)) == "2026-05-20T16:00:00+02:00"

    def test_same_time_n_business_days_later(self):
        calendar = Calendar.build(OFFICE, "FR", business_day=BusinessDay.same_time())
        assert due(calendar, "2026-05-12T10:15+02:00", Duration.business_days(1)) == "2026-05-13T10:15:00+02:00"
        # Thursday 14 May is a holiday: from Wednesday, the next business day is Friday
        assert due(calendar, "2026-05-13T10:15+02:00", Duration.business_days(1)) == "2026-05-15T10:15:00+02:00"

    def test_same_time_moves_to_the_next_opening_when_closed_then(self):
        rule = BusinessDay.same_time()
        office = Calendar.build(OFFICE, "FR")
        assert due(office, "2026-05-11T19:00+02:00", Duration.business_days(1, rule)) == "2026-05-13T08:00:00+02:00"
        assert due(office, "2026-05-11T06:00+02:00", Duration.business_days(1, rule)) == "2026-05-12T08:00:00+02:00"

    def test_same_time_from_a_weekend_counts_business_days_after_it(self):
        office = Calendar.build(OFFICE, "FR")
        saturday = "2026-05-16T10:00+02:00"
        assert due(office, saturday, Duration.business_days(1, BusinessDay.same_time())) == "2026-05-18T10:00:00+02:00"

    def test_a_week_is_five_business_days(self):
        office = Calendar.build(OFFICE, "FR", business_day=BusinessDay.same_time())
        assert due(office, "2026-06-01T09:00+02:00", Duration.parse("1 semaine")) == "2026-06-08T09:00:00+02:00"

    def test_a_business_day_is_never_implicit(self):
        with pytest.raises(CalendarError, match="^business_day: "):
            Calendar.build(OFFICE, "FR").deadline(at("2026-05-12T10:00+02:00"), Duration.business_days(1))

    @pytest.mark.parametrize(("text", "expected"), [
        ("4h", Duration(seconds=4 * 3600)), ("30min", Duration(seconds=1800)),
        ("7h30", Duration(seconds=27000)), ("48 h ouvrées", Duration(seconds=48 * 3600)),
        ("1j", Duration(days=1)), ("2 jours ouvrés", Duration(days=2)), ("1 semaine", Duration(days=5)),
    ])
    def test_durations_are_read_as_contracts_write_them(self, text, expected):
        assert Duration.parse(text) == expected

    @pytest.mark.parametrize("text", ["", "4", "quatre heures", "0h", "-1j"])
    def test_unreadable_durations_are_refused(self, text):
        with pytest.raises(CalendarError, match="^duration: "):
            Duration.parse(text)


class TestCalendarInput:
    @pytest.mark.parametrize(("hours", "message"), [
        ("mon-fri 8-18", "'8' is not HH:MM"),
        ("mon-fri 08:00-18:00,12:00-14:00", "overlap"),
        ("mon-fri 18:00-08:00", "ends before it starts"),
        ("lun-ven 08:00-18:00", "days are mon..sun"),
        ("mon-fri 08:00-24:30", "not a time of day"),
        ("mon-fri", "expected DAYS HH:MM-HH:MM"),
        ("", "empty"),
    ])
    def test_bad_hours_name_the_field(self, hours, message):
        with pytest.raises(CalendarError, match=f"^hours: .*{message}"):
            Calendar.build(hours, "FR")

    def test_hours_groups_lists_and_wrapping_ranges(self):
        calendar = Calendar.build("mon,wed 09:00-10:00; sat-mon 10:00-11:00; fri 22:00-24:00", "none")
        assert str(calendar.hours) == (
            "mon 09:00-10:00,10:00-11:00; wed 09:00-10:00; fri 22:00-24:00; sat 10:00-11:00; sun 10:00-11:00"
        )

    @pytest.mark.parametrize(("code", "message"), [("XX", "unknown holiday code"), ("FR-99", "unknown subdivision")])
    def test_bad_holiday_codes_name_the_field(self, code, message):
        with pytest.raises(CalendarError, match=f"^holidays: {message}"):
            Calendar.build(OFFICE, code)

    def test_bad_closure_dates_name_the_field(self):
        with pytest.raises(CalendarError, match="^closures: '2026-13-01' is not a date"):
            Calendar.build(OFFICE, "FR", ["2026-13-01"])

    def test_equal_specifications_share_one_calendar(self):
        assert Calendar.build(OFFICE, "FR") is Calendar.build("mon-fri 08:00-18:00", "FR")


class TestVectorised:
    """The vectorised functions against the scalar ones and against a minute-by-minute oracle."""

    def test_it_agrees_with_a_minute_by_minute_count(self):
        from zoneinfo import ZoneInfo

        import holidays

        zone = ZoneInfo("Europe/Paris")
        calendar = Calendar.build(LUNCH + "; sat 09:00-12:00", "FR-57", ["2026-03-30"])
        closed = set(holidays.country_holidays("FR", subdiv="57", years=[2026])) | {datetime(2026, 3, 30).date()}
        rng = np.random.default_rng(7)
        base = int(at("2026-03-20T00:00+01:00").timestamp())
        starts = base + rng.integers(0, 20 * 86400, 60) // 60 * 60
        ends = starts + rng.integers(0, 6 * 86400, 60) // 60 * 60

        def open_minute(t: int) -> bool:
            local = datetime.fromtimestamp(t, zone)
            if local.date() in closed:
                return False
            minute = local.hour * 60 + local.minute
            spans = [(480, 720), (840, 1080)] if local.weekday() < 5 else [(540, 720)] if local.weekday() == 5 else []
            return any(a <= minute < b for a, b in spans)

        expected = [
            sum(open_minute(t) for t in range(int(s), int(e), 60)) * 60 for s, e in zip(starts, ends, strict=True)
        ]
        assert calendar.elapsed_seconds(starts.astype(np.int64), ends.astype(np.int64)).tolist() == expected

    def test_many_equals_one_at_a_time(self):
        calendar = Calendar.build(LUNCH, "FR")
        rng = np.random.default_rng(11)
        base = int(at("2026-01-01T00:00+01:00").timestamp())
        starts = base + rng.integers(0, 3 * 365 * 86400, 300)
        ends = starts + rng.integers(0, 40 * 86400, 300)
        seconds = rng.integers(1, 200 * 3600, 300)
        owner = rng.integers(0, 300, 200)
        pause_starts = starts[owner] + rng.integers(-86400, 10 * 86400, 200)
        pause_ends = pause_starts + rng.integers(0, 3 * 86400, 200)
        many = calendar.elapsed_seconds(starts, ends, owner, pause_starts, pause_ends)
        due = calendar.deadline_seconds(starts, seconds, owner, pause_starts, pause_ends)
        zone = calendar.zone
        for i in range(300):
            pauses = [
                (datetime.fromtimestamp(int(a), zone), datetime.fromtimestamp(int(b), zone))
                for a, b, o in zip(pause_starts, pause_ends, owner, strict=True)
                if o == i
            ]
            start = datetime.fromtimestamp(int(starts[i]), zone)
            assert many[i] == calendar.elapsed(start, datetime.fromtimestamp(int(ends[i]), zone), pauses)
            one = calendar.deadline(start, Duration(seconds=int(seconds[i])), pauses)
            assert int(due[i]) == int(one.timestamp())
            assert calendar.elapsed(start, one, pauses) == seconds[i]

    def test_missing_instants_and_backward_intervals_give_minus_one(self):
        calendar = Calendar.build(OFFICE, "FR")
        starts = np.array(["2026-05-12T08:00", "NaT", "2026-05-12T10:00"], "datetime64[s]")
        ends = np.array(["2026-05-12T09:00", "2026-05-12T09:00", "2026-05-12T09:00"], "datetime64[s]")
        assert calendar.elapsed_many(starts, ends).tolist() == [3600, -1, -1]

    def test_deadline_many_returns_utc_instants(self):
        calendar = Calendar.build(OFFICE, "FR")
        starts = np.array(["2026-05-13T14:00", "NaT"], "datetime64[s]")  # 16:00 in Paris
        result = calendar.deadline_many(starts, np.array([36000, 60]))
        assert result[0] == np.datetime64("2026-05-15T14:00:00")
        assert np.isnat(result[1])

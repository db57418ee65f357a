"""Business calendars: weekly hours + public holidays + closure days, in a time zone.

Semantics (the whole specification):

* instants are zone-aware; arithmetic is on absolute time, so a day with a daylight-saving
  change has 23 or 25 hours;
* ``elapsed(start, end, pauses)`` is the length of ``[start, end)`` inside open windows, minus
  whatever of it lies inside the pauses; holidays and closure days are closed all day;
* ``deadline(start, D)``, D > 0, is the earliest instant t with ``elapsed(start, t) = D``: a
  duration that runs out exactly at closing time ends *at* closing time, and one that starts
  outside the windows starts counting at the next opening;
* a business day is either a fixed amount of open time or "the same time of day N business days
  later, moved to the next opening if closed then" (:mod:`jalon.businesstime.duration`).

The vectorised functions take and return Unix seconds (or ``datetime64[s]``, naive = UTC) and
give exactly the scalar functions' results; the scalar functions are built on them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from threading import Lock
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

from jalon.businesstime.closed_days import check_holiday_code, parse_closures, public_holidays
from jalon.businesstime.duration import BusinessDay, DayRule, Duration
from jalon.businesstime.errors import CalendarError
from jalon.businesstime.hours import WeeklyHours
from jalon.businesstime.timeline import Timeline, build_timeline

I64 = npt.NDArray[np.int64]
Pause = tuple[datetime, datetime]
NAT = np.iinfo(np.int64).min
"""``datetime64`` NaT seen as int64."""
_GROWTH_YEARS = 4
_MAX_YEARS = 400


class Calendar:
    """One contract calendar. Immutable to its users; its timeline grows as queries need."""

    def __init__(
        self,
        hours: WeeklyHours,
        holidays: str = "FR",
        closures: frozenset[date] = frozenset(),
        tz: str = "Europe/Paris",
        business_day: BusinessDay | None = None,
    ) -> None:
        self.hours = hours
        self.holidays = check_holiday_code(holidays)
        self.closures = closures
        self.tz = tz
        try:
            self.zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise CalendarError("tz", f"unknown time zone {tz!r} (e.g. Europe/Paris)") from None
        self.business_day = business_day
        self._timeline: Timeline | None = None
        self._lock = Lock()

    @classmethod
    def build(
        cls,
        hours: str | WeeklyHours,
        holidays: str = "FR",
        closures: Iterable[str | date] = (),
        tz: str = "Europe/Paris",
        business_day: BusinessDay | None = None,
    ) -> Calendar:
        """A calendar from its written form; equal specifications share one cached calendar."""
        weekly = hours if isinstance(hours, WeeklyHours) else WeeklyHours.parse(hours)
        return _cached(weekly, check_holiday_code(holidays), parse_closures(closures), tz, business_day)

    def __repr__(self) -> str:
        return f"<Calendar {self.hours} holidays={self.holidays} tz={self.tz}>"

    # -- scalar API ----------------------------------------------------------------------------

    def elapsed(self, start: datetime, end: datetime, pauses: Sequence[Pause] = ()) -> int:
        """Open seconds in ``[start, end)`` minus those inside ``pauses``."""
        begin, finish = _unix(start, "start"), _unix(end, "end")
        if finish < begin:
            raise CalendarError("end", f"{end.isoformat()} is before start {start.isoformat()}")
        owner, pause_starts, pause_ends = _pause_arrays(pauses)
        result = self.elapsed_seconds(
            np.array([begin], np.int64), np.array([finish], np.int64), owner, pause_starts, pause_ends
        )
        return int(result[0])

    def deadline(self, start: datetime, duration: Duration, pauses: Sequence[Pause] = ()) -> datetime:
        """The earliest instant at which ``duration`` of open time (outside pauses) has run."""
        begin = _unix(start, "start")
        if duration.in_days and self._day_rule(duration).rule is DayRule.SAME_TIME:
            if pauses:
                raise CalendarError("pauses", "pauses cannot shift a deadline in calendar days")
            return self._to_local(self._same_time_later(begin, duration.days))
        owner, pause_starts, pause_ends = _pause_arrays(pauses)
        seconds = np.array([self.open_seconds(duration)], np.int64)
        due = self.deadline_seconds(np.array([begin], np.int64), seconds, owner, pause_starts, pause_ends)
        return self._to_local(int(due[0]))

    def open_seconds(self, duration: Duration) -> int:
        """The open time a duration stands for (business days under the FIXED rule)."""
        if not duration.in_days:
            return duration.seconds
        rule = self._day_rule(duration)
        if rule.rule is not DayRule.FIXED:
            raise CalendarError("duration", f"{duration} counts calendar days, not open time")
        return duration.days * rule.minutes * 60

    def is_open(self, instant: datetime) -> bool:
        moment = np.array([_unix(instant, "instant")], np.int64)
        timeline = self._covering(int(moment[0]), int(moment[0]) + 1)
        return bool(timeline.next_opening(moment)[0] == moment[0])

    # -- vectorised API: Unix seconds (int64) ------------------------------------------------

    def elapsed_seconds(
        self,
        starts: I64,
        ends: I64,
        pause_owner: I64 | None = None,
        pause_starts: I64 | None = None,
        pause_ends: I64 | None = None,
    ) -> I64:
        """Open seconds in each ``[starts[i], ends[i])`` minus the union of the pauses whose
        ``pause_owner`` is ``i``; -1 where an instant is missing (NaT) or the end is before the start."""
        valid = (starts != NAT) & (ends != NAT) & (ends >= starts)
        if not valid.any():
            return np.full(len(starts), -1, np.int64)
        timeline = self._covering(int(starts[valid].min()), int(ends[valid].max()))
        safe_starts = np.where(valid, starts, timeline.covers_from)
        safe_ends = np.where(valid, ends, timeline.covers_from)
        result = timeline.open_until(safe_ends) - timeline.open_until(safe_starts)
        if pause_owner is not None and len(pause_owner):
            assert pause_starts is not None
            assert pause_ends is not None
            result -= _paused(timeline, safe_starts, safe_ends, pause_owner, pause_starts, pause_ends)
        return np.where(valid, result, -1)

    def deadline_seconds(
        self,
        starts: I64,
        seconds: I64,
        pause_owner: I64 | None = None,
        pause_starts: I64 | None = None,
        pause_ends: I64 | None = None,
    ) -> I64:
        """Earliest instant where ``seconds[i]`` of open time outside row i's pauses has run since
        ``starts[i]``; NaT (as int64) where the start is missing or the duration is not > 0."""
        valid = (starts != NAT) & (seconds > 0)
        if not valid.any():
            return np.full(len(starts), NAT, np.int64)
        safe_starts = np.where(valid, starts, starts[valid][0])
        safe_seconds = np.where(valid, seconds, 1)
        if pause_owner is None or not len(pause_owner):
            due = self._due(safe_starts, safe_seconds)
        else:
            assert pause_starts is not None
            assert pause_ends is not None
            due = self._due_after_pauses(safe_starts, safe_seconds, pause_owner, pause_starts, pause_ends)
        return np.where(valid, due, NAT)

    def elapsed_many(
        self,
        starts: npt.NDArray[np.datetime64],
        ends: npt.NDArray[np.datetime64],
        pause_owner: I64 | None = None,
        pause_starts: npt.NDArray[np.datetime64] | None = None,
        pause_ends: npt.NDArray[np.datetime64] | None = None,
    ) -> I64:
        """:meth:`elapsed_seconds` on ``datetime64`` arrays (naive = UTC)."""
        return self.elapsed_seconds(
            _as_seconds(starts), _as_seconds(ends), pause_owner,
            None if pause_starts is None else _as_seconds(pause_starts),
            None if pause_ends is None else _as_seconds(pause_ends),
        )

    def deadline_many(
        self, starts: npt.NDArray[np.datetime64], seconds: I64
    ) -> npt.NDArray[np.datetime64]:
        """:meth:`deadline_seconds` on ``datetime64`` arrays (naive = UTC)."""
        due = self.deadline_seconds(_as_seconds(starts), np.asarray(seconds, np.int64))
        return due.astype("datetime64[s]")

    # -- internals -------------------------------------------------------------------------

    def _day_rule(self, duration: Duration) -> BusinessDay:
        rule = duration.rule or self.business_day
        if rule is None:
            raise CalendarError(
                "business_day",
                f"{duration}: say how a business day counts (fixed open time such as 10h, or same_time)",
            )
        return rule

    def _same_time_later(self, begin: int, days: int) -> int:
        """Same local time of day ``days`` business days after the start's date, moved to the
        next opening when closed then."""
        local = datetime.fromtimestamp(begin, self.zone)
        timeline = self._covering(begin, begin + 1)
        while True:
            index = int(np.searchsorted(timeline.open_days, local.toordinal(), side="right")) + days - 1
            if index < len(timeline.open_days) - 1:
                break
            timeline = self._covering(begin, timeline.covers_to + _GROWTH_YEARS * 366 * 86400)
        day = date.fromordinal(int(timeline.open_days[index]))
        wall = datetime.combine(day, time(local.hour, local.minute, local.second), self.zone)
        candidate = np.array([int(wall.timestamp())], np.int64)
        timeline = self._covering(int(candidate[0]), int(candidate[0]) + 1)
        return int(self._next_opening(candidate, timeline)[0])

    def _next_opening(self, instants: I64, timeline: Timeline) -> I64:
        while len(timeline.starts) == 0 or instants.max() >= timeline.starts[-1]:
            timeline = self._covering(timeline.covers_from, self._grown_end(timeline))
        return timeline.next_opening(instants)

    def _due(self, starts: I64, amounts: I64) -> I64:
        """Earliest instants where ``amounts`` of open time have run since ``starts``."""
        timeline = self._covering(int(starts.min()), int(starts.max()))
        while True:
            targets = timeline.open_until(starts) + amounts
            if targets.max() <= timeline.total:
                return timeline.instant_at(targets)
            timeline = self._covering(timeline.covers_from, self._grown_end(timeline))

    def _grown_end(self, timeline: Timeline) -> int:
        if timeline.last_day.year - timeline.first_day.year > _MAX_YEARS:
            raise CalendarError("hours", f"{self.hours} opens too rarely to reach this duration")
        return timeline.covers_to + _GROWTH_YEARS * 366 * 86400

    def _due_after_pauses(
        self, starts: I64, amounts: I64, owner: I64, pause_starts: I64, pause_ends: I64
    ) -> I64:
        """Deadlines that do not count the open time inside each row's pauses.

        On the open-time axis a row's pauses become disjoint pieces in order; a piece moves the
        deadline by its length when it begins before the deadline moved by the pieces before it.
        Those pieces form a prefix of the row's pieces, so one pass over all of them suffices."""
        last = max(int(starts.max()), int(pause_ends.max(initial=starts.max())))
        timeline = self._covering(int(starts.min()), last)
        origin = timeline.open_until(starts)
        piece_owner, piece_start, piece_length = _pieces(
            timeline, owner, np.maximum(pause_starts, starts[owner]), np.maximum(pause_ends, starts[owner])
        )
        paused_before = _cumsum_within(piece_owner, piece_length) - piece_length
        counted_before = piece_start - origin[piece_owner] - paused_before
        shifts = counted_before < amounts[piece_owner]
        extra = np.bincount(piece_owner[shifts], weights=piece_length[shifts], minlength=len(starts))
        return self._due(starts, amounts + extra.astype(np.int64))

    def _covering(self, first: int, last: int) -> Timeline:
        """The timeline, grown if needed so that it covers ``[first, last]`` with a margin."""
        timeline = self._timeline
        if timeline is not None and timeline.covers_from <= first and last < timeline.covers_to:
            return timeline
        with self._lock:
            timeline = self._timeline
            lo, hi = _year_of(first) - 1, _year_of(last) + 1
            if timeline is not None:
                # keep the origin when only the end must grow, and the end when only the start must
                lo = timeline.first_day.year if first >= timeline.covers_from else min(lo, timeline.first_day.year)
                hi = timeline.last_day.year if last < timeline.covers_to else max(hi, timeline.last_day.year)
            if hi - lo > _MAX_YEARS + 2 * _GROWTH_YEARS:
                raise CalendarError("hours", f"{self.hours}: instants more than {_MAX_YEARS} years apart")
            closed = public_holidays(self.holidays, lo, hi) | self.closures
            self._timeline = build_timeline(self.hours, closed, self.zone, date(lo, 1, 1), date(hi, 12, 31))
            return self._timeline

    def _to_local(self, instant: int) -> datetime:
        return datetime.fromtimestamp(instant, self.zone)


@lru_cache(maxsize=256)
def _cached(
    hours: WeeklyHours, holidays: str, closures: frozenset[date], tz: str, business_day: BusinessDay | None
) -> Calendar:
    return Calendar(hours, holidays, closures, tz, business_day)


def _paused(timeline: Timeline, starts: I64, ends: I64, owner: I64, pause_starts: I64, pause_ends: I64) -> I64:
    """Open seconds of each row covered by the union of its pauses, clipped to ``[start, end)``."""
    lo = np.maximum(pause_starts, starts[owner])
    hi = np.maximum(np.minimum(pause_ends, ends[owner]), lo)
    piece_owner, _, piece_length = _pieces(timeline, owner, lo, hi)
    return np.bincount(piece_owner, weights=piece_length, minlength=len(starts)).astype(np.int64)


def _pieces(timeline: Timeline, owner: I64, lo: I64, hi: I64) -> tuple[I64, I64, I64]:
    """Pauses mapped onto the open-time axis (monotone) as disjoint pieces, sorted by row then
    start: each pause keeps only what lies beyond the furthest end of its row's earlier pauses,
    so overlapping pauses count once. Returns (row, start on the axis, length)."""
    open_lo, open_hi = timeline.open_until(lo), timeline.open_until(hi)
    order = np.lexsort((open_lo, owner))
    owner_s, lo_s, hi_s = owner[order], open_lo[order], open_hi[order]
    # running maximum of the ends within each row: shift the rows apart on one axis
    stride = np.int64(int(hi_s.max(initial=0)) + 1)
    reached = np.maximum.accumulate(hi_s + owner_s * stride) - owner_s * stride
    first_of_row = np.concatenate(([True], owner_s[1:] != owner_s[:-1]))
    previous = np.where(first_of_row, lo_s, np.concatenate((lo_s[:1], reached[:-1])))
    start = np.maximum(lo_s, previous)
    return owner_s, start, np.maximum(hi_s - start, 0)


def _cumsum_within(owner: I64, values: I64) -> I64:
    """Running sums of ``values`` restarting at each new ``owner`` (rows sorted by owner)."""
    total = np.cumsum(values)
    first_of_row = np.concatenate(([True], owner[1:] != owner[:-1]))
    row_base = np.maximum.accumulate(np.where(first_of_row, total - values, 0))
    return total - row_base


def _pause_arrays(pauses: Sequence[Pause]) -> tuple[I64, I64, I64]:
    starts, ends = [], []
    for number, (begin, end) in enumerate(pauses, start=1):
        pause_start, pause_end = _unix(begin, f"pause {number}"), _unix(end, f"pause {number}")
        if pause_end < pause_start:
            raise CalendarError(f"pause {number}", f"{end.isoformat()} is before {begin.isoformat()}")
        starts.append(pause_start)
        ends.append(pause_end)
    owner = np.zeros(len(starts), np.int64)
    return owner, np.array(starts, np.int64), np.array(ends, np.int64)


def _unix(instant: datetime, field: str) -> int:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise CalendarError(field, f"{instant.isoformat()} has no UTC offset")
    return int((instant - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(seconds=1))


def _as_seconds(instants: npt.NDArray[np.datetime64]) -> I64:
    return np.asarray(instants).astype("datetime64[s]").astype(np.int64)


def _year_of(instant: int) -> int:
    return (datetime(1970, 1, 1) + timedelta(seconds=instant)).year

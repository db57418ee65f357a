"""A calendar's open time laid out as sorted UTC intervals with cumulative open seconds.

``starts[i]``/``ends[i]`` are the i-th open interval ``[start, end)`` in Unix seconds; ``before[i]``
is the open time of all intervals before it. The open time from the timeline's origin up to an
instant ``t`` is then one binary search away, which is what makes millions of queries cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from jalon.businesstime.hours import WeeklyHours

I64 = npt.NDArray[np.int64]


BUCKET = 3600
"""Width, in seconds, of the buckets of the lookup tables that replace binary searches."""


@dataclass(frozen=True)
class Timeline:
    first_day: date
    last_day: date
    covers_from: int
    """Unix second of local midnight starting ``first_day``."""
    covers_to: int
    """Unix second of local midnight ending ``last_day``."""
    starts: I64
    """Interval starts; ``starts[0]`` is an empty interval at ``covers_from`` so that every
    instant of the coverage has an interval starting at or before it."""
    ends: I64
    before: I64
    after: I64
    """Open time up to the end of each interval (``before + length``)."""
    open_days: I64
    """Ordinals (``date.toordinal``) of days with open time: the business days."""
    by_instant: I64
    """For each hour of the coverage, the last interval starting at or before it."""
    instant_steps: int
    by_amount: I64
    """For each hour of open time, the first interval whose ``after`` reaches it."""
    amount_steps: int

    @property
    def total(self) -> int:
        return int(self.after[-1])

    def locate(self, instants: I64) -> I64:
        """Index of the last interval starting at or before each instant (within the coverage):
        the hour's table entry, moved on past the few intervals that start later in that hour."""
        index = self.by_instant[(instants - self.covers_from) // BUCKET]
        last = len(self.starts) - 1
        for _ in range(self.instant_steps):
            following = np.minimum(index + 1, last)
            index = np.where(self.starts[following] <= instants, following, index)
        return index

    def open_until(self, instants: I64) -> I64:
        """Open seconds from the origin up to each instant (instants within the coverage)."""
        index = self.locate(instants)
        inside: I64 = np.minimum(instants, self.ends[index]) - self.starts[index]
        return self.before[index] + inside

    def instant_at(self, amounts: I64) -> I64:
        """Earliest instant where the open time from the origin reaches each amount (> 0)."""
        index = self.by_amount[np.minimum(amounts // BUCKET, len(self.by_amount) - 1)]
        last = len(self.after) - 1
        for _ in range(self.amount_steps):
            index = np.where(self.after[index] < amounts, np.minimum(index + 1, last), index)
        return self.starts[index] + (amounts - self.before[index])

    def next_opening(self, instants: I64) -> I64:
        """Each instant if open then, else the start of the next open interval."""
        index = self.locate(instants)
        following = np.minimum(index + 1, len(self.starts) - 1)
        return np.where(instants < self.ends[index], instants, self.starts[following])


def build_timeline(
    hours: WeeklyHours, closed: frozenset[date], zone: ZoneInfo, first_day: date, last_day: date
) -> Timeline:
    starts: list[int] = []
    ends: list[int] = []
    open_days: list[int] = []
    day = first_day
    while day <= last_day:
        windows = () if day in closed else hours.days[day.weekday()]
        had_open_time = False
        for start_minute, end_minute in windows:
            start, end = local_to_unix(day, start_minute, zone), local_to_unix(day, end_minute, zone)
            if end <= start:
                continue  # a window that lies wholly in the spring-forward gap does not exist
            had_open_time = True
            if ends and ends[-1] == start:
                ends[-1] = end  # merge windows that touch, e.g. 24/7 across midnight
            else:
                starts.append(start)
                ends.append(end)
        if had_open_time:
            open_days.append(day.toordinal())
        day += timedelta(days=1)
    covers_from = local_to_unix(first_day, 0, zone)
    covers_to = local_to_unix(last_day, 24 * 60, zone)
    starts_array = np.array([covers_from, *starts], dtype=np.int64)
    ends_array = np.array([covers_from, *ends], dtype=np.int64)
    after = np.cumsum(ends_array - starts_array)
    before = after - (ends_array - starts_array)
    by_instant, instant_steps = _bucket_table(starts_array - covers_from, covers_to - covers_from, "right")
    by_amount, amount_steps = _bucket_table(after, int(after[-1]), "left")
    return Timeline(
        first_day=first_day, last_day=last_day, covers_from=covers_from, covers_to=covers_to,
        starts=starts_array, ends=ends_array, before=before, after=after,
        open_days=np.array(open_days, dtype=np.int64),
        by_instant=by_instant, instant_steps=instant_steps, by_amount=by_amount, amount_steps=amount_steps,
    )


def _bucket_table(values: I64, span: int, side: str) -> tuple[I64, int]:
    """Per bucket of BUCKET seconds, where a binary search for the bucket's start would land, and
    how many steps forward at most a search for any value of the bucket would need from there."""
    bucket_starts = np.arange(0, span + BUCKET, BUCKET, dtype=np.int64)
    if side == "right":  # last value <= bucket start
        table = np.searchsorted(values, bucket_starts, side="right") - 1
        following = np.searchsorted(values, bucket_starts + BUCKET - 1, side="right") - 1
    else:  # first value >= bucket start (values reached by an amount of the bucket)
        table = np.searchsorted(values, bucket_starts, side="left")
        following = np.searchsorted(values, bucket_starts + BUCKET - 1, side="left")
    steps = int((following - table).max(initial=0))
    return np.clip(table, 0, len(values) - 1).astype(np.int64), steps


def local_to_unix(day: date, minute: int, zone: ZoneInfo) -> int:
    """Unix second of a local wall-clock time; ``minute`` may be 1440 (24:00).

    DST: a time in the spring-forward gap (02:30 on the last Sunday of March in Paris) is read
    with the offset before the change, so it lands one hour later (03:30 CEST); a time that
    occurs twice in autumn is the first occurrence (summer time, ``fold=0``).
    """
    if minute == 24 * 60:
        day, minute = day + timedelta(days=1), 0
    local = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=zone)
    return int(local.timestamp())

"""Regenerate golden/cases.csv: business-time answers counted minute by minute.

The oracle below shares no code with the engine: it walks wall-clock minutes through
``zoneinfo`` and the ``holidays`` package. Run ``python -m jalon.businesstime.tests.make_golden``
after changing the cases; the test compares ``jalon calendar batch`` with the file.
"""

from __future__ import annotations

import csv
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays

GOLDEN = Path(__file__).parent / "golden" / "cases.csv"
CALENDARS = [
    # window, holidays, closures, {weekday: [(start_minute, end_minute)]}
    ("mon-fri 08:00-18:00", "FR", "", {d: [(480, 1080)] for d in range(5)}),
    ("mon-fri 08:00-12:00,14:00-18:00", "FR-57", "", {d: [(480, 720), (840, 1080)] for d in range(5)}),
    ("mon-fri 07:30-18:00", "FR", "2026-05-15;2026-12-24", {d: [(450, 1080)] for d in range(5)}),
    ("24/7", "none", "", {d: [(0, 1440)] for d in range(7)}),
    ("mon-sat 08:00-20:00", "FR-6AE", "", {d: [(480, 1200)] for d in range(6)}),
    ("mon-sun 01:00-04:00", "none", "", {d: [(60, 240)] for d in range(7)}),
]
ZONE = ZoneInfo("Europe/Paris")
# around Easter/Ascension, both DST changes and the year end
ANCHORS = ["2026-03-27T00:00", "2026-04-01T00:00", "2026-05-11T00:00", "2026-10-23T00:00", "2026-12-22T00:00"]


def oracle(window: dict[int, list[tuple[int, int]]], holiday_code: str, closures: str):
    closed = {date.fromisoformat(day) for day in closures.split(";") if day}
    if holiday_code != "none":
        country, _, sub = holiday_code.partition("-")
        closed |= set(holidays.country_holidays(country, subdiv=sub or None, years=[2026, 2027]))

    def is_open(unix_minute: int) -> bool:
        local = datetime.fromtimestamp(unix_minute * 60, ZONE)
        if local.date() in closed:
            return False
        minute = local.hour * 60 + local.minute
        return any(a <= minute < b for a, b in window.get(local.weekday(), []))

    return is_open


def paused(unix_minute: int, pauses: list[tuple[int, int]]) -> bool:
    return any(a <= unix_minute < b for a, b in pauses)


def iso(unix_minute: int) -> str:
    return datetime.fromtimestamp(unix_minute * 60, ZONE).isoformat()


def main() -> None:
    rng = random.Random(20261122)
    rows = []
    for case in range(240):
        hours, code, closures, window = CALENDARS[case % len(CALENDARS)]
        is_open = oracle(window, code, closures)
        anchor = datetime.fromisoformat(ANCHORS[rng.randrange(len(ANCHORS))]).replace(tzinfo=ZONE)
        start = int((anchor + timedelta(minutes=rng.randrange(0, 6 * 1440))).timestamp()) // 60
        pauses = []
        for _ in range(rng.choice([0, 0, 1, 2])):
            begin = start + rng.randrange(-600, 3 * 1440)
            pauses.append((begin, begin + rng.randrange(0, 1440)))
        pause_text = ";".join(f"{iso(a)}/{iso(b)}" for a, b in pauses)
        if case % 2:
            end = start + rng.randrange(0, 5 * 1440)
            expected = sum(is_open(m) and not paused(m, pauses) for m in range(start, end))
            rows.append([case, hours, code, closures, "elapsed", iso(start), iso(end), "", pause_text, expected])
        else:
            duration = rng.randrange(1, 3000)
            counted, minute = 0, start
            while counted < duration:
                counted += is_open(minute) and not paused(minute, pauses)
                minute += 1
            rows.append([case, hours, code, closures, "deadline", iso(start), "", duration, pause_text, iso(minute)])
    with GOLDEN.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["case", "window", "holidays", "closures", "op", "start", "end", "duration_min", "pauses",
                         "expected"])
        writer.writerows(rows)
    print(f"{len(rows)} cases written to {GOLDEN} at {datetime.now(UTC):%Y-%m-%d}")


if __name__ == "__main__":
    main()

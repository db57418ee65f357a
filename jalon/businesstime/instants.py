"""ISO 8601 instants in and out, one at a time or a million at once.

Reading: ``2026-05-13T16:00+02:00``, with seconds, ``Z``, or a space instead of ``T``; an instant
without an offset is read as wall-clock time in the calendar's zone. The common shapes are read
by a vectorised path over the characters; anything else, and any value the fast path rejects,
goes through :func:`datetime.fromisoformat` so the error message is exact.

Writing: ``2026-05-15T16:00:00+02:00``, in the calendar's zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, cast
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from jalon.businesstime.errors import CalendarError

I64 = npt.NDArray[np.int64]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DIGITS = {
    # layout length -> (positions of the digits, separators {position: allowed characters})
    16: "DDDD-DD-DDxDD:DD",
    17: "DDDD-DD-DDxDD:DDZ",
    19: "DDDD-DD-DDxDD:DD:DD",
    20: "DDDD-DD-DDxDD:DD:DDZ",
    22: "DDDD-DD-DDxDD:DDsDD:DD",
    25: "DDDD-DD-DDxDD:DD:DDsDD:DD",
}


def parse_instant(text: str, zone: ZoneInfo, field: str) -> int:
    """Unix seconds of one ISO instant; CalendarError naming ``field`` when it is not one."""
    value = text.strip()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CalendarError(
            field, f"{text!r} is not an ISO 8601 instant (e.g. 2026-05-13T16:00+02:00)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return (moment - _EPOCH) // timedelta(seconds=1)


def parse_instants(
    texts: Sequence[str] | npt.NDArray[np.str_] | npt.NDArray[np.bytes_], zone: ZoneInfo, field: str
) -> tuple[I64, dict[int, str]]:
    """Unix seconds of many instants, and ``{index: message}`` for those that are not instants.

    Empty strings give NaT (as int64 minimum) without an error: the caller decides if the field
    was required."""
    count = len(texts)
    result = np.full(count, np.iinfo(np.int64).min, np.int64)
    if not count:
        return result, {}
    given = np.asarray(texts)
    array = np.strings.strip(given if given.dtype.kind in "SU" else given.astype(str))
    width = array.dtype.itemsize // (1 if array.dtype.kind == "S" else 4)
    code_type = np.uint8 if array.dtype.kind == "S" else np.uint32
    codes = cast(
        npt.NDArray[np.unsignedinteger[Any]],
        array.view(code_type).reshape(count, width) if width else np.zeros((count, 0), code_type),
    )
    lengths = np.strings.str_len(array)
    done = lengths == 0
    for length, layout in _DIGITS.items():
        rows = np.flatnonzero(lengths == length)
        if len(rows):
            seconds, ok = _fast_parse(codes[rows, :length], layout, zone)
            result[rows[ok]] = seconds[ok]
            done[rows[ok]] = True
    errors: dict[int, str] = {}
    for index in np.flatnonzero(~done):
        try:
            result[index] = parse_instant(_text(array[index]), zone, field)
        except CalendarError as error:
            errors[int(index)] = str(error)
    return result, errors


def format_instant(seconds: int, zone: ZoneInfo) -> str:
    return datetime.fromtimestamp(seconds, zone).isoformat()


def format_instants(seconds: I64, zone: ZoneInfo) -> list[str]:
    """ISO strings in ``zone``; "" for NaT."""
    missing = seconds == np.iinfo(np.int64).min
    if missing.all():
        return [""] * len(seconds)
    valid = seconds[~missing]
    offsets = local_offsets(valid, zone)
    local = (valid + offsets).astype("datetime64[s]")
    stamps = np.datetime_as_string(local, unit="s")
    signs = np.where(offsets < 0, "-", "+")
    magnitude = np.abs(offsets) // 60
    suffix = np.char.add(
        np.char.add(signs, np.char.zfill((magnitude // 60).astype(str), 2)),
        np.char.add(":", np.char.zfill((magnitude % 60).astype(str), 2)),
    )
    texts = np.char.add(stamps, suffix).tolist()
    if not missing.any():
        return list(texts)
    out = [""] * len(seconds)
    for position, text in zip(np.flatnonzero(~missing), texts, strict=True):
        out[position] = text
    return out


def local_offsets(seconds: I64, zone: ZoneInfo) -> I64:
    """The zone's UTC offset, in seconds, at each instant (Unix seconds)."""
    changes, offsets = offset_changes(zone.key, _year(int(seconds.min())) - 1, _year(int(seconds.max())) + 1)
    return offsets[np.searchsorted(changes, seconds, side="right")]


@lru_cache(maxsize=64)
def offset_changes(zone_key: str, first_year: int, last_year: int) -> tuple[I64, I64]:
    """The UTC instants where the zone's offset changes within the years, and its offsets: the one
    in force before the first change, then the one after each change (one more than changes).

    Found by sampling every 6 hours and bisecting each interval whose offset differs to the
    second; no zone changes its offset twice within 6 hours."""
    zone = ZoneInfo(zone_key)
    start = int(datetime(first_year, 1, 1, tzinfo=UTC).timestamp())
    end = int(datetime(last_year + 1, 1, 1, tzinfo=UTC).timestamp())
    step = 6 * 3600

    def offset(at: int) -> int:
        delta = datetime.fromtimestamp(at, zone).utcoffset()
        return int(delta.total_seconds()) if delta is not None else 0

    changes: list[int] = []
    offsets = [offset(start)]
    at = start
    while at < end:
        after = offset(at + step)
        if after != offsets[-1]:
            lo, hi = at, at + step  # offset(lo) is the old one, offset(hi) the new one
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if offset(mid) == offsets[-1] else (lo, mid)
            changes.append(hi)
            offsets.append(after)
        at += step
    return np.array(changes, np.int64), np.array(offsets, np.int64)


def _fast_parse(
    codes: npt.NDArray[np.unsignedinteger[Any]], layout: str, zone: ZoneInfo
) -> tuple[I64, npt.NDArray[np.bool_]]:
    ok = np.ones(len(codes), bool)
    for position, kind in enumerate(layout):
        column = codes[:, position]
        if kind == "D":
            ok &= (column >= ord("0")) & (column <= ord("9"))
        elif kind == "x":
            ok &= (column == ord("T")) | (column == ord(" "))
        elif kind == "s":
            ok &= (column == ord("+")) | (column == ord("-"))
        else:
            ok &= column == ord(kind)

    def number(begin: int, size: int) -> I64:
        value = np.zeros(len(codes), np.int64)
        for position in range(begin, begin + size):
            value = value * 10 + (codes[:, position].astype(np.int64) - ord("0"))
        return value

    year, month, day = number(0, 4), number(5, 2), number(8, 2)
    hour, minute = number(11, 2), number(14, 2)
    second = number(17, 2) if len(layout) in (19, 20, 25) else np.zeros(len(codes), np.int64)
    ok &= (month >= 1) & (month <= 12) & (day >= 1) & (hour <= 23) & (minute <= 59) & (second <= 59)
    safe_month = np.clip(month, 1, 12)
    month_start = ((np.clip(year, 1, 9999) - 1970) * 12 + safe_month - 1).astype("datetime64[M]")
    days_in_month = ((month_start + 1).astype("datetime64[D]") - month_start.astype("datetime64[D]")).astype(np.int64)
    ok &= day <= days_in_month
    wall = month_start.astype("datetime64[D]").astype(np.int64) * 86400 + (day - 1) * 86400
    wall += hour * 3600 + minute * 60 + second
    if layout.endswith("Z"):
        return wall, ok
    if "s" in layout:
        sign_at = layout.index("s")
        sign = np.where(codes[:, sign_at] == ord("-"), -1, 1)
        offset = number(sign_at + 1, 2) * 3600 + number(sign_at + 4, 2) * 60
        ok &= number(sign_at + 4, 2) <= 59
        return wall - sign * offset, ok
    return _wall_to_unix(wall, ok, zone), ok


def _wall_to_unix(wall: I64, ok: npt.NDArray[np.bool_], zone: ZoneInfo) -> I64:
    """Wall-clock seconds in ``zone`` to Unix seconds, as ``datetime(…, tzinfo=zone)`` reads them.

    With ``fold=0`` a wall time takes the offset in force *before* a change as long as it is
    earlier than the change seen on the wall with the larger of the two offsets: a time in the
    spring gap keeps winter time (02:30 reads as 03:30 CEST) and a repeated autumn time is its
    first, summer-time occurrence."""
    if not ok.any():
        return wall
    safe = np.where(ok, wall, wall[ok][0])
    changes, offsets = offset_changes(zone.key, _year(int(safe.min())) - 1, _year(int(safe.max())) + 1)
    switches = changes + np.maximum(offsets[:-1], offsets[1:])
    offset = offsets[np.searchsorted(switches, safe, side="right")]
    return wall - offset


def _year(instant: int) -> int:
    return (datetime(1970, 1, 1) + timedelta(seconds=instant)).year


def _text(value: str | bytes) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)

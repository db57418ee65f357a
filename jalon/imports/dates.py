"""Dates as ticket tools write them, parsed a whole column at a time, and wall times to UTC.

Two parsers give the same answers. :func:`parse_cells` reads cells where they lie in a block of
the file: every format is a handful of fixed layouts (``D/M/YYYY`` is ``D/M``, ``DD/M``, ``D/MM``
and ``DD/MM`` followed by the year), and the cells as long as a layout are checked and converted
together, byte column by byte column, with no work per distinct value — dates are nearly all
distinct in a large export. :func:`parse_matrix` reads a matrix of bytes, one zero-padded row per
distinct value; it takes what the first one leaves (missing values, errors, spreadsheet cells).

Wall times are read in the export's zone (``Europe/Paris`` by default) with the rule of Python's
``fold=0`` (PEP 495), chosen because it is the one every Python tool applies by default:

* an **ambiguous** time (autumn, 02:00–02:59 happens twice) is the *first* one, summer time:
  ``2025-10-26 02:30`` → ``00:30 UTC``;
* a **nonexistent** time (spring, 02:00–02:59 is skipped) is read with the offset in force
  before the change, i.e. moved forward by the gap: ``2025-03-30 02:30`` → ``01:30 UTC``
  (= 03:30 summer time).

Both cases are counted so that a summary can say how many rows they touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from itertools import product

import numpy as np
import numpy.typing as npt

from jalon.businesstime.instants import offset_changes

Seconds = npt.NDArray[np.int64]
Bytes = npt.NDArray[np.uint8]
NAT = np.iinfo(np.int64).min
"""Missing instant: the integer behind ``numpy.datetime64("NaT")``."""

_DAY = 86_400
_TOKENS = re.compile(r"YYYY|DD|D|MM|M|HH|H|SS")
_FIELDS = ("year", "month", "day", "hour", "minute", "second")
_LIMITS = {"month": (1, 12), "day": (1, 31), "hour": (0, 23), "minute": (0, 59), "second": (0, 59)}


@dataclass(frozen=True)
class DateFormat:
    """A date layout written the way users read it: ``D/M/YYYY HH:MM``.

    ``D``/``M``/``H`` take one or two digits, doubled letters exactly two, ``YYYY`` four; ``MM``
    after the hour is the minute. Each separator is one character.
    """

    label: str
    fields: tuple[str, ...]
    widths: tuple[tuple[int, int], ...]
    separators: bytes

    @classmethod
    def parse(cls, label: str) -> DateFormat:
        fields: list[str] = []
        widths: list[tuple[int, int]] = []
        separators = b""
        position = 0
        for match in _TOKENS.finditer(label):
            gap = label[position : match.start()]
            if (fields and len(gap) != 1) or (not fields and gap):
                raise ValueError(f"date format {label!r}: one separator expected between fields")
            separators += gap.encode("ascii")
            field, width = _token(match.group(), in_time="hour" in fields)
            fields.append(field)
            widths.append(width)
            position = match.end()
        if position != len(label) or len(set(fields)) != len(fields) or "year" not in fields:
            raise ValueError(f"date format {label!r} is not understood")
        return cls(label, tuple(fields), tuple(widths), separators)

    @cached_property
    def layouts(self) -> tuple[Layout, ...]:
        """The fixed-width layouts this format accepts, one per choice of digit counts."""
        choices = [range(low, high + 1) for low, high in self.widths]
        return tuple(Layout.of(self, counts) for counts in product(*choices))


@dataclass(frozen=True)
class Layout:
    """One fixed-width spelling of a format, e.g. ``DD/M/YYYY HH:MM`` for ``D/M/YYYY HH:MM``.

    ``template`` holds ``0`` where a digit goes and the separator elsewhere; ``limit`` is 10 at
    digits and 1 at separators, so that a cell fits when ``cell ^ template < limit`` everywhere
    (a byte XOR ``0`` is below 10 exactly when it is a digit, and then it is the digit's value).
    """

    fields: tuple[str, ...]
    digits: tuple[tuple[int, ...], ...]
    """Byte offsets of each field's digits, most significant first."""
    template: bytes
    limit: bytes

    @classmethod
    def of(cls, fmt: DateFormat, counts: tuple[int, ...]) -> Layout:
        template, limit, digits = b"", b"", []
        for index, count in enumerate(counts):
            if index:
                template += fmt.separators[index - 1 : index]
                limit += b"\x01"
            digits.append(tuple(range(len(template), len(template) + count)))
            template += b"0" * count
            limit += b"\x0a" * count
        return cls(fmt.fields, tuple(digits), template, limit)

    def read(self, cells: Bytes) -> tuple[Seconds, npt.NDArray[np.bool_]]:
        """Wall-clock seconds of cells as long as the layout (one per row of ``cells``), and
        whether each fits."""
        mixed = cells ^ np.frombuffer(self.template, np.uint8)
        fits: npt.NDArray[np.bool_] = np.all(mixed < np.frombuffer(self.limit, np.uint8), axis=1)
        parts = {}
        for name, offsets in zip(self.fields, self.digits, strict=True):
            value = mixed[:, offsets[0]].astype(np.int64)
            for offset in offsets[1:]:
                value = value * 10 + mixed[:, offset]
            parts[name] = value
        return _seconds_of(parts, fits)


def _token(token: str, *, in_time: bool) -> tuple[str, tuple[int, int]]:
    if token == "MM" and in_time:
        return "minute", (2, 2)
    names = {"YYYY": "year", "DD": "day", "D": "day", "MM": "month", "M": "month"}
    names |= {"HH": "hour", "H": "hour", "SS": "second"}
    width = (4, 4) if token == "YYYY" else (len(token), 2)
    return names[token], width


def parse_matrix(matrix: Bytes, formats: tuple[DateFormat, ...]) -> tuple[Seconds, np.ndarray]:
    """Wall-clock seconds since 1970 for each row of ``matrix`` and whether it parsed.

    Rows are tried against each format in turn; a row no format accepts gets ``NAT``.
    """
    seconds = np.full(len(matrix), NAT, np.int64)
    parsed = np.zeros(len(matrix), bool)
    for fmt in formats:
        todo = np.flatnonzero(~parsed)
        if not len(todo):
            break
        values, ok = _parse_one(matrix[todo], fmt)
        seconds[todo[ok]] = values[ok]
        parsed[todo[ok]] = True
    return seconds, parsed


def _parse_one(matrix: Bytes, fmt: DateFormat) -> tuple[Seconds, np.ndarray]:
    rows, numbers, widths = _split_numbers(matrix, fmt)
    ok = np.ones(len(rows), bool)
    for index, (low, high) in enumerate(fmt.widths):
        ok &= (widths[:, index] >= low) & (widths[:, index] <= high)
    parts = {name: numbers[:, index] for index, name in enumerate(fmt.fields)}
    values, ok = _seconds_of(parts, ok)
    seconds = np.full(len(matrix), NAT, np.int64)
    parsed = np.zeros(len(matrix), bool)
    seconds[rows[ok]] = values[ok]
    parsed[rows[ok]] = True
    return seconds, parsed


def _seconds_of(
    parts: dict[str, Seconds], ok: npt.NDArray[np.bool_]
) -> tuple[Seconds, npt.NDArray[np.bool_]]:
    """Wall-clock seconds of dates given as fields, and which are real dates (both parsers)."""
    for name, (low, high) in _LIMITS.items():
        if name in parts:
            ok &= (parts[name] >= low) & (parts[name] <= high)
    zero = np.zeros(len(ok), np.int64)
    year, month = parts["year"], parts.get("month", zero + 1)
    day = parts.get("day", zero + 1)
    ok &= day <= _days_in_month(year, month)
    clock = parts.get("hour", zero) * 3600 + parts.get("minute", zero) * 60
    clock += parts.get("second", zero)
    return _days_from_civil(year, month, day) * _DAY + clock, ok


def parse_cells(
    array: Bytes, start: npt.NDArray[np.intp], end: npt.NDArray[np.intp],
    formats: tuple[DateFormat, ...],
) -> tuple[Seconds, npt.NDArray[np.bool_]]:
    """:func:`parse_matrix` of the cells ``array[start:end]``, read where they lie.

    A format accepts a text exactly when one of its layouts fits it (the digit counts and the
    separators say where every field is), and no two layouts of a format fit the same text, so
    trying each format's layouts in the order of the formats gives :func:`parse_matrix`'s answer
    — except for a cell holding a NUL byte, which no layout fits and which :func:`parse_matrix`
    reads as padding: the reader hands every cell left unparsed to :func:`parse_matrix`.
    ``array`` must extend at least as far past every cell as the longest layout.
    """
    length = end - start
    seconds = np.full(len(start), NAT, np.int64)
    parsed = np.zeros(len(start), bool)
    for fmt in formats:
        for layout in fmt.layouts:
            todo = np.flatnonzero((length == len(layout.template)) & ~parsed)
            if not len(todo):
                continue
            windows = np.lib.stride_tricks.sliding_window_view(array, len(layout.template))
            values, ok = layout.read(windows[start[todo]])
            seconds[todo[ok]] = values[ok]
            parsed[todo[ok]] = True
    return seconds, parsed


def _split_numbers(
    matrix: Bytes, fmt: DateFormat
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Rows laid out as the format says (digit runs and separators alternate), and the value
    and digit count of each of their numbers."""
    count = len(fmt.fields)
    digit = (matrix >= 48) & (matrix <= 57)
    run_start = digit.copy()
    run_start[:, 1:] &= ~digit[:, :-1]
    run_end = digit.copy()
    run_end[:, :-1] &= ~digit[:, 1:]
    other = (matrix != 0) & ~digit
    # count runs and count-1 other characters can only be digits, one separator, digits, …
    rows = np.flatnonzero((run_start.sum(axis=1) == count) & (other.sum(axis=1) == count - 1))
    sub = matrix[rows]
    line = np.arange(len(rows))[:, None]
    if count > 1:
        where = np.nonzero(other[rows])[1].reshape(len(rows), count - 1)
        expected = np.frombuffer(fmt.separators, np.uint8)
        rows = rows[(sub[line, where] == expected).all(axis=1)]
        sub = matrix[rows]
        line = line[: len(rows)]
    first = np.nonzero(run_start[rows])[1].reshape(len(rows), count)
    widths = np.nonzero(run_end[rows])[1].reshape(len(rows), count) - first + 1
    numbers = np.zeros((len(rows), count), np.int64)
    last = matrix.shape[1] - 1
    for offset in range(4):
        within = offset < widths
        digits = sub[line, np.minimum(first + offset, last)].astype(np.int64) - 48
        numbers = np.where(within, numbers * 10 + digits, numbers)
    return rows, numbers, widths


def _days_in_month(year: Seconds, month: Seconds) -> Seconds:
    lengths = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 0], np.int64)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    index = np.clip(month - 1, 0, 12)
    return lengths[index] + (leap & (month == 2))


def _days_from_civil(year: Seconds, month: Seconds, day: Seconds) -> Seconds:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)."""
    year = year - (month <= 2)
    era = np.floor_divide(year, 400)
    year_of_era = year - era * 400
    day_of_year = (153 * np.where(month > 2, month - 3, month + 9) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    result: Seconds = era * 146_097 + day_of_era - 719_468
    return result


@dataclass
class Conversion:
    utc: Seconds
    ambiguous: int
    nonexistent: int


def wall_to_utc(wall: Seconds, zone: str) -> Conversion:
    """UTC seconds of wall-clock seconds read in ``zone`` (``NAT`` stays ``NAT``)."""
    known = wall != NAT
    if not known.any():
        return Conversion(wall.copy(), 0, 0)
    first_day = int(wall[known].min()) // _DAY - 2
    instants, offsets = _transitions(zone, first_day, int(wall.max()) // _DAY + 2)
    before, after = offsets[:-1], offsets[1:]
    # Around change i the wall clock reads [instant + min, instant + max) twice (autumn) or
    # never (spring). Under fold=0 the new offset applies once the wall clock has passed both
    # readings of the change, so an ambiguous or skipped hour keeps the offset in force before
    # it. With these windows' bounds in one sorted list, a time's position in it says both
    # which offset applies (position // 2) and whether it falls in a window (position odd).
    bounds = np.empty(2 * len(instants), np.int64)
    bounds[0::2] = instants + np.minimum(before, after)
    bounds[1::2] = instants + np.maximum(before, after)
    position = np.searchsorted(bounds, wall, side="right")
    utc = np.where(known, wall - offsets[position // 2], NAT)
    # NAT sorts first (position 0, even): it is never counted as in a window.
    in_window = np.bincount(position, minlength=len(bounds) + 1)[1::2]
    backward = after < before
    return Conversion(utc, int(in_window[backward].sum()), int(in_window[~backward].sum()))


def _transitions(zone: str, first_day: int, last_day: int) -> tuple[Seconds, Seconds]:
    """Offset changes of ``zone`` between two days: UTC instants, and offsets (one more)."""
    if zone.upper() == "UTC":
        return np.empty(0, np.int64), np.zeros(1, np.int64)
    return offset_changes(zone, _year_of_day(first_day), _year_of_day(last_day))


def _year_of_day(day: int) -> int:
    return datetime.fromtimestamp(day * _DAY, UTC).year


def matrix_of(values: list[bytes]) -> Bytes:
    """Zero-padded byte matrix, one row per value (for values that are not yet one)."""
    width = max((len(value) for value in values), default=0) or 1
    array = np.array(values, dtype=f"S{width}")
    return np.frombuffer(array.tobytes(), np.uint8).reshape(len(values), width)

"""``jalon calendar batch``: deadlines and elapsed times for every row of a CSV file.

Rows are read in chunks, turned into columns, grouped by calendar (window, holidays, closures,
time zone), and each group is answered by the vectorised engine. A bad row gets its message in
the ``error`` column and on standard error with its row number; the other rows are still computed.
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import os
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import chain, islice
from operator import add
from typing import BinaryIO, TextIO

import numpy as np
import numpy.typing as npt

from jalon.businesstime.calendar import NAT, Calendar
from jalon.businesstime.csvfast import FieldTable
from jalon.businesstime.errors import CalendarError
from jalon.businesstime.instants import format_instants, parse_instants

COLUMNS = ("window", "holidays", "closures", "op", "start", "end", "duration_min", "pauses")
BLOCK_BYTES = 8 << 20
I64 = npt.NDArray[np.int64]
Texts = npt.NDArray[np.str_]
Raw = npt.NDArray[np.bytes_]


class Chunk:
    """A block of rows as text columns, with a result and an error for each row."""

    def __init__(self, first_row: int, columns: Mapping[str, Texts | Raw], lines: list[bytes] | None,
                 rows: list[list[str]] | None) -> None:
        self.first_row = first_row
        """1-based number of the first data row (the header is line 1, row 1 is line 2)."""
        self.raw = columns
        """Columns as read: UTF-8 bytes from the numpy reader, text from the csv module."""
        self.columns = {name: _decoded(column) for name, column in columns.items() if name not in ("start", "end")}
        """Text columns, but for the instants, which are parsed from ``raw``."""
        self.lines = lines
        """The rows as read, when they pass through unchanged (simple CSV)."""
        self.rows = rows
        """The rows as parsed by the csv module, otherwise."""
        size = len(next(iter(columns.values())))
        self.results = np.full(size, "", dtype=object)
        self.errors = np.full(size, "", dtype=object)

    @classmethod
    def read(cls, first_row: int, block: bytes, width: int, positions: dict[str, int], simple: bool) -> Chunk:
        table = FieldTable.split(block, width, sorted(set(positions.values()))) if simple else None
        if table is not None:
            columns = {name: table.column(at) for name, at in positions.items()}
            return cls(first_row, columns, table.lines(), None)
        rows = list(csv.reader(io.StringIO(block.decode("utf-8", errors="replace"))))
        needed = max(positions.values()) + 1
        for row in filter(lambda row: len(row) < needed, rows):
            row.extend([""] * (needed - len(row)))  # short rows: the missing fields are empty
        columns = {name: np.array([row[at] for row in rows], dtype=str) for name, at in positions.items()}
        return cls(first_row, columns, None, rows)

    def __len__(self) -> int:
        return len(self.results)

    def fail(self, indices: I64 | list[int], message: str) -> None:
        for index in indices:
            if not self.errors[index]:
                self.errors[index] = message

    def answer(self, indices: I64, texts: list[str] | npt.NDArray[np.object_]) -> None:
        """Store results for rows that have no error."""
        clean = self.errors[indices] == ""
        self.results[indices[clean]] = np.asarray(texts, dtype=object)[clean]

    def output(self, dropped: list[int]) -> bytes:
        """The rows with their result and error, as CSV."""
        if self.lines is not None:
            results = [text.encode() for text in self.results.tolist()]
            errors = [_csv_field(text).encode() if text else b"" for text in self.errors.tolist()]
            return b"\n".join(map(b",".join, zip(self.lines, results, errors, strict=True))) + b"\n"
        assert self.rows is not None
        rows = self.rows
        if dropped:
            rows = [[value for i, value in enumerate(row) if i not in dropped] for row in rows]
        buffer = io.StringIO()
        pairs = ([r, e] for r, e in zip(self.results.tolist(), self.errors.tolist(), strict=True))
        csv.writer(buffer, lineterminator="\n").writerows(map(add, rows, pairs))
        return buffer.getvalue().encode()


class BatchReport:
    def __init__(self) -> None:
        self.rows = 0
        self.failed = 0


def run_batch(
    source: BinaryIO, target: BinaryIO, log: TextIO, tz: str = "Europe/Paris", workers: int | None = None,
    block_bytes: int = BLOCK_BYTES,
) -> BatchReport:
    """Answer every row of ``source``; ``workers`` processes (default: one per core) on large inputs."""
    first_line = source.readline().decode("utf-8-sig", errors="replace")
    header = next(csv.reader([first_line]), None) if first_line.strip() else None
    if header is None:
        raise CalendarError("input", "empty: expected a CSV header " + ",".join(COLUMNS))
    header = [name.strip() for name in header]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise CalendarError("header", f"missing column(s) {', '.join(missing)} (found: {', '.join(header)})")
    positions = {name: header.index(name) for name in (*COLUMNS, "tz") if name in header}
    dropped = [i for i, name in enumerate(header) if name in ("result", "error")]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(
        [*(name for i, name in enumerate(header) if i not in dropped), "result", "error"]
    )
    target.write(out.getvalue().encode())
    layout = Layout(len(header), positions, dropped, tz)
    report = BatchReport()
    for answer in _answers(_blocks(source, block_bytes), layout, workers):
        target.write(answer.output)
        for index, message in answer.errors:
            number = report.rows + 1 + index
            log.write(f"row {number} (line {number + 1}): {message}\n")
        report.rows += answer.rows
        report.failed += len(answer.errors)
    return report


@dataclass(frozen=True)
class Layout:
    """What a worker needs to answer a block: the header's shape and the default zone."""

    width: int
    positions: dict[str, int]
    dropped: list[int]
    tz: str


@dataclass(frozen=True)
class BlockAnswer:
    output: bytes
    errors: list[tuple[int, str]]
    """(0-based row within the block, message)."""
    rows: int


def answer_block(block: bytes, layout: Layout) -> BlockAnswer:
    chunk = Chunk.read(1, block, layout.width, layout.positions, simple=not layout.dropped)
    _answer(chunk, layout.tz)
    failed = np.flatnonzero(chunk.errors != "")
    return BlockAnswer(chunk.output(layout.dropped), [(int(i), str(chunk.errors[i])) for i in failed], len(chunk))


def _answers(blocks: Iterator[bytes], layout: Layout, workers: int | None) -> Iterator[BlockAnswer]:
    """The blocks' answers in order; on large inputs, blocks are answered by a pool of processes
    (one per core), a few at a time so that memory stays bounded."""
    first = next(blocks, None)
    if first is None:
        return
    second = next(blocks, None)
    count = workers if workers is not None else (os.cpu_count() or 1)
    if second is None or count < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield from (answer_block(block, layout) for block in chain([first], [] if second is None else [second], blocks))
        return
    with multiprocessing.get_context("fork").Pool(count) as pool:
        pending = chain([first, second], blocks)
        while window := list(islice(pending, 2 * count)):
            yield from pool.starmap(answer_block, [(block, layout) for block in window])


def _blocks(source: BinaryIO, size: int) -> Iterator[bytes]:
    """Whole records, about ``size`` bytes at a time: cut after a newline that is outside quotes."""
    rest = b""
    while True:
        piece = source.read(size)
        block = rest + piece
        if not piece:
            if block.strip():
                yield block if block.endswith(b"\n") else block + b"\n"
            return
        end = _record_end(block)
        if end < 0 and len(block) > 4 * size:  # a stray quote: let the csv module read on
            end = block.rfind(b"\n")
        cut = end + 1
        block, rest = block[:cut], block[cut:]
        if block:
            yield block


def _record_end(block: bytes) -> int:
    """The last line end outside quotes (an even number of quotes before it), or -1: one pass with
    numpy, whatever the number of quoted fields."""
    if b'"' not in block:
        return block.rfind(b"\n")
    array = np.frombuffer(block, np.uint8)
    newlines = np.flatnonzero(array == ord("\n"))
    quotes = np.flatnonzero(array == ord('"'))
    outside = newlines[(np.searchsorted(quotes, newlines) & 1) == 0]
    return int(outside[-1]) if len(outside) else -1


def _decoded(column: Texts | Raw) -> Texts:
    if column.dtype.kind != "S":
        return column.astype(str)
    if (column.view(np.uint8) < 128).all():  # ASCII: numpy's own conversion is much faster
        return column.astype(f"<U{column.dtype.itemsize}")
    return np.strings.decode(column.astype(bytes), "utf-8")


def _csv_field(text: str) -> str:
    if any(mark in text for mark in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _answer(chunk: Chunk, default_tz: str) -> None:
    names = [name for name in ("window", "holidays", "closures", "tz") if name in chunk.columns]
    keys = [chunk.columns[name] for name in names]
    if all((column == column[0]).all() for column in keys):  # the usual case: one calendar
        groups = {tuple(str(column[0]) for column in keys): np.arange(len(chunk), dtype=np.int64)}
    else:
        members: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for index, key in enumerate(zip(*(column.tolist() for column in keys), strict=True)):
            members[key].append(index)
        groups = {key: np.array(rows, np.int64) for key, rows in members.items()}
    for key, rows in groups.items():
        hours, holidays, closures, zone = (*key, "")[:4]
        try:
            calendar = Calendar.build(
                hours.strip(), holidays.strip() or "none",
                [day for day in closures.split(";") if day.strip()], zone.strip() or default_tz,
            )
        except CalendarError as error:
            chunk.fail(rows, f"window: {error.reason}" if error.field == "hours" else str(error))
            continue
        _answer_group(chunk, rows, calendar)


def _answer_group(chunk: Chunk, rows: I64, calendar: Calendar) -> None:
    ops = np.strings.lower(np.strings.strip(chunk.columns["op"][rows]))
    is_deadline, is_elapsed = ops == "deadline", ops == "elapsed"
    for local in np.flatnonzero(~(is_deadline | is_elapsed)):
        chunk.fail([int(rows[local])], f"op: {str(ops[local])!r} is not deadline or elapsed")
    starts = _instants(chunk, rows, chunk.raw["start"][rows], calendar, "start")
    owner, pause_starts, pause_ends = _pauses(chunk, rows, calendar)
    for chosen, compute in ((is_elapsed, _elapsed), (is_deadline, _deadline)):
        picked = np.flatnonzero(chosen)
        if len(picked):
            # keep the pauses of the picked rows, numbered by their place among them
            place = np.full(len(rows), -1, np.int64)
            place[picked] = np.arange(len(picked))
            kept = place[owner] >= 0
            compute(chunk, rows[picked], starts[picked], calendar,
                    (place[owner[kept]], pause_starts[kept], pause_ends[kept]))


def _elapsed(chunk: Chunk, rows: I64, starts: I64, calendar: Calendar, pauses: tuple[I64, I64, I64]) -> None:
    ends = _instants(chunk, rows, chunk.raw["end"][rows], calendar, "end")
    backwards = (ends != NAT) & (starts != NAT) & (ends < starts)
    chunk.fail(rows[backwards], "end: before start")
    seconds = calendar.elapsed_seconds(starts, ends, *pauses)
    valid = seconds >= 0
    chunk.answer(rows[valid], (seconds[valid] // 60).astype(str).astype(object))


def _deadline(chunk: Chunk, rows: I64, starts: I64, calendar: Calendar, pauses: tuple[I64, I64, I64]) -> None:
    minutes = _durations(chunk, rows)
    due = calendar.deadline_seconds(starts, minutes * 60, *pauses)
    valid = due != NAT
    chunk.answer(rows[valid], format_instants(due[valid], calendar.zone))


def _instants(chunk: Chunk, rows: I64, texts: Texts | Raw, calendar: Calendar, name: str) -> I64:
    values, errors = parse_instants(texts, calendar.zone, name)
    for local, message in errors.items():
        chunk.fail([int(rows[local])], message)
    chunk.fail(rows[(values == NAT) & (np.strings.str_len(np.strings.strip(texts)) == 0)], f"{name}: missing")
    return values


def _durations(chunk: Chunk, rows: I64) -> I64:
    texts = np.strings.strip(chunk.columns["duration_min"][rows])
    try:
        minutes = texts.astype(np.int64)
    except ValueError:
        minutes = np.zeros(len(texts), np.int64)
        for local, text in enumerate(texts.tolist()):
            try:
                minutes[local] = int(text)
            except ValueError:
                chunk.fail([int(rows[local])], f"duration_min: {text!r} is not a whole number of minutes"
                           if text else "duration_min: missing")
    for position in np.flatnonzero(minutes <= 0):
        if chunk.errors[rows[position]] == "":
            chunk.fail([int(rows[position])], f"duration_min: {minutes[position]} must be more than 0")
    return minutes


def _pauses(chunk: Chunk, rows: I64, calendar: Calendar) -> tuple[I64, I64, I64]:
    texts = chunk.columns["pauses"][rows]
    owners: list[int] = []
    begins: list[str] = []
    ends: list[str] = []
    for local in np.flatnonzero(np.strings.str_len(np.strings.strip(texts)) > 0):
        for item in filter(None, (part.strip() for part in str(texts[local]).split(";"))):
            halves = item.split("/")
            if len(halves) != 2:
                chunk.fail([int(rows[local])], f"pauses: {item!r} is not ISO/ISO")
                continue
            owners.append(int(local))
            begins.append(halves[0])
            ends.append(halves[1])
    owner = np.array(owners, np.int64)
    starts = _instants(chunk, rows[owner], np.array(begins, dtype=str), calendar, "pauses")
    finishes = _instants(chunk, rows[owner], np.array(ends, dtype=str), calendar, "pauses")
    known = (starts != NAT) & (finishes != NAT)
    for local in np.flatnonzero(known & (finishes < starts)):
        chunk.fail([int(rows[owner[local]])], f"pauses: {begins[local]}/{ends[local]} ends before it starts")
    good = known & (finishes >= starts)
    return owner[good], starts[good], finishes[good]

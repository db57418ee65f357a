"""Read a ticket export into a :class:`TicketSet`: columns, checks, state history."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from jalon.imports.dates import (
    NAT,
    DateFormat,
    Seconds,
    parse_cells,
    parse_matrix,
    wall_to_utc,
)
from jalon.imports.problems import ExportError, RowProblem
from jalon.imports.profiles import (
    COUNTERS,
    TICKET_DATES,
    Profile,
    get_profile,
    is_date_field,
    normalise_header,
)
from jalon.imports.sources import MAX_BYTES, Block, Cells, Fault, Slices, Table, open_table
from jalon.imports.ticketset import TicketSet

OnError = Literal["fail", "skip"]
Codes = npt.NDArray[np.int64]


@dataclass
class ImportStats:
    profile: str
    layout: str
    file_format: str
    encoding: str | None
    delimiter: str | None
    columns: dict[str, str]
    """Canonical field → the export's column it was read from."""
    rows_read: int = 0
    """Data rows, blank ones excepted."""
    rows_skipped: int = 0
    blank_rows: int = 0
    ignored_states: dict[str, int] = field(default_factory=dict)
    """Events dropped because the profile calls their state noise (ServiceNow's ``-100``)."""
    status_undated: int = 0
    """One-row-per-ticket exports: current statuses left out of the history for want of a date
    at or after the last milestone."""
    dst_ambiguous: int = 0
    dst_nonexistent: int = 0
    seconds: float = 0.0


@dataclass
class ImportResult:
    tickets: TicketSet
    problems: list[RowProblem]
    """Rows left out (``on_error="skip"``); empty when everything was read."""
    stats: ImportStats


@dataclass(frozen=True)
class _Field:
    name: str
    column: int
    header: str


def read_export(
    path: str | Path,
    profile: str | Profile,
    *,
    tz: str = "Europe/Paris",
    on_error: OnError = "fail",
    mapping: Mapping[str, str | None] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> ImportResult:
    """Read a CSV or XLSX ticket export (``.gz``/``.xz``/``.bz2`` too) written by a known tool.

    ``on_error="fail"`` raises :class:`ExportError` listing every bad row and returns nothing;
    ``"skip"`` leaves bad rows out and returns them in :attr:`ImportResult.problems`. A missing
    required column always raises. Local times are read in ``tz`` (see :mod:`.dates` for the
    daylight-saving rule). A compressed file (or workbook) that expands past ``max_bytes``
    (default 1 GiB) is refused as a possible decompression bomb.
    """
    if on_error not in ("fail", "skip"):
        raise ValueError(f'on_error must be "fail" or "skip", not {on_error!r}')
    started = time.perf_counter()
    chosen = get_profile(profile).with_mapping(mapping)
    path = Path(path)
    table = open_table(path, encoding=encoding, delimiter=delimiter, sheet=sheet,
                       max_bytes=max_bytes)
    fields = _plan(chosen, table, path.name, set(mapping or ()))
    stats = ImportStats(
        chosen.name, chosen.layout, table.kind, table.encoding, table.delimiter,
        {f.name: f.header for f in fields},
    )
    formats = tuple(DateFormat.parse(label) for label in (*chosen.date_formats,
                                                           *table.extra_date_formats))
    expected = " or ".join(chosen.date_formats)
    read = _Reader(path.name, chosen, fields, formats, expected, table)
    read.collect()
    if not len(read.rows) and not read.malformed:
        where = "header line" if table.kind == "csv" else "header row"
        raise ExportError([RowProblem(path.name, None, None,
                                      f"no ticket rows under the {where}: nothing to read")])
    problems = read.check()
    if problems and on_error == "fail":
        raise ExportError(problems)
    tickets = read.build(problems, tz, stats)
    tickets.source_columns = dict(stats.columns)
    stats.rows_read = len(read.rows) + len(read.malformed)
    stats.rows_skipped = len({p.row for p in problems})
    stats.blank_rows = read.blank
    stats.seconds = time.perf_counter() - started
    return ImportResult(tickets, problems, stats)


def _plan(profile: Profile, table: Table, source: str, mapped: set[str]) -> list[_Field]:
    """Which column each canonical field is read from; missing required columns raise."""
    header = table.header
    position: dict[str, int] = {}
    for index, name in enumerate(header):
        position.setdefault(normalise_header(name), index)
    fields: list[_Field] = []
    problems: list[RowProblem] = []
    for name, aliases in profile.columns.items():
        found = [position[key] for key in map(normalise_header, aliases) if key in position]
        if found:
            fields.append(_Field(name, found[0], header[found[0]]))
        elif name in profile.required or name in mapped:
            wanted = " or ".join(f'"{alias}"' for alias in aliases)
            columns = ", ".join(header) or "none"
            reason = f"missing column {wanted} ({name}); columns found: {columns}"
            problems.append(RowProblem(source, None, None, reason))
    if problems:
        hint = _delimiter_hint(table)
        raise ExportError([RowProblem(source, 1, None, hint), *problems] if hint else problems)
    return fields


def _delimiter_hint(table: Table) -> str | None:
    """A header read as one column that holds another delimiter: the delimiter is wrong."""
    if table.kind != "csv" or len(table.header) != 1:
        return None
    others = [d for d in (";", ",", "\t", "|") if d != table.delimiter and d in table.header[0]]
    if not others:
        return None
    return (f"the header is one single column with the delimiter {table.delimiter!r}; "
            f"its text holds {others[0]!r}: is that the delimiter?")


class _Reader:
    """Collects the columns block by block, then checks and assembles them."""

    def __init__(
        self, source: str, profile: Profile, fields: list[_Field],
        formats: tuple[DateFormat, ...], expected: str, table: Table,
    ) -> None:
        self.source, self.profile, self.fields, self.table = source, profile, fields, table
        self.formats, self.expected = formats, expected
        self.texts = {f.name: _TextColumn(profile.missing_values)
                      for f in fields if not is_date_field(f.name)}
        self.dates = {f.name: _DateColumn(profile.missing_values)
                      for f in fields if is_date_field(f.name)}
        self.by_name = {f.name: f for f in fields}
        self.row_chunks: list[Codes] = []
        self.malformed: list[Fault] = []
        self.problems: list[RowProblem] = []
        self.blank = 0
        self.rows: Codes = np.empty(0, np.int64)

    def collect(self) -> None:
        for block in self.table.blocks(sorted({f.column for f in self.fields})):
            self._add(block)
        self.rows = np.concatenate([np.empty(0, np.int64), *self.row_chunks])

    def _add(self, block: Block) -> None:
        self.row_chunks.append(block.rows)
        self.malformed += block.malformed
        self.blank += block.blank
        for name, column in self.texts.items():
            column.add(block.cells(self.by_name[name].column), self.table.decode_many)
        for name, dates in self.dates.items():
            f = self.by_name[name]
            for row, text in dates.add(block, f.column, self.formats, self.table.decode):
                reason = f'"{text}" is not a date (expected {self.expected})'
                self.problems.append(RowProblem(self.source, row, f.header, reason))

    def check(self) -> list[RowProblem]:
        """Every row problem, in file order."""
        header = self.table.header
        problems = [RowProblem(self.source, row, None if column is None else header[column], reason)
                    for row, column, reason in self.malformed]
        problems += self.problems + self._missing_required() + self._bad_counters()
        if self.profile.layout == "ticket":
            problems += self._duplicates(problems)
        order = {f.header: i for i, f in enumerate(self.fields)}
        return sorted(problems, key=lambda p: (p.row or 0, order.get(p.column or "", -1)))

    def _missing_required(self) -> list[RowProblem]:
        problems = []
        for name in sorted(self.profile.required, key=list(self.by_name).index):
            f = self.by_name[name]
            empty = (self.dates[name].missing_rows() if name in self.dates
                     else self.texts[name].codes() == 0)
            problems += [RowProblem(self.source, int(row), f.header, "no value (required)")
                         for row in self.rows[empty]]
        return problems

    def _bad_counters(self) -> list[RowProblem]:
        problems = []
        for name in COUNTERS & set(self.texts):
            valid = self.texts[name].as_integers()[1]
            bad = ~valid[self.texts[name].codes()]
            values = self.texts[name].values
            problems += [
                RowProblem(self.source, int(row), self.by_name[name].header,
                           f'"{values[code]}" is not a whole number')
                for row, code in zip(self.rows[bad], self.texts[name].codes()[bad], strict=True)
            ]
        return problems

    def _duplicates(self, problems: list[RowProblem]) -> list[RowProblem]:
        """A ticket appearing twice in a one-row-per-ticket export: the later rows are wrong."""
        ids = self.texts["id"]
        codes = ids.codes()
        if not len(codes) or np.bincount(codes).max() <= 1:
            return []
        candidates = np.flatnonzero(~np.isin(self.rows, _rows_of(problems)))
        first_index: dict[int, int] = {}
        found = []
        for index in candidates.tolist():
            code = int(codes[index])
            if code in first_index:
                found.append((index, first_index[code]))
            else:
                first_index[code] = index
        header = self.by_name["id"].header
        return [
            RowProblem(self.source, int(self.rows[index]), header,
                       f'ticket "{ids.values[codes[index]]}" already read at row '
                       f"{self.rows[first]}")
            for index, first in found
        ]

    def build(self, problems: list[RowProblem], tz: str, stats: ImportStats) -> TicketSet:
        skipped = _rows_of(problems)
        # Nothing skipped (the usual case): views of the columns rather than copies.
        keep = ~np.isin(self.rows, skipped) if len(skipped) else slice(None)
        utc: dict[str, Seconds] = {}
        for name, column in self.dates.items():
            converted = wall_to_utc(column.seconds()[keep], tz)
            utc[name] = converted.utc
            stats.dst_ambiguous += converted.ambiguous
            stats.dst_nonexistent += converted.nonexistent
        codes = {name: column.codes()[keep] for name, column in self.texts.items()}
        kept = _Kept(self.rows[keep], codes, utc, self.texts)
        if self.profile.layout == "event":
            return _from_events(self.source, self.profile, kept, stats)
        return _from_tickets(self.source, self.profile, kept, stats)


def _rows_of(problems: list[RowProblem]) -> Codes:
    return np.array([p.row for p in problems if p.row is not None], np.int64)


class _TextColumn:
    """Text values coded as integers; code 0 is "no value"."""

    def __init__(self, missing: frozenset[str]) -> None:
        self.lookup: dict[str, int] = dict.fromkeys(missing | {""}, 0)
        self.values: list[str] = [""]
        self.chunks: list[Codes] = []
        self._codes: Codes | None = None

    def add(self, cells: Cells, decode_many: Callable[[list[bytes]], list[str]]) -> None:
        texts = cells.texts(decode_many)
        if cells.distinct_matrix is None:
            texts = [text.strip() for text in texts]  # the fast path has stripped already
        distinct = np.fromiter(map(self.lookup.get, texts, repeat(-1)), np.int64, len(texts))
        new = np.flatnonzero(distinct < 0)
        if len(new):
            unseen = texts if len(new) == len(texts) else [texts[i] for i in new.tolist()]
            distinct[new] = self._add_values(unseen)
        self.chunks.append(distinct[cells.inverse] if len(distinct) else distinct)

    def _add_values(self, unseen: list[str]) -> Codes | list[int]:
        """Codes for texts not seen before, given new codes in order of first appearance."""
        first, known = len(self.values), len(self.lookup)
        # One C-level update for what is nearly always a list of distinct texts (a million
        # ticket ids cost seconds through a Python loop); the count proves they were distinct.
        self.lookup.update(zip(unseen, range(first, first + len(unseen)), strict=True))
        if len(self.lookup) == known + len(unseen):
            self.values += unseen
            return np.arange(first, first + len(unseen))
        # Two cells that decode to the same text (cp1252 fallback): code them one at a time.
        for text in unseen:
            self.lookup.pop(text, None)
        return [self.code(text) for text in unseen]

    def code(self, text: str) -> int:
        code = self.lookup.get(text)
        if code is None:
            code = self.lookup[text] = len(self.values)
            self.values.append(text)
        return code

    def codes(self) -> Codes:
        if self._codes is None:
            self._codes = np.concatenate([np.empty(0, np.int64), *self.chunks])
            self.chunks = []
        return self._codes

    def as_integers(self) -> tuple[Codes, npt.NDArray[np.bool_]]:
        numbers = np.zeros(len(self.values), np.int64)
        valid = np.ones(len(self.values), bool)
        for code, text in enumerate(self.values[1:], start=1):
            try:
                numbers[code] = int(text)
            except ValueError:
                valid[code] = False
        return numbers, valid

    def array(self) -> npt.NDArray[np.object_]:
        return np.array(self.values, dtype=object)


class _DateColumn:
    """Wall-clock seconds of one date column, block by block."""

    def __init__(self, missing: frozenset[str]) -> None:
        self.missing = [value.encode("utf-8") for value in missing]
        self.chunks: list[Seconds] = []
        self.missing_chunks: list[npt.NDArray[np.bool_]] = []

    def add(
        self, block: Block, column: int, formats: tuple[DateFormat, ...],
        decode: Callable[[bytes], str],
    ) -> list[tuple[int, str]]:
        """Adds a block; returns (row, text) of the values that are not dates."""
        slices = block.slices(column)
        if slices is None:
            seconds, absent, wrong = self._parse_distinct(block.cells(column), formats, decode)
        else:
            seconds, absent, wrong = self._parse_in_place(slices, formats, decode)
        self.chunks.append(seconds)
        self.missing_chunks.append(absent)
        return [(int(block.rows[i]), text) for i, text in wrong]

    def _parse_in_place(
        self, slices: Slices, formats: tuple[DateFormat, ...], decode: Callable[[bytes], str]
    ) -> tuple[Seconds, npt.NDArray[np.bool_], list[tuple[int, str]]]:
        """Dates are nearly all distinct: they are parsed where they lie, and only what that
        leaves (missing values, errors) once per distinct value."""
        seconds, parsed = parse_cells(slices.array, slices.start, slices.end, formats)
        absent = np.zeros(len(seconds), bool)
        if b"" in self.missing:
            absent[~parsed] = slices.start[~parsed] == slices.end[~parsed]
        rest = np.flatnonzero(~parsed & ~absent)
        if not len(rest):
            return seconds, absent, []
        cells = slices.take(rest).factorise()
        seconds[rest], absent[rest], found = self._parse_distinct(cells, formats, decode)
        return seconds, absent, [(int(rest[i]), text) for i, text in found]

    def _parse_distinct(
        self, cells: Cells, formats: tuple[DateFormat, ...], decode: Callable[[bytes], str]
    ) -> tuple[Seconds, npt.NDArray[np.bool_], list[tuple[int, str]]]:
        """Seconds and missing flags per row of ``cells``, and (index, text) of the values that
        are not dates."""
        matrix = cells.matrix()
        absent = np.zeros(len(matrix), bool)
        for value in self.missing:
            if len(value) <= matrix.shape[1]:
                padded = np.frombuffer(value.ljust(matrix.shape[1], b"\0"), np.uint8)
                absent |= (matrix == padded).all(axis=1)
        seconds, parsed = parse_matrix(matrix, formats)
        wrong = np.flatnonzero((~parsed & ~absent)[cells.inverse])
        texts = {code: _text_of(cells, code, decode) for code in set(cells.inverse[wrong].tolist())}
        found = [(int(i), texts[int(cells.inverse[i])]) for i in wrong]
        return seconds[cells.inverse], absent[cells.inverse], found

    def seconds(self) -> Seconds:
        return np.concatenate([np.empty(0, np.int64), *self.chunks])

    def missing_rows(self) -> npt.NDArray[np.bool_]:
        return np.concatenate([np.empty(0, bool), *self.missing_chunks])


def _text_of(cells: Cells, code: int, decode: Callable[[bytes], str]) -> str:
    if cells.distinct_texts is not None:
        return cells.distinct_texts[code]
    if cells.distinct_bytes is not None:
        return decode(cells.distinct_bytes[code])
    assert cells.distinct_matrix is not None
    return decode(cells.distinct_matrix[code].tobytes().rstrip(b"\0"))


@dataclass
class _Kept:
    """The rows that passed, as coded text columns and UTC seconds."""

    rows: Codes
    codes: dict[str, Codes]
    utc: dict[str, Seconds]
    columns: dict[str, _TextColumn]


def _ticket_columns(
    source: str, profile: Profile, kept: _Kept, pick: Codes | slice, first_rows: Codes,
    *, with_state: bool,
) -> TicketSet:
    """The per-ticket part of a TicketSet, each ticket read from row ``pick[i]`` (a slice: the
    rows in order, one per ticket)."""
    count = len(first_rows)
    nat = np.full(count, NAT, np.int64)

    def instant(name: str) -> npt.NDArray[np.datetime64]:
        values = kept.utc[name][pick] if name in kept.utc else nat
        return values.view("datetime64[s]")

    attributes = {name: np.full(count, value, dtype=object)
                  for name, value in profile.defaults.items()}
    counters = {}
    for name, codes in kept.codes.items():
        if name in COUNTERS:
            counters[name] = kept.columns[name].as_integers()[0][codes[pick]]
        elif name != "id" and (name != "state" or with_state):
            attributes[name] = kept.columns[name].array()[codes[pick]]
    return TicketSet(
        source=source,
        ids=kept.columns["id"].array()[kept.codes["id"][pick]],
        rows=first_rows,
        opened_at=instant("opened_at"),
        resolved_at=instant("resolved_at"),
        closed_at=instant("closed_at"),
        attributes=attributes,
        counters=counters,
        instants={name: instant(name) for name in kept.utc if name not in TICKET_DATES},
    )


def _from_events(source: str, profile: Profile, kept: _Kept, stats: ImportStats) -> TicketSet:
    """One row per update: each ticket's last update gives its fields, the rows its history."""
    ticket, first = _tickets_in_file_order(kept.codes["id"])
    at = kept.utc["updated_at"]
    order = np.lexsort((at, ticket))
    sorted_ticket = ticket[order]
    last = np.flatnonzero(np.append(sorted_ticket[1:] != sorted_ticket[:-1], True))
    tickets = _ticket_columns(source, profile, kept, order[last], kept.rows[first],
                              with_state=False)
    states = kept.columns["state"]
    state = kept.codes["state"][order]
    ignored = np.isin(state, [states.lookup[s] for s in profile.ignored_states
                              if s in states.lookup])
    counts = Counter(states.values[code] for code in state[ignored].tolist())
    stats.ignored_states = dict(counts)
    _set_history(tickets, sorted_ticket[~ignored], at[order][~ignored], state[~ignored],
                 states.array())
    return tickets


def _tickets_in_file_order(ids: Codes) -> tuple[Codes, Codes]:
    """Ticket number of each row, tickets numbered in order of first appearance, and the
    first row of each ticket."""
    _, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    by_appearance = np.argsort(first, kind="stable")
    rank = np.empty(len(first), np.int64)
    rank[by_appearance] = np.arange(len(first))
    return rank[inverse.ravel()], first[by_appearance]


def _from_tickets(source: str, profile: Profile, kept: _Kept, stats: ImportStats) -> TicketSet:
    """One row per ticket: the history is the dated milestones, then the current status."""
    count = len(kept.rows)
    tickets = _ticket_columns(source, profile, kept, slice(None), kept.rows, with_state=True)
    states = kept.columns.get("state") or _TextColumn(frozenset())
    dated = [(name, state) for name, state in profile.milestones if name in kept.utc]
    at = np.full((count, len(dated) + 1), NAT, np.int64)
    state = np.zeros((count, len(dated) + 1), np.int64)
    for rank, (name, milestone) in enumerate(dated):
        at[:, rank] = kept.utc[name]
        state[:, rank] = states.code(milestone)
    if "state" in kept.codes:
        placed, at[:, -1] = _status_events(*_last_milestones(at[:, :-1], state[:, :-1]), kept,
                                           stats)
        state[:, -1] = np.where(placed, kept.codes["state"], 0)
    _set_history(tickets, *_flatten(at, state), states.array())
    return tickets


def _flatten(at: Seconds, state: Codes) -> tuple[Codes, Seconds, Codes]:
    """(ticket, instant, state) of a ticket × milestone table, ticket by ticket and in time
    order; milestones already in time order (nearly all tickets) are not sorted again."""
    flat = at.ravel()
    known = np.flatnonzero(flat != NAT)
    ticket, when, what = known // at.shape[1], flat[known], state.ravel()[known]
    backwards = (ticket[1:] == ticket[:-1]) & (when[1:] < when[:-1])
    if backwards.any():
        span = np.flatnonzero(np.isin(ticket, ticket[1:][backwards]))
        order = span[np.lexsort((when[span], ticket[span]))]  # stable: ties keep column order
        when[span], what[span] = when[order], what[order]
    return ticket, when, what


def _last_milestones(at: Seconds, state: Codes) -> tuple[Seconds, Codes]:
    """Instant and state of each ticket's last milestone in time order (of equal instants, the
    later column, as in :func:`_flatten`); ``NAT`` and 0 for a ticket without one."""
    if not at.shape[1]:
        return np.full(len(at), NAT, np.int64), np.zeros(len(at), np.int64)
    last_at = at.max(axis=1)  # NAT is the smallest int64: a missing date is never the last
    column = at.shape[1] - 1 - np.argmax((at == last_at[:, None])[:, ::-1], axis=1)
    last_state = np.where(last_at != NAT, state[np.arange(len(at)), column], 0)
    return last_at, last_state


def _status_events(
    last_at: Seconds, last_state: Codes, kept: _Kept, stats: ImportStats
) -> tuple[npt.NDArray[np.bool_], Seconds]:
    """Tickets whose current status is not their last milestone's state, and the instant it was
    entered: the last update, the only date an export gives for it."""
    count = len(kept.rows)
    status = kept.codes["state"]
    differs = (status != 0) & (status != last_state)
    updated = kept.utc.get("updated_at", np.full(count, NAT, np.int64))
    placed = differs & (updated != NAT) & (updated >= last_at)
    stats.status_undated = int((differs & ~placed).sum())
    return placed, np.where(placed, updated, NAT)


def _set_history(
    tickets: TicketSet, ticket: Codes, at: Seconds, state: Codes,
    names: npt.NDArray[np.object_],
) -> None:
    """Store a sorted history, dropping updates that leave the state unchanged."""
    change = np.ones(len(ticket), bool)
    change[1:] = (ticket[1:] != ticket[:-1]) | (state[1:] != state[:-1])
    tickets.event_ticket = ticket[change].astype(np.int64)
    tickets.event_at = at[change].view("datetime64[s]")
    tickets.event_state = names[state[change]]


def describe(result: ImportResult) -> str:
    """A few lines a person reads after an import: what was read, left out, and when."""
    stats, tickets = result.stats, result.tickets
    how = stats.file_format.upper() + (
        f", {stats.encoding}, delimiter {stats.delimiter!r}" if stats.file_format == "csv" else ""
    )
    layout = "one row per event" if stats.layout == "event" else "one row per ticket"
    lines = [
        f"{tickets.source} — profile {stats.profile} ({how}), {layout}",
        f"  {stats.rows_read:,} rows read, {stats.rows_skipped:,} skipped for problems, "
        f"{stats.blank_rows:,} blank",
        f"  {len(tickets):,} tickets, {len(tickets.event_at):,} state changes",
    ]
    lines += [f"  {count:,} events in state {state!r} ignored"
              for state, count in stats.ignored_states.items()]
    if stats.status_undated:
        lines.append(f"  {stats.status_undated:,} current statuses without a date to place them")
    lines.append(f"  {_span(tickets)}")
    if stats.dst_ambiguous or stats.dst_nonexistent:
        lines.append(f"  daylight saving: {stats.dst_ambiguous:,} ambiguous local times read as "
                     f"the first, {stats.dst_nonexistent:,} nonexistent read as winter time")
    return "\n".join(lines)


def _span(tickets: TicketSet) -> str:
    instants = np.concatenate([tickets.opened_at, tickets.resolved_at, tickets.closed_at,
                               tickets.event_at])
    known = instants[~np.isnat(instants)]
    if not len(known):
        return "no dates"
    first, last = (str(value)[:16].replace("T", " ") for value in (known.min(), known.max()))
    return f"dates from {first} to {last} UTC"

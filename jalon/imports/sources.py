"""Open an export (CSV or XLSX, compressed or not) and hand its cells over in blocks.

A CSV is cut into records with numpy over raw bytes — a quote-parity mask tells delimiters and
line ends inside quoted fields from real ones — so that only the columns a profile wants are ever
turned into Python strings, and only once per distinct value in a block. This is what lets a
1,000,000-row export be read in seconds with bounded memory. Files whose quoting the fast path
cannot vouch for (a quote in the middle of an unquoted field, as Excel tolerates) are re-read
with :mod:`csv`, which is slower but lenient. XLSX sheets are streamed with openpyxl's read-only
mode.

Row numbers are what a person finds in the file: the line of a CSV where the record starts (the
header is line 1), the row of the sheet in XLSX.
"""

from __future__ import annotations

import bz2
import codecs
import csv
import gzip
import io
import lzma
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import islice
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from jalon.imports.dates import Bytes, matrix_of

BLOCK_BYTES = 8 << 20
BLOCK_ROWS = 65_536
MATRIX_WIDTH = 128
"""Values longer than this (free text) are collected as Python bytes instead of a matrix."""
DELIMITERS = (";", ",", "\t", "|")
_QUOTE, _NEWLINE, _RETURN, _SPACE = 34, 10, 13, 32
_MAGIC: dict[bytes, Callable[[Path, str], IO[bytes]]] = {
    b"\x1f\x8b": gzip.open, b"\xfd7zXZ": lzma.open, b"BZh": bz2.open,  # type: ignore[dict-item]
}


@dataclass
class Cells:
    """One column of one block, factorised: row ``i`` holds distinct value ``inverse[i]``.

    The distinct values are either a zero-padded byte matrix (fast path), a list of raw bytes
    (long text) or a list of strings (row path); :meth:`texts` and :meth:`matrix` give either form.
    """

    inverse: npt.NDArray[np.int64]
    distinct_matrix: Bytes | None = None
    distinct_bytes: list[bytes] | None = None
    distinct_texts: list[str] | None = None

    def texts(self, decode_many: Callable[[list[bytes]], list[str]]) -> list[str]:
        if self.distinct_texts is not None:
            return self.distinct_texts
        if self.distinct_bytes is not None:
            return decode_many(self.distinct_bytes)
        assert self.distinct_matrix is not None
        width = self.distinct_matrix.shape[1]
        return decode_many(self.distinct_matrix.view(f"S{width}").ravel().tolist())

    def matrix(self) -> Bytes:
        if self.distinct_matrix is not None:
            return self.distinct_matrix
        if self.distinct_bytes is not None:
            return matrix_of(self.distinct_bytes)
        assert self.distinct_texts is not None
        return matrix_of([text.encode("utf-8") for text in self.distinct_texts])


@dataclass
class Slices:
    """One column of one block as it lies in the block's bytes: cell ``i`` is
    ``array[start[i]:end[i]]`` (quotes and surrounding spaces already left out)."""

    array: Bytes
    start: npt.NDArray[np.intp]
    end: npt.NDArray[np.intp]

    def take(self, index: npt.NDArray[np.intp]) -> Slices:
        return Slices(self.array, self.start[index], self.end[index])

    def factorise(self) -> Cells:
        return factorise(self.array, self.start, self.end)


@dataclass
class Block:
    rows: npt.NDArray[np.int64]
    columns: dict[int, Cells | Slices]
    """The wanted columns; the CSV fast path gives slices, factorised only when asked."""
    malformed: list[tuple[int, str]] = field(default_factory=list)
    blank: int = 0

    def cells(self, column: int) -> Cells:
        found = self.columns[column]
        if isinstance(found, Slices):
            found = self.columns[column] = found.factorise()
        return found

    def slices(self, column: int) -> Slices | None:
        found = self.columns[column]
        return found if isinstance(found, Slices) else None


@dataclass
class Table:
    """An opened export: its header, how it was read, and its blocks of records."""

    kind: str
    header: list[str]
    encoding: str | None
    delimiter: str | None
    blocks: Callable[[Sequence[int]], Iterator[Block]]
    """Blocks carrying the cells of the given column indexes."""
    extra_date_formats: tuple[str, ...] = ()

    def decode(self, value: bytes) -> str:
        text = _decode(value, _value_encoding(self.encoding or "utf-8"))
        return text.replace('""', '"') if '""' in text else text

    def decode_many(self, values: list[bytes]) -> list[str]:
        """Decode many cells with one call: NUL never occurs in a cell, so it can join them."""
        try:
            text = b"\0".join(values).decode(_value_encoding(self.encoding or "utf-8"))
        except UnicodeDecodeError:
            return [self.decode(value) for value in values]
        text = text.replace('""', '"') if '""' in text else text
        return text.split("\0") if values else []


def _decode(value: bytes, encoding: str) -> str:
    if encoding == "utf-8":
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            # A UTF-8 file with a few cp1252 cells (exports pasted together): read them as such.
            return value.decode("cp1252", errors="replace")
    return value.decode(encoding, errors="replace")


def open_table(
    path: Path, *, encoding: str | None = None, delimiter: str | None = None,
    sheet: str | None = None,
) -> Table:
    with path.open("rb") as probe:
        magic = probe.read(8)
    if magic.startswith(b"PK\x03\x04"):
        return _xlsx_table(path, sheet)
    return _csv_table(path, encoding, delimiter)


def _open_bytes(path: Path) -> IO[bytes]:
    with path.open("rb") as probe:
        magic = probe.read(6)
    for prefix, opener in _MAGIC.items():
        if magic.startswith(prefix):
            stream: IO[bytes] = opener(path, "rb")
            return stream
    return path.open("rb")


# --- CSV -------------------------------------------------------------------------------------


def _csv_table(path: Path, encoding: str | None, delimiter: str | None) -> Table:
    with _open_bytes(path) as stream:
        sample = stream.read(1 << 20)
    encoding = _sniff_encoding(sample, encoding)
    if encoding == "utf-16":
        text = codecs.decode(sample[: len(sample) // 2 * 2], "utf-16", "ignore").encode("utf-8")
    else:
        text = sample.removeprefix(codecs.BOM_UTF8)
    header_text = _decode(text[: _first_record_end(text) + 1], _value_encoding(encoding))
    delimiter = delimiter or _sniff_delimiter(header_text)
    header = next(csv.reader(io.StringIO(header_text), delimiter=delimiter), [])
    table = Table("csv", [name.strip() for name in header], encoding, delimiter, _no_blocks)

    def blocks(wanted: Sequence[int]) -> Iterator[Block]:
        try:
            yield from _fast_blocks(path, table, wanted)
        except _IrregularQuoting:
            yield from _row_blocks_csv(path, table, wanted)

    table.blocks = blocks
    return table


def _no_blocks(wanted: Sequence[int]) -> Iterator[Block]:
    return iter(())


def _value_encoding(encoding: str) -> str:
    """How cell bytes are decoded: UTF-16 files are re-encoded to UTF-8 while read."""
    return "utf-8" if encoding in {"utf-8", "utf-8-sig", "utf-16"} else encoding


def _sniff_encoding(sample: bytes, forced: str | None) -> str:
    """UTF-8 (with or without BOM) unless the sample is not UTF-8: then cp1252, the encoding of
    French Excel's "CSV (séparateur : point-virgule)"."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if forced:
        return codecs.lookup(forced).name
    cut = sample.rfind(b"\n") + 1 or len(sample)
    try:
        sample[:cut].decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _sniff_delimiter(header: str) -> str:
    counts = {candidate: header.count(candidate) for candidate in DELIMITERS}
    best = max(counts, key=lambda candidate: counts[candidate])
    return best if counts[best] else ","


def _first_record_end(data: bytes) -> int:
    ends = _record_ends(np.frombuffer(data, np.uint8))
    return int(ends[0]) if len(ends) else len(data) - 1


def _record_ends(array: Bytes) -> npt.NDArray[np.intp]:
    """Positions of the line ends that are outside quotes."""
    return _outside_quotes(array, np.flatnonzero(array == _NEWLINE))


def _outside_quotes(array: Bytes, positions: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:
    """The positions preceded by an even number of quotes, i.e. not inside a quoted field.

    Counting quotes by binary search over their positions costs far less than a running count
    over every byte, quotes being a small share of a file.
    """
    quotes = np.flatnonzero(array == _QUOTE)
    if not len(quotes):
        return positions
    return positions[(np.searchsorted(quotes, positions) & 1) == 0]


def _last_record_end(data: bytes) -> int:
    """Position of the last line end outside quotes (-1 if none)."""
    position = data.rfind(b"\n")
    if b'"' not in data:
        return position
    quotes = np.flatnonzero(np.frombuffer(data, np.uint8) == _QUOTE)
    while position >= 0 and np.searchsorted(quotes, position) % 2:
        position = data.rfind(b"\n", 0, position)
    return position


class _IrregularQuoting(Exception):
    """Quotes the vectorised splitter cannot interpret: fall back to the csv module."""


def _byte_chunks(path: Path, encoding: str) -> Iterator[bytes]:
    with _open_bytes(path) as raw:
        if encoding == "utf-8-sig":
            raw.read(len(codecs.BOM_UTF8))
        if encoding == "utf-16":
            reader = codecs.getreader("utf-16")(raw)
            while text := reader.read(BLOCK_BYTES // 2):
                yield text.encode("utf-8")
            return
        while chunk := raw.read(BLOCK_BYTES):
            yield chunk


def _records(path: Path, encoding: str) -> Iterator[bytes]:
    """Pieces of the file that end exactly at a record end, header excluded."""
    pending = b""
    header_done = False
    for chunk in _byte_chunks(path, encoding):
        data = pending + chunk
        if not header_done:
            ends = _record_ends(np.frombuffer(data, np.uint8))
            if not len(ends):
                pending = data
                continue
            data, header_done = data[ends[0] + 1 :], True
        cut = _last_record_end(data) + 1
        if cut:
            yield data[:cut]
        pending = data[cut:]
    if header_done and pending.strip():
        yield pending if pending.endswith(b"\n") else pending + b"\n"


def _fast_blocks(path: Path, table: Table, wanted: Sequence[int]) -> Iterator[Block]:
    encoding = table.encoding or "utf-8"
    header_lines = 1 + sum(name.count("\n") for name in table.header)
    line = header_lines + 1
    assert table.delimiter is not None
    delimiter = ord(table.delimiter)
    for data in _records(path, encoding):
        array = padded(data)
        yield _split_block(array, len(data), delimiter, len(table.header), wanted, line)
        line += data.count(b"\n")


def _split_block(
    array: Bytes, size: int, delimiter: int, width: int, wanted: Sequence[int], line: int
) -> Block:
    """Records of ``array[:size]`` (which ends with a line end; zeros follow)."""
    data = array[:size]
    seps = np.flatnonzero((data == delimiter) | (data == _NEWLINE))
    quotes = np.flatnonzero(data == _QUOTE)
    quoted = bool(len(quotes))
    physical = seps[data[seps] == _NEWLINE] if quoted else seps[:0]  # quoted ones included
    if quoted:
        _check_quotes(data, quotes, delimiter)
        seps = seps[(np.searchsorted(quotes, seps) & 1) == 0]
    ends = np.flatnonzero(array[seps] == _NEWLINE)
    first = np.concatenate(([0], ends[:-1] + 1))
    starts = np.concatenate(([0], seps[ends[:-1]] + 1))
    fields = ends - first + 1
    # a quoted line break makes a record span several lines of the file
    lines = line + (np.searchsorted(physical, starts) if quoted else np.arange(len(ends)))
    content = seps[ends] - starts - (array[np.maximum(seps[ends] - 1, 0)] == _RETURN)
    blank = content <= fields - 1
    good = (fields >= width) & ~blank
    malformed = [
        (int(lines[r]), f"{fields[r]} fields where the header has {width}")
        for r in np.flatnonzero(~good & ~blank)
    ]
    good_rows = np.flatnonzero(good)
    if np.any(fields[good_rows] > width):
        good_rows, extra = _trailing_empty(array, seps, first, starts, fields, good_rows, width)
        malformed += [(int(lines[r]), f"{fields[r]} fields where the header has {width}")
                      for r in extra]
        malformed.sort()
    strip = _spaces_at_cell_edges(array, size, delimiter)
    columns: dict[int, Cells | Slices] = {
        column: _column_slices(array, seps, first[good_rows], starts[good_rows], column,
                               last=column == width - 1, quoted=quoted, strip=strip)
        for column in wanted
    }
    return Block(lines[good_rows].astype(np.int64), columns, malformed, int(blank.sum()))


def _trailing_empty(
    array: Bytes, seps: npt.NDArray[np.intp], first: npt.NDArray[np.intp],
    starts: npt.NDArray[np.intp], fields: npt.NDArray[np.intp], rows: npt.NDArray[np.intp],
    width: int,
) -> tuple[npt.NDArray[np.intp], list[int]]:
    """Records with more fields than the header are fine when the extra fields are empty
    (a trailing delimiter on each line); the others are malformed."""
    keep: list[int] = []
    extra: list[int] = []
    for r in rows:
        end_of_wanted = seps[first[r] + width - 1]
        tail = array[end_of_wanted + 1 : seps[first[r] + fields[r] - 1]].tobytes()
        (keep if not tail.strip(bytes([array[end_of_wanted], _RETURN, _SPACE])) else extra).append(
            int(r)
        )
    return np.array(keep, np.intp), extra


def _check_quotes(array: Bytes, quotes: npt.NDArray[np.intp], delimiter: int) -> None:
    """An opening quote starts a field and a closing quote ends one; anything else is left to
    the csv module. Quotes alternate: the 1st, 3rd… open, the 2nd, 4th… close."""
    if len(quotes) % 2:
        raise _IrregularQuoting
    opening, closing = quotes[0::2], quotes[1::2]
    before = array[np.maximum(opening - 1, 0)]
    ok_before = (opening == 0) | (before == delimiter) | (before == _NEWLINE) | (before == _QUOTE)
    after = array[np.minimum(closing + 1, len(array) - 1)]
    ok_after = (closing == len(array) - 1) | (after == delimiter) | (after == _NEWLINE)
    ok_after |= (after == _RETURN) | (after == _QUOTE)
    if not (ok_before.all() and ok_after.all()):
        raise _IrregularQuoting


def _column_slices(
    array: Bytes, seps: npt.NDArray[np.intp], first: npt.NDArray[np.intp],
    starts: npt.NDArray[np.intp], column: int, *, last: bool, quoted: bool, strip: bool,
) -> Slices:
    end = seps[first + column]
    start = starts if column == 0 else seps[first + column - 1] + 1
    if last:  # CRLF line ends
        end = end - ((end > start) & (array[np.maximum(end - 1, 0)] == _RETURN))
    if quoted:
        is_quoted = (end - start >= 2) & (array[start] == _QUOTE)
        start, end = start + is_quoted, end - is_quoted
    return Slices(array, *_strip(array, start, end)) if strip else Slices(array, start, end)


def _spaces_at_cell_edges(array: Bytes, size: int, delimiter: int) -> bool:
    """Whether a cell of the block may start or end with a space: only then are cells stripped.

    Such a space touches the byte that bounds its cell (delimiter, line end, carriage return,
    quote, or the block's start); a block where no space does needs no stripping at all, which
    spares two passes per column.
    """
    spaces = np.flatnonzero(array[:size] == _SPACE)
    if not len(spaces):
        return False
    if spaces[0] == 0:
        return True
    bounds = np.zeros(256, bool)
    bounds[[delimiter, _NEWLINE, _RETURN, _QUOTE]] = True
    return bool(bounds[array[spaces - 1]].any() or bounds[array[spaces + 1]].any())


def _strip(
    array: Bytes, start: npt.NDArray[np.intp], end: npt.NDArray[np.intp]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    last = len(array) - 1
    while True:
        lead = (start < end) & (array[np.minimum(start, last)] == _SPACE)
        trail = (start < end) & (array[np.maximum(end - 1, 0)] == _SPACE)
        if not (lead.any() or trail.any()):
            return start, end
        start, end = start + lead, end - trail


def factorise(array: Bytes, start: npt.NDArray[np.intp], end: npt.NDArray[np.intp]) -> Cells:
    """Distinct values of byte slices ``array[start:end]``, without a Python object per row.

    ``array`` must end with at least :data:`MATRIX_WIDTH` zero bytes (see :func:`padded`).
    """
    length = end - start
    longest = int(length.max()) if len(length) else 0
    if longest > MATRIX_WIDTH:
        return _factorise_python(array, start, end)
    width = max(8, -(-longest // 8) * 8)
    # Each row is one contiguous copy out of a strided window view: no index matrix is built.
    windows = np.lib.stride_tricks.sliding_window_view(array, width)
    matrix = windows[start] * (np.arange(width) < length[:, None])
    words = matrix.view(np.uint64)
    key = words[:, 0].copy()
    for index in range(1, words.shape[1]):
        # Mix the 8-byte words into one 64-bit key; collisions are checked below.
        key = (key ^ (key >> np.uint64(29))) * np.uint64(0x9E3779B97F4A7C15) + words[:, index]
    example, inverse = _distinct_keys(key)
    distinct = matrix[example]
    if words.shape[1] > 1 and not np.array_equal(distinct[inverse], matrix):
        as_text = matrix.view(f"S{width}").ravel()
        _, example, inverse = np.unique(as_text, return_index=True, return_inverse=True)
        distinct = matrix[example]
    return Cells(inverse.astype(np.int64).ravel(), distinct_matrix=distinct)


_SLOT_BITS = 16
_MIX = np.uint64(0x9E3779B97F4A7C15)


def _distinct_keys(key: npt.NDArray[np.uint64]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """A row standing for each distinct key, and the distinct index of every row.

    Most columns hold a few dozen values (states, priorities, groups): they are coded through a
    table of 65,536 slots addressed by the key's top bits once mixed, in a few passes over the
    rows, where sorting the keys costs more. Keys sharing a slot (columns with hundreds of
    values or more, which the first rows already show) are sorted instead.
    """
    if len(np.unique(key[:256])) <= 64:
        slot = ((key * _MIX) >> np.uint64(64 - _SLOT_BITS)).astype(np.intp)
        table = np.full(1 << _SLOT_BITS, -1, np.intp)
        table[slot] = np.arange(len(key))  # any row of a slot stands for it
        if np.array_equal(key[table[slot]], key):  # then no slot holds two keys
            used = np.flatnonzero(table >= 0)
            code = np.zeros(1 << _SLOT_BITS, np.intp)
            code[used] = np.arange(len(used))
            return table[used], code[slot]
    distinct, inverse = np.unique(key, return_inverse=True)
    example = np.empty(len(distinct), np.intp)
    example[inverse] = np.arange(len(key))
    return example, inverse.ravel()


def padded(data: bytes) -> Bytes:
    """The bytes of a block followed by zeros, so that any cell can be read as a full row."""
    array = np.zeros(len(data) + MATRIX_WIDTH + 8, np.uint8)
    array[: len(data)] = np.frombuffer(data, np.uint8)
    return array


def _factorise_python(array: Bytes, start: npt.NDArray[np.intp], end: npt.NDArray[np.intp]) -> Cells:
    data = array.tobytes()
    codes: dict[bytes, int] = {}
    inverse = [codes.setdefault(data[a:b], len(codes)) for a, b in zip(start, end, strict=True)]
    return Cells(np.array(inverse, np.int64), distinct_bytes=list(codes))


# --- rows from the csv module or from openpyxl -----------------------------------------------


def _row_blocks_csv(path: Path, table: Table, wanted: Sequence[int]) -> Iterator[Block]:
    encoding = table.encoding or "utf-8"
    with _open_bytes(path) as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
        reader = csv.reader(text, delimiter=table.delimiter or ",")
        next(reader, None)

        def numbered() -> Iterator[tuple[int, Sequence[Any]]]:
            line = reader.line_num + 1
            for record in reader:
                yield line, record
                line = reader.line_num + 1

        yield from _row_blocks(numbered(), len(table.header), wanted)


def _row_blocks(
    records: Iterator[tuple[int, Sequence[Any]]], width: int, wanted: Sequence[int],
    *, pad: bool = False,
) -> Iterator[Block]:
    """Blocks from rows of values; ``pad``: short rows are complete (a sheet's empty cells)."""
    while batch := list(islice(records, BLOCK_ROWS)):
        rows: list[int] = []
        values: list[list[str]] = []
        malformed: list[tuple[int, str]] = []
        blank = 0
        for number, record in batch:
            cells = [_cell_text(value) for value in record]
            while len(cells) > width and not cells[-1]:
                cells.pop()
            if pad and len(cells) < width:
                cells += [""] * (width - len(cells))
            if not any(cells):
                blank += 1
            elif len(cells) != width:
                malformed.append((number, f"{len(record)} fields where the header has {width}"))
            else:
                rows.append(number)
                values.append(cells)
        columns: dict[int, Cells | Slices] = {
            column: _factorise_texts([v[column] for v in values]) for column in wanted
        }
        yield Block(np.array(rows, np.int64), columns, malformed, blank)


def _factorise_texts(values: list[str]) -> Cells:
    codes: dict[str, int] = {}
    inverse = [codes.setdefault(value, len(codes)) for value in values]
    return Cells(np.array(inverse, np.int64), distinct_texts=list(codes))


def _cell_text(value: object) -> str:
    """A cell as text; spreadsheet dates become ISO text the date parser always accepts."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d 00:00:00")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


ISO_FORMATS = ("YYYY-MM-DD HH:MM:SS", "YYYY-MM-DD HH:MM")


def _xlsx_table(path: Path, sheet: str | None) -> Table:
    import openpyxl  # only XLSX exports pay for importing it

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    worksheet = book[sheet] if sheet else book.worksheets[0]
    rows = enumerate(worksheet.iter_rows(values_only=True), start=worksheet.min_row or 1)
    header: list[str] = []
    for _, values in rows:
        header = [_cell_text(value) for value in values]
        if any(header):
            break
    while header and not header[-1]:
        header.pop()

    def blocks(wanted: Sequence[int]) -> Iterator[Block]:
        try:
            yield from _row_blocks(rows, len(header), wanted, pad=True)
        finally:
            book.close()

    return Table("xlsx", header, None, None, blocks, ISO_FORMATS)

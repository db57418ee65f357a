"""Open an export (CSV or XLSX, compressed or not) and hand its cells over in blocks.

A CSV is cut into records with numpy over raw bytes — the quoting quotes (:mod:`.quotes`) tell
delimiters and line ends inside quoted cells from real ones, a quote inside an unquoted cell being
text — so that only the columns a profile wants are ever turned into Python strings, and only
once per distinct value in a block. This is what lets a 1,000,000-row export be read in seconds
with bounded memory. XLSX sheets are streamed with openpyxl's read-only mode.

What cannot be read is an :class:`ExportError` naming the file (and the line where there is
one), never a traceback: a corrupt or truncated archive or workbook, a file that expands past
``max_bytes`` (decompression bomb), a line with no end in sight.

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
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import islice
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from jalon.imports.dates import Bytes, matrix_of
from jalon.imports.problems import ExportError, RowProblem
from jalon.imports.quotes import QuoteScan, scan_quotes

BLOCK_BYTES = 8 << 20
BLOCK_ROWS = 65_536
MATRIX_WIDTH = 128
"""Values longer than this (free text) are collected as Python bytes instead of a matrix."""
DELIMITERS = (";", ",", "\t", "|")
_QUOTE, _NEWLINE, _RETURN, _SPACE = 34, 10, 13, 32
Fault = tuple[int, int | None, str]
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
    malformed: list[Fault] = field(default_factory=list)
    """Records left out: (line, column index or ``None``, reason)."""
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
    lone_returns: bool = False
    """Lines end with a lone carriage return (read as line ends)."""

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


MAX_BYTES = 1 << 30
"""Default bound on the bytes a compressed export may expand to (1 GiB, about four million
GLPI tickets): a decompression bomb stops there instead of filling the memory."""
MAX_RECORD_BYTES = 2 * BLOCK_BYTES
"""A record (line, or quoted cell spanning lines) longer than this is not a ticket export's."""
_SAMPLE_BYTES = 1 << 20


def open_table(
    path: Path, *, encoding: str | None = None, delimiter: str | None = None,
    sheet: str | None = None, max_bytes: int = MAX_BYTES,
) -> Table:
    try:
        with path.open("rb") as probe:
            magic = probe.read(8)
    except OSError as error:
        raise _file_error(path, f"cannot be read: {error.strerror or error}") from None
    if magic.startswith(b"PK\x03\x04"):
        return _xlsx_table(path, sheet, max_bytes)
    return _csv_table(path, encoding, delimiter, max_bytes)


def _file_error(path: Path, reason: str) -> ExportError:
    return ExportError([RowProblem(path.name, None, None, reason)])


def _compression(path: Path) -> Callable[[Path, str], IO[bytes]] | None:
    with path.open("rb") as probe:
        magic = probe.read(6)
    return next((opener for prefix, opener in _MAGIC.items() if magic.startswith(prefix)), None)


class _Bytes:
    """The bytes of an export, decompressed if need be, with the two ways reading one can go
    wrong turned into messages: a corrupt or truncated archive, and a decompression bomb."""

    def __init__(self, path: Path, max_bytes: int) -> None:
        self.path, self.max_bytes = path, max_bytes
        opener = _compression(path)
        self.compressed = opener is not None
        self.stream: IO[bytes] = opener(path, "rb") if opener else path.open("rb")
        self.total = 0

    def __enter__(self) -> _Bytes:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stream.close()

    def read(self, size: int) -> bytes:
        try:
            chunk = self.stream.read(size)
        except (OSError, EOFError, lzma.LZMAError, zlib.error) as error:
            where = f"after {self.total:,} bytes" if self.total else "at its start"
            raise _file_error(self.path, f"the compressed file is truncated or corrupt ({where}): "
                                         f"{error}") from None
        self.total += len(chunk)
        if self.compressed and self.total > self.max_bytes:
            raise _file_error(self.path, f"expands to more than {self.max_bytes:,} bytes once "
                                         "decompressed: refused as a possible decompression bomb "
                                         "(raise max_bytes to read it)")
        return chunk


# --- CSV -------------------------------------------------------------------------------------


def _csv_table(path: Path, encoding: str | None, delimiter: str | None, max_bytes: int) -> Table:
    with _Bytes(path, max_bytes) as stream:
        sample = stream.read(_SAMPLE_BYTES)
        complete = not stream.read(1)
    if not sample.strip():
        raise _file_error(path, "the file is empty (a CSV export starts with a header line)")
    encoding = _sniff_encoding(sample, encoding)
    if encoding == "utf-16":
        text = codecs.decode(sample[: len(sample) // 2 * 2], "utf-16", "ignore").encode("utf-8")
    else:
        text = sample.removeprefix(codecs.BOM_UTF8)
    # Excel for Mac's "CSV (Macintosh)" ends lines with a lone carriage return.
    lone_returns = b"\n" not in text and b"\r" in text
    if lone_returns:
        text = text.replace(b"\r", b"\n")
    array = np.frombuffer(text, np.uint8)
    guess = ord(delimiter or _sniff_delimiter(_decode(text[:4096], _value_encoding(encoding))))
    ends = scan_quotes(array, guess, final=complete).record_ends(array)
    if not len(ends) and not complete:
        raise _file_error(path, f"no line end in the first {_SAMPLE_BYTES:,} bytes: not a CSV "
                                "export (or not a text file)")
    header_text = _decode(text[: int(ends[0]) + 1] if len(ends) else text,
                          _value_encoding(encoding))
    delimiter = delimiter or _sniff_delimiter(header_text)
    header = next(csv.reader(io.StringIO(header_text), delimiter=delimiter), [])
    table = Table("csv", [name.strip() for name in header], encoding, delimiter, _no_blocks)
    table.lone_returns = lone_returns

    def blocks(wanted: Sequence[int]) -> Iterator[Block]:
        yield from _fast_blocks(path, table, wanted, max_bytes)

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


def _byte_chunks(path: Path, table: Table, max_bytes: int) -> Iterator[bytes]:
    encoding = table.encoding or "utf-8"
    with _Bytes(path, max_bytes) as raw:
        if encoding == "utf-8-sig":
            raw.read(len(codecs.BOM_UTF8))
        if encoding == "utf-16":
            reader = codecs.getreader("utf-16")(raw)  # type: ignore[arg-type]
            while text := reader.read(BLOCK_BYTES // 2):
                yield text.encode("utf-8")
            return
        while chunk := raw.read(BLOCK_BYTES):
            yield chunk.replace(b"\r", b"\n") if table.lone_returns else chunk


@dataclass
class _Piece:
    """Whole records of the file, the line the first one starts on, and their quotes."""

    data: bytes
    line: int
    quotes: QuoteScan

    def first_record_end(self) -> int:
        return int(self.quotes.record_ends(np.frombuffer(self.data, np.uint8))[0])

    def after(self, offset: int) -> _Piece:
        """The records from byte ``offset`` (a record start) on."""
        quoting = self.quotes.quoting
        return _Piece(self.data[offset:], self.line, QuoteScan(
            quoting[quoting >= offset] - offset,
            [(at - offset, reason) for at, reason in self.quotes.broken if at >= offset]))


def _cut(path: Path, data: bytes, delimiter: int, line: int, *, final: bool
         ) -> tuple[_Piece | None, bytes]:
    """The whole records at the start of ``data`` (``None`` if there is none yet), and the rest.

    A record still open after :data:`MAX_RECORD_BYTES` is an unclosed quote (its cell is taken
    to end with its line, see :mod:`.quotes`) or, with no line end at all, not a CSV.
    """
    array = np.frombuffer(data, np.uint8)
    scan = scan_quotes(array, delimiter, final=final)
    ends = scan.record_ends(array)
    if not len(ends):
        if len(data) <= MAX_RECORD_BYTES:
            return None, data
        if scan.open_at_end < 0 or final:
            raise _file_error(path, f"line {line}: no line end in {MAX_RECORD_BYTES:,} bytes: not "
                                    "a CSV export (or not a text file)")
        return _cut(path, data, delimiter, line, final=True)
    cut = int(ends[-1]) + 1
    kept = QuoteScan(scan.quoting[scan.quoting < cut], [b for b in scan.broken if b[0] < cut])
    return _Piece(data[:cut], line, kept), data[cut:]


class _Cutter:
    """Cuts the byte stream into pieces of whole records, the header left out."""

    def __init__(self, path: Path, delimiter: int) -> None:
        self.path, self.delimiter = path, delimiter
        self.pending = b""
        self.line = 1
        self.in_header = True

    def feed(self, chunk: bytes) -> Iterator[_Piece]:
        piece, self.pending = _cut(self.path, self.pending + chunk, self.delimiter, self.line,
                                   final=False)
        if piece is not None:
            yield from self._emit(piece)

    def finish(self) -> Iterator[_Piece]:
        if not self.pending.strip():
            return
        data = self.pending if self.pending.endswith(b"\n") else self.pending + b"\n"
        piece, _ = _cut(self.path, data, self.delimiter, self.line, final=True)
        if piece is not None:
            yield from self._emit(piece)

    def _emit(self, piece: _Piece) -> Iterator[_Piece]:
        if self.in_header:
            self.in_header = False
            end = piece.first_record_end() + 1
            self.line += piece.data.count(b"\n", 0, end)
            piece = piece.after(end)
            if not piece.data:
                return
        piece.line = self.line
        self.line += piece.data.count(b"\n")
        yield piece


def _records(path: Path, table: Table, max_bytes: int) -> Iterator[_Piece]:
    assert table.delimiter is not None
    cutter = _Cutter(path, ord(table.delimiter))
    for chunk in _byte_chunks(path, table, max_bytes):
        yield from cutter.feed(chunk)
    yield from cutter.finish()


def _fast_blocks(path: Path, table: Table, wanted: Sequence[int], max_bytes: int
                 ) -> Iterator[Block]:
    assert table.delimiter is not None
    delimiter = ord(table.delimiter)
    for piece in _records(path, table, max_bytes):
        array = padded(piece.data)
        yield _split_block(array, len(piece.data), delimiter, len(table.header), wanted,
                           piece.line, piece.quotes)


def _split_block(
    array: Bytes, size: int, delimiter: int, width: int, wanted: Sequence[int], line: int,
    quotes: QuoteScan,
) -> Block:
    """Records of ``array[:size]`` (which ends with a line end; zeros follow)."""
    data = array[:size]
    seps = np.flatnonzero((data == delimiter) | (data == _NEWLINE))
    quoted = bool(len(quotes.quoting) or quotes.broken)
    physical = seps[data[seps] == _NEWLINE] if quoted else seps[:0]  # quoted ones included
    if quoted:
        seps = quotes.outside(seps)
    ends = np.flatnonzero(array[seps] == _NEWLINE)
    first = np.concatenate(([0], ends[:-1] + 1))
    starts = np.concatenate(([0], seps[ends[:-1]] + 1))
    fields = ends - first + 1
    # a quoted line break makes a record span several lines of the file
    lines = line + (np.searchsorted(physical, starts) if quoted else np.arange(len(ends)))
    content = seps[ends] - starts - (array[np.maximum(seps[ends] - 1, 0)] == _RETURN)
    blank = content <= fields - 1
    malformed: list[Fault] = []
    for at, reason in quotes.broken:  # records with a faulty quote, at the cell it opened
        record = int(np.searchsorted(starts, at, side="right")) - 1
        if not blank[record]:
            blank[record] = True  # told once, as the quote's problem
            column = int(np.searchsorted(seps, at)) - int(first[record])
            malformed.append((int(lines[record]), column, reason))
    blank_rows = int(blank.sum()) - len(malformed)
    good = (fields >= width) & ~blank
    malformed += [(int(lines[r]), None, f"{fields[r]} fields where the header has {width}")
                  for r in np.flatnonzero(~good & ~blank)]
    good_rows = np.flatnonzero(good)
    if np.any(fields[good_rows] > width):
        good_rows, extra = _trailing_empty(array, seps, first, starts, fields, good_rows, width)
        malformed += [(int(lines[r]), None, f"{fields[r]} fields where the header has {width}")
                      for r in extra]
    malformed.sort(key=lambda fault: fault[0])
    strip = _spaces_at_cell_edges(array, size, delimiter)
    columns: dict[int, Cells | Slices] = {
        column: _column_slices(array, seps, first[good_rows], starts[good_rows], column,
                               last=column == width - 1, quoted=quoted, strip=strip)
        for column in wanted
    }
    return Block(lines[good_rows].astype(np.int64), columns, malformed, blank_rows)


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


def csv_module_blocks(path: Path, table: Table, wanted: Sequence[int]) -> Iterator[Block]:
    """The blocks the :mod:`csv` module reads: the reference the tests hold the fast path to."""
    encoding = table.encoding or "utf-8"
    with _Bytes(path, MAX_BYTES) as raw:
        text = io.TextIOWrapper(raw.stream, encoding=encoding, errors="replace", newline="")
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
        malformed: list[Fault] = []
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
                malformed.append((number, None, f"{len(record)} fields where the header has {width}"))
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


def _xlsx_table(path: Path, sheet: str | None, max_bytes: int) -> Table:
    import openpyxl  # only XLSX exports pay for importing it

    _check_zip(path, max_bytes)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises a dozen kinds (zip, XML, KeyError…)
        raise _file_error(path, f"not a readable XLSX workbook: {_reason(error)}") from None
    if sheet is not None and sheet not in book.sheetnames:
        book.close()
        raise _file_error(path, f"no sheet named {sheet!r} (sheets: {', '.join(book.sheetnames)})")
    worksheet = book[sheet] if sheet else book.worksheets[0]
    rows = _guarded_rows(path, worksheet)
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


def _check_zip(path: Path, max_bytes: int) -> None:
    """A workbook is a zip archive: its members' sizes, which reading enforces, are bounded."""
    try:
        with zipfile.ZipFile(path) as archive:
            expanded = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise _file_error(path, f"not a readable XLSX workbook (truncated or corrupt): "
                                f"{_reason(error)}") from None
    if expanded > max_bytes:
        raise _file_error(path, f"expands to {expanded:,} bytes once decompressed, more than "
                                f"{max_bytes:,}: refused as a possible decompression bomb "
                                "(raise max_bytes to read it)")


def _guarded_rows(path: Path, worksheet: Any) -> Iterator[tuple[int, Sequence[Any]]]:
    """The sheet's rows, numbered; a sheet that breaks off midway is an error, not a traceback."""
    number = worksheet.min_row or 1
    try:
        for values in worksheet.iter_rows(values_only=True):
            yield number, values
            number += 1
    except Exception as error:  # zip or XML errors surface while streaming the sheet
        raise _file_error(path, f"row {number}: the workbook is truncated or corrupt: "
                                f"{_reason(error)}") from None


def _reason(error: BaseException) -> str:
    return str(error) or type(error).__name__

"""Split a block of CSV lines into fields with pyarrow's CSV reader, without one Python object
per field.

pyarrow reads quoted fields (a window with a comma, ``"mon-fri 08:00-12:00,14:00-18:00"``, or
``""`` inside quotes) at the same speed as plain ones, so a quoted file keeps the batch targets.
A block qualifies when every record is one line with the header's number of fields (no line break
inside quotes, no blank line, no lone carriage return): each output row is then its input line
with the result appended. Anything else is read by the :mod:`csv` module instead (same results,
slower).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.csv as pacsv

I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]


class FieldTable:
    """The wanted fields of every line of a block, as offsets into pyarrow's value buffers."""

    def __init__(self, block: bytes, fields: dict[int, tuple[U8, I64, I64]]) -> None:
        self.block = block
        self.fields = fields
        """Field index → (UTF-8 bytes, start and end offset of each line's value)."""

    @classmethod
    def split(cls, block: bytes, width: int, wanted: Sequence[int]) -> FieldTable | None:
        block = block.replace(b"\r\n", b"\n")  # Windows line ends, as Excel and csv.writer write them
        if b"\r" in block or not block.endswith(b"\n"):
            return None
        names = [f"f{index}" for index in range(width)]
        try:
            table = pacsv.read_csv(
                io.BytesIO(block),
                read_options=pacsv.ReadOptions(column_names=names, use_threads=False,
                                               block_size=len(block) + 1),
                parse_options=pacsv.ParseOptions(newlines_in_values=False),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False,
                    quoted_strings_can_be_null=False, include_columns=[names[i] for i in wanted]),
            )
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # a short or long row, invalid UTF-8…
            return None
        if table.num_rows != block.count(b"\n"):  # a blank line, or a line break inside quotes
            return None
        return cls(block, {index: _offsets(table.column(names[index])) for index in wanted})

    def column(self, field: int) -> npt.NDArray[np.bytes_]:
        """One field of every line, as a numpy bytes array (UTF-8)."""
        values, starts, ends = self.fields[field]
        longest = int((ends - starts).max(initial=0))
        if longest == 0:
            return np.full(len(starts), b"", dtype="S1")
        padded = np.concatenate((values, np.zeros(longest, np.uint8)))  # read past the last value
        # one contiguous copy per line out of a strided window view: no index matrix is built
        windows = np.lib.stride_tricks.sliding_window_view(padded, longest)
        raw = windows[starts]
        raw[np.arange(longest) >= (ends - starts)[:, None]] = 0
        return raw.view(f"S{longest}").ravel()

    def lines(self) -> list[bytes]:
        """Each line without its newline."""
        return self.block[:-1].split(b"\n")


def _offsets(column: pa.ChunkedArray) -> tuple[U8, I64, I64]:
    array = column.combine_chunks()
    _, offsets_buffer, values_buffer = array.buffers()
    offsets = np.frombuffer(offsets_buffer, np.int32, len(array) + 1, array.offset * 4).astype(np.int64)
    values = np.frombuffer(values_buffer, np.uint8) if values_buffer is not None else np.zeros(0, np.uint8)
    return values, offsets[:-1], offsets[1:]

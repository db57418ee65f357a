"""Split a block of simple CSV lines into fields with numpy, without one Python object per field.

A block qualifies when it has no quote and no lone carriage return and every line has exactly the
header's number of fields; anything else is read by the :mod:`csv` module instead (same
results, slower). This is what lets ``jalon calendar batch`` read a million rows in a second.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]


class FieldTable:
    """Byte offsets of every field of every line of ``block`` (which ends with a newline)."""

    def __init__(self, buffer: U8, starts: I64, ends: I64) -> None:
        self.buffer = buffer
        self.starts = starts
        """``(lines, fields)`` offsets of each field's first byte."""
        self.ends = ends
        """``(lines, fields)`` offsets just past each field's last byte."""
        self._padded: U8 | None = None

    @classmethod
    def split(cls, block: bytes, width: int) -> FieldTable | None:
        block = block.replace(b"\r\n", b"\n")  # Windows line ends, as Excel and csv.writer write them
        if b'"' in block or b"\r" in block or not block.endswith(b"\n"):
            return None
        buffer = np.frombuffer(block, np.uint8)
        newlines = np.flatnonzero(buffer == ord("\n"))
        commas = np.flatnonzero(buffer == ord(","))
        per_line = np.bincount(np.searchsorted(newlines, commas), minlength=len(newlines))
        if (per_line != width - 1).any():
            return None
        by_line = commas.reshape(len(newlines), width - 1)
        line_starts = np.concatenate(([0], newlines[:-1] + 1))
        starts = np.column_stack((line_starts, by_line + 1))
        ends = np.column_stack((by_line, newlines))
        return cls(buffer, starts.astype(np.int64), ends.astype(np.int64))

    def column(self, field: int) -> npt.NDArray[np.bytes_]:
        """One field of every line, as a numpy bytes array (UTF-8)."""
        starts, ends = self.starts[:, field], self.ends[:, field]
        longest = int((ends - starts).max(initial=0))
        if longest == 0:
            return np.full(len(starts), b"", dtype="S1")
        if self._padded is None:  # room to read past the last field without an index check
            self._padded = np.concatenate((self.buffer, np.zeros(64, np.uint8)))
        if longest > 64:
            self._padded = np.concatenate((self.buffer, np.zeros(longest, np.uint8)))
        positions = starts.astype(np.int32)[:, None] + np.arange(longest, dtype=np.int32)
        raw = self._padded[positions]
        raw[positions >= ends.astype(np.int32)[:, None]] = 0
        return raw.view(f"S{longest}").ravel()

    def lines(self) -> list[bytes]:
        """Each line without its newline."""
        block = self.buffer.tobytes()
        return block[:-1].split(b"\n")

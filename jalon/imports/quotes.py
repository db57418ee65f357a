"""Which quotes of a CSV block are quoting, found with numpy over the quotes alone.

A quote *opens* a quoted cell only at the start of a cell (after a delimiter, a line end, or at
the start of the data) and *closes* it before a delimiter, a line end or an end of data; inside a
quoted cell a quote is written twice (``""``). Any other quote is text: ``Ecran 24" casse`` in an
unquoted cell, as Excel and the csv module read it. Counting quotes (the 1st opens, the 2nd
closes…) is right as long as every quote is a quoting one; each quote that breaks the count is
found by one binary search and the count resumes after it, so a file with a few literal quotes
costs a few searches, not a pass per quote.

Two things are errors, located at the quote that opened the cell:

* a quoted cell whose closing quote is followed by text (``"24" casse"``);
* a quote that never closes: its cell would run over the next delimiters and lines, up to the
  next quote (an unclosed quote swallows every row up to there). It is told from the first kind
  by the delimiter or line end its cell would contain. The quote is then read as text, so that
  the rest of its line and the rows after it are read as they are written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from jalon.imports.dates import Bytes

QUOTE, NEWLINE, RETURN = 34, 10, 13
UNCLOSED = 'quote opened here is never closed (a quote inside a quoted cell is written "")'
TEXT_AFTER = 'text after the closing quote (a quote inside a quoted cell is written "")'


@dataclass
class QuoteScan:
    quoting: npt.NDArray[np.intp]
    """Positions of the quotes that open or close a quoted cell (or escape a quote inside one)."""
    broken: list[tuple[int, str]] = field(default_factory=list)
    """(position of the quote that opened a faulty cell, reason), in position order."""
    open_at_end: int = -1
    """Position of the quote whose cell is still open at the end of the data (-1: none)."""

    def outside(self, positions: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:
        """The positions that are not inside a quoted cell."""
        if not len(self.quoting):
            return positions
        return positions[(np.searchsorted(self.quoting, positions) & 1) == 0]

    def record_ends(self, data: Bytes) -> npt.NDArray[np.intp]:
        """Positions of the line ends that end a record."""
        return self.outside(np.flatnonzero(data == NEWLINE))


def scan_quotes(data: Bytes, delimiter: int, *, final: bool) -> QuoteScan:
    """Classify the quotes of ``data``, which starts at the start of a record.

    ``final``: nothing follows ``data``, so a cell still open at its end is unclosed; otherwise
    the caller reads on and cuts before ``open_at_end``.
    """
    quotes = np.flatnonzero(data == QUOTE)
    if not len(quotes):
        return QuoteScan(quotes)
    size = len(data)
    before = data[np.maximum(quotes - 1, 0)]
    after = data[np.minimum(quotes + 1, size - 1)]
    opens = (quotes == 0) | (before == delimiter) | (before == NEWLINE) | (before == QUOTE)
    closes = (quotes == size - 1) | (after == delimiter) | (after == NEWLINE) | (after == RETURN)
    closes |= after == QUOTE
    even = (np.arange(len(quotes)) & 1) == 0
    # suspects[shift]: quotes that break the count when quote k opens iff (k + shift) is even
    suspects = (np.flatnonzero(np.where(even, ~opens, ~closes)),
                np.flatnonzero(np.where(even, ~closes, ~opens)))
    return _Scanner(data, delimiter, quotes, suspects, final).run()


class _Scanner:
    def __init__(
        self, data: Bytes, delimiter: int, quotes: npt.NDArray[np.intp],
        suspects: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]], final: bool,
    ) -> None:
        self.data, self.delimiter, self.quotes = data, delimiter, quotes
        self.suspects, self.final = suspects, final
        self.text = np.zeros(len(quotes), bool)
        """Quotes read as text."""
        self.shift = 0
        self.broken: list[tuple[int, str]] = []

    def opens(self, k: int) -> bool:
        return (k + self.shift) % 2 == 0

    def run(self) -> QuoteScan:
        k, open_at_end = 0, -1
        while True:
            k = self._next_suspect(k)
            if k < 0:
                last = self._open_cell()
                if last < 0:
                    break
                if not self.final:
                    open_at_end = int(self.quotes[last])
                    break
                k = self._unclosed(last)
            elif self.opens(k):  # a quote inside an unquoted cell: text
                k = self._as_text(k)
            else:
                k = self._closing_followed_by_text(k)
        self.broken.sort()
        return QuoteScan(self.quotes[~self.text], self.broken, open_at_end)

    def _next_suspect(self, k: int) -> int:
        found = self.suspects[self.shift]
        index = int(np.searchsorted(found, k))
        while index < len(found) and self.text[found[index]]:
            index += 1
        return int(found[index]) if index < len(found) else -1

    def _as_text(self, k: int) -> int:
        """Quote ``k`` and the quotes right after it are text; the count resumes after them."""
        quotes = self.quotes
        self.text[k] = True
        self.shift ^= 1
        k += 1
        while k < len(quotes) and quotes[k] == quotes[k - 1] + 1:
            self.text[k] = True
            self.shift ^= 1
            k += 1
        return k

    def _opening(self, k: int) -> int:
        """The quote that opened the cell quote ``k`` is in (skipping ``""`` pairs)."""
        i = k - 1
        while i > 0 and self.text[i]:
            i -= 1
        while i > 1 and self.quotes[i] == self.quotes[i - 1] + 1 and not self.text[i - 1]:
            i -= 2
        return max(i, 0)

    def _closing_followed_by_text(self, k: int) -> int:
        opening = self._opening(k)
        start, end = int(self.quotes[opening]), int(self.quotes[k])
        span = self.data[start:end]
        if np.any((span == NEWLINE) | (span == self.delimiter)):
            # the cell ran over a line end or a delimiter: its quote was never closed
            return self._unclosed(opening)
        self.broken.append((start, TEXT_AFTER))
        return k + 1

    def _unclosed(self, opening: int) -> int:
        """The cell opened by quote ``opening`` ends with its line: the quote is text."""
        self.broken.append((int(self.quotes[opening]), UNCLOSED))
        self.text[opening] = True
        self.shift ^= 1
        return opening + 1

    def _open_cell(self) -> int:
        """The quote whose cell is still open at the end of the data, or -1."""
        counted = np.flatnonzero(~self.text)
        if len(counted) % 2 == 0:
            return -1
        return self._opening_of_last(counted)

    def _opening_of_last(self, counted: npt.NDArray[np.intp]) -> int:
        # counting quotes in order, the last one opens; walk back over "" pairs to its cell's start
        position = len(counted) - 1
        while position >= 2 and self.quotes[counted[position]] == self.quotes[counted[position - 1]] + 1:
            position -= 2
        return int(counted[position])

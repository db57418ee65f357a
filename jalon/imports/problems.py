"""What can be wrong with an export, said so that a buyer can find the cell in the file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

LISTED = 20
"""Problems spelled out in an :class:`ExportError` message; the rest are counted."""


@dataclass(frozen=True)
class RowProblem:
    source: str
    row: int | None
    """Line of the file (CSV, header = 1) or row of the sheet (XLSX); ``None`` for the file."""
    column: str | None
    """The column as the export names it."""
    reason: str

    def __str__(self) -> str:
        where = [f"row {self.row}"] if self.row is not None else []
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{self.source}: {', '.join(where)}: {self.reason}" if where else (
            f"{self.source}: {self.reason}"
        )


class ExportError(Exception):
    """An export that cannot be read as a whole; ``problems`` lists every reason."""

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        self.problems = list(problems)
        super().__init__(describe_problems(self.problems))


def describe_problems(problems: Sequence[RowProblem], limit: int = LISTED) -> str:
    lines = [str(problem) for problem in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"… and {len(problems) - limit} more problems ({len(problems)} in all)")
    return "\n".join(lines)

"""The columnar form every ticket export is read into: tickets and their state history.

This is the contract between the importers (:mod:`jalon.imports`) and the convention engine
(:mod:`jalon.conventions`). Values are the *external* tool's own words (its priority labels, its
state names); the convention file says what they mean for the contract. Instants are UTC, as
``datetime64[s]`` (naive, understood as UTC), ``NaT`` when missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

Instants = npt.NDArray[np.datetime64]


@dataclass
class TicketSet:
    source: str
    """The file the tickets were read from (named in every message)."""

    ids: npt.NDArray[np.object_]
    """Ticket numbers as the external tool writes them, shape (n,)."""

    rows: npt.NDArray[np.int64]
    """For each ticket, the 1-based line of the source file where it first appears."""

    opened_at: Instants
    resolved_at: Instants
    closed_at: Instants

    attributes: dict[str, npt.NDArray[np.object_]] = field(default_factory=dict)
    """Per-ticket text columns, external values: ``type``, ``priority``, ``urgency``, ``impact``,
    ``group``, ``contact_type``, ``category``…; missing values are ``""``."""

    counters: dict[str, npt.NDArray[np.int64]] = field(default_factory=dict)
    """Per-ticket whole numbers: ``reopen_count``, ``reassignment_count``…"""

    instants: dict[str, Instants] = field(default_factory=dict)
    """Per-ticket instants other than the three above, UTC like them: ``taken_at`` (prise en
    charge), ``updated_at``, ``planned_at``/``done_at`` (changes)…; ``NaT`` when missing."""

    event_ticket: npt.NDArray[np.int64] = field(default_factory=lambda: np.empty(0, np.int64))
    """State history, sorted by (ticket, instant): index into ``ids`` of each event."""
    event_at: Instants = field(default_factory=lambda: np.empty(0, "datetime64[s]"))
    event_state: npt.NDArray[np.object_] = field(default_factory=lambda: np.empty(0, object))
    """The external state the ticket entered at ``event_at``."""

    source_columns: dict[str, str] = field(default_factory=dict)
    """Canonical field → the export's column it was read from: what the export holds. A field
    missing here was not in the file (GLPI's list export has no ``reopen_count``), so an
    indicator needing it has no data. Empty for tickets not read from a file (the platform's)."""

    def __len__(self) -> int:
        return len(self.ids)

    def event_bounds(self) -> npt.NDArray[np.int64]:
        """Ticket ``i``'s events are ``event_*[bounds[i]:bounds[i + 1]]``."""
        bounds: npt.NDArray[np.int64] = np.searchsorted(
            self.event_ticket, np.arange(len(self.ids) + 1)
        ).astype(np.int64)
        return bounds

    def history(self, ticket_id: str) -> list[tuple[np.datetime64, str]]:
        """(instant, state) of one ticket, oldest first: for messages, tests and debugging."""
        index = np.flatnonzero(self.ids == ticket_id)
        if not len(index):
            raise KeyError(ticket_id)
        bounds = self.event_bounds()
        span = slice(bounds[index[0]], bounds[index[0] + 1])
        return list(zip(self.event_at[span], self.event_state[span], strict=True))

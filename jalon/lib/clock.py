"""The platform's one source of "now".

Domain code asks :func:`now` instead of ``timezone.now()`` so that a history can be replayed at
the instants it happened — loading a quarter of demo tickets, or migrating another tool's
tickets with their real dates — through the same domain methods, checks and clock rules as live
use. Outside :func:`replaying`, it is the wall clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.utils import timezone

_replayed: ContextVar[datetime | None] = ContextVar("replayed", default=None)


def now() -> datetime:
    return _replayed.get() or timezone.now()


@contextmanager
def replaying(at: datetime) -> Iterator[None]:
    """Within the block, :func:`now` is ``at`` (an aware datetime)."""
    if at.tzinfo is None:
        raise ValueError(f"{at.isoformat()} has no UTC offset")
    token = _replayed.set(at)
    try:
        yield
    finally:
        _replayed.reset(token)

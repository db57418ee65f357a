"""A history both parties can trust: each contract's ticket events form a hash chain.

Every event stores its rank in its contract's chain (``seq``, from 1), the digest of the event
before it (``previous``) and its own ``digest``: SHA-256 of the canonical JSON of its fields and
payload and of ``previous``. ``Ticket._record`` computes them in the event's transaction, under
the contract's row lock, so two events never claim the same rank. A comment's event keeps the
digest of its text, and each edit of a comment is an event too: a comment rewritten in the
database no longer matches its chain.

:func:`verify` (``jalon history verify --contract SLUG``) recomputes the chain and names the first
event that was changed, deleted or inserted; each day's last digest (:class:`ChainHead`,
published by a periodic job and listed on a page and in the API) lets either party, who kept a
copy, detect a rewrite of the chain from its start, or the deletion of its last events.

The database refuses to rewrite the tables (migration ``0013_history_chain``): on PostgreSQL,
triggers refuse UPDATE, DELETE and TRUNCATE to any role but the tables' owner, and only the owner
may disable a trigger, so the application runs as a role that does not own them
(docs/operations.md); on SQLite, triggers refuse UPDATE and DELETE unless the process opened a
:func:`maintenance` window (the test suite's flush between tests).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.utils import timezone

GENESIS = "0" * 64
"""The ``previous`` of a contract's first event."""

_window = threading.local()


@contextlib.contextmanager
def maintenance() -> Iterator[None]:
    """Let this thread delete history rows on SQLite (flushing a test database): nothing in
    the application opens it."""
    _window.open = True
    try:
        yield
    finally:
        _window.open = False


def _sqlite_window_open() -> int:
    return 1 if getattr(_window, "open", False) else 0


@receiver(connection_created)
def _register_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("jalon_history_maintenance", 0, _sqlite_window_open,
                                              deterministic=False)


def canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str).encode()


def instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def event_digest(*, seq: int, contract: int, ticket: int, kind: str, actor: int | None,
                 at: datetime, state_from: str, state_to: str, internal: bool,
                 payload: dict[str, Any], previous: str) -> str:
    """The digest of one event: what it says, where it stands in the chain, and the one before."""
    return hashlib.sha256(canonical({
        "seq": seq, "contract": contract, "ticket": ticket, "kind": kind, "actor": actor,
        "at": instant(at), "state_from": state_from, "state_to": state_to, "internal": internal,
        "payload": payload, "previous": previous,
    })).hexdigest()


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclasses.dataclass(frozen=True)
class Break:
    """The first place where a contract's stored history departs from its chain."""

    seq: int
    event: int | None
    reason: str

    def __str__(self) -> str:
        where = f"event #{self.event}" if self.event is not None else "no event"
        return f"rank {self.seq} ({where}): {self.reason}"


def verify(contract_id: int) -> tuple[int, Break | None]:
    """How many events of the contract were checked, and the first break, if any."""
    from jalon.tickets.models import ChainHead, Comment, TicketEvent

    rows = TicketEvent.objects.filter(ticket__contract_id=contract_id).order_by("seq", "pk").values_list(
        "pk", "seq", "contract_id", "ticket_id", "kind", "actor_id", "at", "state_from", "state_to",
        "internal", "payload", "previous", "digest")
    expected_seq, previous, count = 1, GENESIS, 0
    by_seq: dict[int, str] = {}
    comments: dict[int, str] = {}
    for (pk, seq, contract, ticket, kind, actor, at, state_from, state_to, internal, payload,
         stored_previous, digest) in rows.iterator(chunk_size=2000):
        count += 1
        if seq is None or contract != contract_id:
            return count, Break(expected_seq, pk, "event outside the chain (no rank, or another contract's)")
        if seq != expected_seq:
            missing = "deleted" if seq > expected_seq else "repeated"
            return count, Break(expected_seq, pk, f"rank {expected_seq} {missing}: found rank {seq}")
        if stored_previous != previous:
            return count, Break(seq, pk, "previous digest does not match the event before")
        computed = event_digest(seq=seq, contract=contract, ticket=ticket, kind=kind, actor=actor, at=at,
                                state_from=state_from, state_to=state_to, internal=internal,
                                payload=payload, previous=previous)
        if computed != digest:
            return count, Break(seq, pk, "content changed: its digest no longer matches")
        if kind in ("commented", "comment_edited") and isinstance(payload, dict) and payload.get("comment"):
            comments[int(payload["comment"])] = str(payload.get("body_sha256", ""))
        by_seq[seq] = digest
        previous, expected_seq = digest, expected_seq + 1
    for head in ChainHead.objects.filter(contract_id=contract_id).order_by("day"):
        if head.seq and by_seq.get(head.seq) != head.digest:
            return count, Break(head.seq, None, f"published head of {head.day} not found in the chain "
                                                "(events deleted or rewritten)")
    for pk, body in Comment.objects.filter(ticket__contract_id=contract_id).values_list("pk", "body"):
        recorded = comments.get(pk)
        if recorded and recorded != text_digest(body):
            return count, Break(0, None, f"comment #{pk} changed without an event")
    return count, None


def day_end(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def publish_heads(now: datetime | None = None) -> int:
    """Store, for each contract and each finished day since its last published one, the chain's
    head at the end of that day (a day without events repeats the head before). Returns how many
    heads were stored."""
    from jalon.contracts.models import Contract
    from jalon.tickets.models import ChainHead, TicketEvent

    now = now or timezone.now()
    today = timezone.localdate(now)
    stored = 0
    for contract in Contract.objects.all():
        last = ChainHead.objects.filter(contract=contract).order_by("-day").first()
        first_event = TicketEvent.objects.filter(contract=contract).order_by("seq").first()
        if first_event is None:
            continue
        day = last.day + timedelta(days=1) if last else timezone.localdate(first_event.at)
        while day < today:
            head = (TicketEvent.objects.filter(contract=contract, at__lt=day_end(day))
                    .order_by("-seq").values_list("seq", "digest").first())
            seq, digest = head if head else (0, GENESIS)
            ChainHead.objects.get_or_create(contract=contract, day=day,
                                            defaults={"seq": seq, "digest": digest})
            stored += 1
            day += timedelta(days=1)
    return stored

"""A history both parties can trust: each contract's events — of tickets, orders, meetings and
deliverables — form one hash chain (:mod:`jalon.commitments.chain`).

Every event stores its rank in its contract's chain (``seq``, from 1), the digest of the event
before it (``previous``) and its own ``digest``: SHA-256 of the canonical JSON of its fields and
payload and of ``previous``. Each record's ``_record`` takes the next link in the event's
transaction, under the contract's row lock, so two events never claim the same rank. A comment's
event keeps the digest of its text, and each edit of a comment is an event too: a comment
rewritten in the database no longer matches its chain.

:func:`verify` (``jalon history verify --contract SLUG``) recomputes the chain over every chained
table and names the first event that was changed, deleted or inserted; each day's last digest
(:class:`ChainHead`, published by a periodic job and listed on a page and in the API) lets either
party, who kept a copy, detect a rewrite of the chain from its start, or the deletion of its last
events.

The database refuses to rewrite the tables (migration ``0013_history_chain`` and each chained
app's own): on PostgreSQL, triggers refuse UPDATE, DELETE and TRUNCATE to any role but the tables'
owner, and only the owner may disable a trigger, so the application runs as a role that does not
own them (docs/operations.md); on SQLite, triggers refuse UPDATE and DELETE unless the process
opened a :func:`maintenance` window (the test suite's flush between tests).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from jalon.commitments import chain

GENESIS = chain.GENESIS
maintenance = chain.maintenance
canonical = chain.canonical
instant = chain.instant
Break = chain.Break


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


def verify(contract_id: int) -> tuple[int, Break | None]:
    """How many events of the contract were checked (every chained table), and the first break,
    if any."""
    from jalon.tickets.models import ChainHead, Comment

    comments: dict[int, str] = {}

    def keep_comment(row: chain.Row) -> None:
        if (row.table == "tickets.ticketevent" and row.kind in ("commented", "comment_edited")
                and isinstance(row.payload, dict) and row.payload.get("comment")):
            comments[int(row.payload["comment"])] = str(row.payload.get("body_sha256", ""))

    count, broken, by_seq = chain.walk(contract_id, keep_comment)
    if broken is not None:
        return count, broken
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
    head at the end of that day, over every chained table (a day without events repeats the head
    before). Returns how many heads were stored."""
    from jalon.contracts.models import Contract
    from jalon.tickets.models import ChainHead

    now = now or timezone.now()
    today = timezone.localdate(now)
    stored = 0
    for contract in Contract.objects.all():
        last = ChainHead.objects.filter(contract=contract).order_by("-day").first()
        first_at = chain.first_event_at(contract.pk)
        if first_at is None:
            continue
        day = last.day + timedelta(days=1) if last else timezone.localdate(first_at)
        while day < today:
            seq, digest = chain.head_before(contract.pk, day_end(day))
            ChainHead.objects.get_or_create(contract=contract, day=day,
                                            defaults={"seq": seq, "digest": digest})
            stored += 1
            day += timedelta(days=1)
    return stored

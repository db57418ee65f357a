"""The records whose clocks the warning and breach scan walks, and what it needs of each.

A record type registers once, from its app's ``ready()`` (tickets: ``jalon/tickets/commitments.py``)::

    registry.register(Commitment(
        name="order", clock_model=OrderClock, lock=lock_order, recompute=Order.recompute_clocks,
        contract=lambda o: o.contract, zone=lambda o, clock: o.calendar_zone(clock),
        url=lambda o: reverse("order", args=[o.pk]), words=order_words,
        warn=lambda o: Audience(people=(o.holder_manager,), parties_if_nobody=(Party.HOLDER,)),
        breach=lambda o: Audience(parties=(Party.BUYER, Party.HOLDER))))

The scan (:mod:`jalon.messaging.clockwatch`) then finds that model's candidates with
:class:`~jalon.commitments.models.ClockQuerySet`, and for each record, in one transaction: locks
it, recomputes its clocks as of now, claims each notice due and queues it to the audience,
in the words, the registration gives. Nothing else is written per record type.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from django.contrib.auth.models import User
from django.db import models

from jalon.commitments.models import AbstractClock, ClockNotice, ClockQuerySet
from jalon.contracts.models import Contract

Owner = TypeVar("Owner", bound=models.Model)
C = TypeVar("C", bound=AbstractClock)
Details = tuple[tuple[str, str], ...]


class Party(enum.StrEnum):
    """A side of the contract, as the messaging layer resolves it into addresses."""

    BUYER = "buyer"          # the buyer's managers and level-1 agents
    HOLDER = "holder"        # the holder's shared mailbox, else its managers and technicians


@dataclass(frozen=True)
class Audience:
    """Who receives a notice: ``parties``, then ``people`` (inactive people and blank addresses
    skipped, repeats dropped); ``parties_if_nobody`` when none of ``people`` can be written to."""

    people: tuple[User | None, ...] = ()
    parties: tuple[Party, ...] = ()
    parties_if_nobody: tuple[Party, ...] = ()


@dataclass(frozen=True)
class NoticeWords:
    """How a notice names the record, in French (articles differ: le ticket, la commande)."""

    reference: str
    """Between brackets in the subject: ``[AQR-2026-1] Délai dépassé : …``."""
    title: str
    noun: str
    """Starts the record's line: ``Ticket : AQR-2026-1 — Concentrateur arrêté``."""
    of_record: str
    """``Le délai « … » du ticket AQR-2026-1 est dépassé.``"""
    the_record: str
    """``Ouvrir le ticket AQR-2026-1 dans Jalon``."""
    please: str
    """The request that closes a warning: ``Merci de traiter ce ticket avant l’échéance.``"""
    details: Details = ()
    """Lines under the record's line: ``(("Priorité", "P1"),)``."""
    breach_details: Details = ()
    """Lines after the due instant of a breach notice: ``(("Intervenant", "…"),)``."""
    breach_note: str = "Ce message est adressé à l’acheteur et au titulaire."
    answerable: bool = False
    """Replies to the notice reach the record (a ticket's comments, by the intake address)."""


@dataclass(frozen=True)
class Commitment(Generic[Owner, C]):
    """One record type's clocks, as the scan and the notices need them."""

    name: str
    """Unique; part of the notices' dedup keys."""
    clock_model: type[C]
    lock: Callable[[int], Owner | None]
    """The record of that id, locked (``select_for_update``) in the caller's transaction."""
    recompute: Callable[[Owner, datetime], Sequence[C]]
    """Its clocks recomputed, saved and returned as of the instant given."""
    contract: Callable[[Owner], Contract]
    zone: Callable[[Owner, C], str]
    """The time zone a notice shows the clock's instants in (its calendar's)."""
    url: Callable[[Owner], str]
    """The record's page, as a path (the notice prefixes the site's address)."""
    words: Callable[[Owner], NoticeWords]
    warn: Callable[[Owner], Audience]
    breach: Callable[[Owner], Audience]
    visible: Callable[[User, Contract], models.QuerySet[Owner]] | None = None
    """The records of a contract a person may see (the record's ``visible_to``): the calendar
    feed gives each person the running clocks of those only (a commitment without it is left
    out of the feed)."""
    dedup_scope: str | None = None
    """Prefix of the clock's id in the notices' dedup keys: ``name:`` unless given (tickets give
    ``""``, keeping the keys they had before the registry)."""

    def dedup_key(self, notice: ClockNotice, clock: C, stamp: datetime | None) -> str:
        """The same notice for the same clock and instant is queued once; the instant is in the
        key, so a clock that leaves danger and comes back is warned again."""
        scope = f"{self.name}:" if self.dedup_scope is None else self.dedup_scope
        return f"{notice.value}:{scope}{clock.pk}:{stamp.isoformat() if stamp else ''}"

    def candidates(self, now: datetime, limit: int) -> list[tuple[datetime, int, int]]:
        """(due instant, clock id, record id) of up to ``limit`` clocks that may owe a notice
        at ``now``, most urgent first."""
        clocks: ClockQuerySet[C] = ClockQuerySet(self.clock_model)
        rows = clocks.to_notify_before(now).order_by("due_at", "pk")
        owner = f"{self.clock_model.owner_field}_id"
        return list(rows.values_list("due_at", "pk", owner)[:limit])


_registered: dict[str, Commitment[models.Model, AbstractClock]] = {}


def register(commitment: Commitment[Owner, C]) -> None:
    """Add a record type's clocks to the scan (once; from the app's ``ready()``)."""
    known = _registered.get(commitment.name)
    if known is not None and known.clock_model is not commitment.clock_model:
        raise ValueError(f"two commitments named {commitment.name!r}")
    # Stored with its types erased: the scan only ever passes a record to the functions of the
    # registration that found it.
    _registered[commitment.name] = commitment  # type: ignore[assignment]


def unregister(name: str) -> None:
    _registered.pop(name, None)


def registered() -> list[Commitment[models.Model, AbstractClock]]:
    return list(_registered.values())


def of(clock_model: type[AbstractClock]) -> Commitment[models.Model, AbstractClock]:
    """The registration of a concrete clock model."""
    return next(c for c in _registered.values() if c.clock_model is clock_model)

"""The abstract clock: what every contractual deadline stores, whatever record it belongs to.

A record type (ticket, order, meeting, deliverable…) declares a concrete clock model that
inherits :class:`AbstractClock` and adds the foreign key to its record (named by
``owner_field``), then registers it (:mod:`jalon.commitments.registry`). The warning and breach
scan (:mod:`jalon.messaging.clockwatch`) finds candidates through :class:`ClockQuerySet` and
claims each notice with a conditional UPDATE (:meth:`AbstractClock.claim_notice`), so several
workers on several machines never send one twice.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import ClassVar, Generic, TypeVar

from django.db import models
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _lazy

from jalon.commitments.state import ClockState

_C = TypeVar("_C", bound="AbstractClock")


class ClockNotice(enum.StrEnum):
    """The two notices a clock gives, each at most once per warning or due instant."""

    WARNING = "at_risk"
    BREACH = "breached"


class ClockQuerySet(models.QuerySet[_C], Generic[_C]):
    def running(self) -> ClockQuerySet[_C]:
        return self.filter(started_at__isnull=False, stopped_at__isnull=True,
                           due_at__isnull=False)

    def to_warn_before(self, now: datetime) -> ClockQuerySet[_C]:
        """Running clocks past their warning instant and not yet warned about."""
        return self.running().filter(risk_at__lte=now, warned_at__isnull=True)

    def breaching_before(self, now: datetime) -> ClockQuerySet[_C]:
        """Running clocks past their due instant whose breach is not yet notified."""
        return self.running().filter(due_at__lt=now, breach_notified_at__isnull=True)

    def to_notify_before(self, now: datetime) -> ClockQuerySet[_C]:
        """The scan's candidates: a warning or a breach notice may be due."""
        return self.to_warn_before(now) | self.breaching_before(now)


def running_due_index(name: str) -> models.Index:
    """The scan's partial index (running clocks by due instant), for a concrete clock's Meta:
    index names are global, so each concrete model names its own."""
    return models.Index(fields=["due_at"],
                        condition=Q(started_at__isnull=False, stopped_at__isnull=True), name=name)


class AbstractClock(models.Model):
    """Where one contractual delay of a record stands (derived: recomputed from the record)."""

    owner_field: ClassVar[str]
    """The concrete model's foreign key to its record (``"ticket"``)."""

    kind = models.CharField(_lazy("délai"), max_length=60)
    label = models.CharField(_lazy("libellé"), max_length=200, blank=True)
    calendar_name = models.CharField(_lazy("calendrier"), max_length=60)
    target_seconds = models.PositiveIntegerField(_lazy("cible (secondes ouvrées)"))
    started_at = models.DateTimeField(null=True, blank=True)
    paused_intervals = models.JSONField(default=list, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    elapsed_seconds = models.PositiveIntegerField(_lazy("écoulé (secondes ouvrées)"), default=0)
    due_at = models.DateTimeField(_lazy("échéance"), null=True, blank=True, db_index=True)
    risk_at = models.DateTimeField(_lazy("alerte à"), null=True, blank=True, db_index=True)
    at_risk = models.BooleanField(_lazy("à risque"), default=False)
    breached = models.BooleanField(_lazy("dépassé"), default=False)
    warned_at = models.DateTimeField(null=True, blank=True)
    breach_notified_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        abstract = True

    @classmethod
    def label_for(cls, kind: str) -> str | None:
        """The name of a ``kind`` the platform itself names, in the active language (``None``: the
        stored label, a convention's own words)."""
        return None

    @property
    def shown_label(self) -> str:
        """The label in the reader's language: the stored one is in the language of whoever last
        recomputed the clock (the scan: French)."""
        return self.label_for(self.kind) or self.label

    @property
    def owner_id(self) -> int:
        return int(getattr(self, f"{self.owner_field}_id"))

    @property
    def is_paused(self) -> bool:
        return bool(self.paused_intervals) and self.paused_intervals[-1][1] is None

    @property
    def is_running(self) -> bool:
        """Started, not stopped, not paused: only a running clock can fall due."""
        return self.started_at is not None and self.stopped_at is None and self.due_at is not None

    def record(self, state: ClockState, now: datetime) -> None:
        """Take ``state`` as computed at ``now`` (not saved)."""
        self.kind, self.label, self.calendar_name = state.kind, state.label, state.calendar
        self.target_seconds, self.started_at = state.target_seconds, state.started_at
        self.paused_intervals = [[a.isoformat(), b.isoformat() if b else None]
                                 for a, b in state.pauses]
        self.stopped_at, self.elapsed_seconds = state.stopped_at, state.elapsed_seconds
        self.due_at, self.risk_at = state.due_at, state.risk_at
        self.at_risk, self.breached = state.at_risk, state.breached
        # A record changed back out of danger (a requalification): warn again if it comes back.
        self.warned_at = self.warned_at if state.at_risk else None
        self.breach_notified_at = self.breach_notified_at if state.breached else None
        self.computed_at = now

    def claim_notice(self, now: datetime) -> ClockNotice | None:
        """Claim the notice this clock owes at ``now``, if any and if no one else has: the
        breach notice first (it stands for the warning too), else the warning. The caller sends
        the claimed notice in the same transaction."""
        if not self.is_running:
            return None  # stopped or paused: nothing can fall due
        if self.breached and self.breach_notified_at is None and self.claim_breach(now):
            return ClockNotice.BREACH
        if self.at_risk and not self.breached and self.warned_at is None \
                and self.claim_warning(now):
            return ClockNotice.WARNING
        return None

    def claim_breach(self, now: datetime) -> bool:
        # A clock found already over is not warned: the breach notice stands for the warning.
        warned = Coalesce(F("warned_at"), Value(now, output_field=DateTimeField()))
        rows = self._this_row().filter(breach_notified_at__isnull=True, breached=True)
        return rows.update(breach_notified_at=now, warned_at=warned) == 1

    def claim_warning(self, now: datetime) -> bool:
        rows = self._this_row().filter(warned_at__isnull=True, at_risk=True, breached=False)
        return rows.update(warned_at=now) == 1

    def _this_row(self) -> models.QuerySet[AbstractClock]:
        return type(self)._default_manager.filter(pk=self.pk)

"""Where a ticket's clocks stand *now*, for display.

A :class:`~jalon.tickets.models.Clock` row is recomputed at each event of its ticket; between two
events time runs on, so the pages judge ``at_risk`` and ``breached`` again against ``now`` and
compute the business time left on the clock's calendar.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from jalon.businesstime import Calendar
from jalon.tickets.models import Clock, Ticket


class Status(enum.Enum):
    BREACHED = "breached"
    AT_RISK = "at_risk"
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    LATE = "late"
    NOT_STARTED = "not_started"

    @property
    def label(self) -> str:
        return str(_STATUS_LABELS[self])

    @property
    def badge(self) -> str:
        """DSFR badge modifier."""
        return {
            Status.BREACHED: "error", Status.AT_RISK: "warning", Status.RUNNING: "info",
            Status.PAUSED: "new", Status.MET: "success", Status.LATE: "error",
            Status.NOT_STARTED: "info",
        }[self]


_STATUS_LABELS = {
    Status.BREACHED: gettext_lazy("Dépassé, en cours"),
    Status.AT_RISK: gettext_lazy("À risque"),
    Status.RUNNING: gettext_lazy("En cours"),
    Status.PAUSED: gettext_lazy("Suspendu"),
    Status.MET: gettext_lazy("Respecté"),
    # stopped past its target: never "respecté" (issue 11 §6), nor the running "dépassé"
    Status.LATE: gettext_lazy("Arrêté hors délai"),
    Status.NOT_STARTED: gettext_lazy("Non démarré"),
}


@dataclass(frozen=True)
class ClockView:
    clock: Clock
    status: Status
    remaining_seconds: int | None
    """Business seconds left (negative: overrun); None when unknown (no calendar)."""

    @property
    def label(self) -> str:
        return self.clock.label or self.clock.kind

    @property
    def running(self) -> bool:
        """Started, not stopped, not paused: its due instant moves closer as time passes."""
        c = self.clock
        return c.started_at is not None and c.stopped_at is None and not c.is_paused

    @property
    def remaining_text(self) -> str:
        if self.remaining_seconds is None:
            return ""
        if self.clock.stopped_at is not None:
            return _("%(used)s ouvrées pour une cible de %(target)s") % {
                "used": duration_text(self.clock.elapsed_seconds),
                "target": duration_text(self.clock.target_seconds)}
        if self.remaining_seconds < 0:
            return _("dépassé de %(d)s ouvrées") % {"d": duration_text(-self.remaining_seconds)}
        return _("%(d)s ouvrées restantes") % {"d": duration_text(self.remaining_seconds)}


def status_of(clock: Clock, now: datetime) -> Status:
    if clock.started_at is None:
        return Status.NOT_STARTED
    if clock.stopped_at is not None:
        return Status.LATE if clock.breached else Status.MET
    if clock.breached or (clock.due_at is not None and clock.due_at < now):
        return Status.BREACHED
    if clock.at_risk or (clock.risk_at is not None and clock.risk_at <= now):
        return Status.AT_RISK
    return Status.PAUSED if clock.is_paused else Status.RUNNING


def remaining_seconds(clock: Clock, now: datetime, calendar: Calendar | None) -> int | None:
    """Business seconds between ``now`` and the due instant (negative once past it)."""
    if clock.started_at is None:
        return None
    if clock.stopped_at is not None or clock.due_at is None:
        # Stopped or paused: elapsed time does not move until the next event.
        return clock.target_seconds - clock.elapsed_seconds
    if calendar is None:
        return None
    if now <= clock.due_at:
        return calendar.elapsed(now, clock.due_at)
    return -calendar.elapsed(clock.due_at, now)


def view_of(clock: Clock, now: datetime, calendar: Calendar | None = None) -> ClockView:
    return ClockView(clock, status_of(clock, now), remaining_seconds(clock, now, calendar))


def shown(ticket: Ticket, now: datetime) -> ClockView | None:
    """The clock a list row shows (``Ticket.list_clock``, chosen by ``Ticket.shown_clock``), as
    it stands now."""
    return view_of(ticket.list_clock, now) if ticket.list_clock is not None else None


def duration_text(seconds: int) -> str:
    """``2 h 05 min``, ``45 min``, ``3 h``."""
    minutes = seconds // 60
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    if hours:
        return _("%(h)d h") % {"h": hours}
    return ngettext("%(m)d min", "%(m)d min", minutes) % {"m": minutes}

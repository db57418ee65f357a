"""Where a ticket's clocks stand *now*, for display.

A :class:`~jalon.tickets.models.Clock` row is recomputed at each event of its ticket; between two
events time runs on, so the pages judge ``at_risk`` and ``breached`` again against ``now`` and
compute the business time left on the clock's calendar.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from jalon.businesstime import Calendar, WeeklyHours
from jalon.businesstime.explain import Closure, always_open, postponement, week_groups
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
    calendar_text: str = ""
    """The calendar the clock counts in (``jours ouvrés lun–ven 8h–18h, hors jours fériés``)."""
    pushed_text: str = ""
    """Why the due instant falls later than the same time on the wall clock, if it does."""

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
    """The clock as it stands now; with its calendar, the calendar in words and why its due
    instant falls where it does."""
    explained = {}
    if calendar is not None:
        explained = {"calendar_text": calendar_text(calendar), "pushed_text": pushed_text(clock, calendar)}
    return ClockView(clock, status_of(clock, now), remaining_seconds(clock, now, calendar), **explained)


# -- the calendar in words -------------------------------------------------------------------

_DAYS = (gettext_lazy("lun"), gettext_lazy("mar"), gettext_lazy("mer"),
         gettext_lazy("jeu"), gettext_lazy("ven"), gettext_lazy("sam"),
         gettext_lazy("dim"))
_ALSACE_MOSELLE = gettext_lazy("Alsace-Moselle")
_REGIONS = {"FR-6AE": _ALSACE_MOSELLE, "FR-57": _ALSACE_MOSELLE, "FR-67": _ALSACE_MOSELLE,
            "FR-68": _ALSACE_MOSELLE}


def calendar_text(calendar: Calendar) -> str:
    """``jours ouvrés lun–ven 8h–18h, hors jours fériés (France)``."""
    if always_open(calendar.hours):
        words = _("24 h sur 24, 7 jours sur 7")
    else:
        words = _("jours ouvrés %(hours)s") % {"hours": hours_text(calendar.hours)}
    if calendar.holidays != "none":
        words += ", " + _("hors jours fériés (%(where)s)") % {"where": _holiday_place(calendar.holidays)}
    if calendar.closures:
        words += ", " + ngettext("hors %(n)d jour de fermeture du marché",
                                 "hors %(n)d jours de fermeture du marché",
                                 len(calendar.closures)) % {"n": len(calendar.closures)}
    return words


def hours_text(hours: WeeklyHours) -> str:
    """``lun–ven 8h–12h, 14h–18h ; sam 9h–12h``."""
    parts = []
    for group in week_groups(hours):
        days = str(_DAYS[group.first]) if group.first == group.last else (
            f"{_DAYS[group.first]}–{_DAYS[group.last]}")
        windows = ", ".join(f"{_time(a)}–{_time(b)}" for a, b in group.windows)
        parts.append(f"{days} {windows}")
    return _(" ; ").join(parts)


def _time(minutes: int) -> str:
    hour, minute = divmod(minutes, 60)
    if minute:
        return _("%(h)dh%(m)02d") % {"h": hour, "m": minute}
    return _("%(h)dh") % {"h": hour}


def _holiday_place(code: str) -> str:
    country, _sep, region = code.partition("-")
    place = _("France") if country == "FR" else country
    if region:
        place += ", " + str(_REGIONS.get(code, region))
    return place


def pushed_text(clock: Clock, calendar: Calendar) -> str:
    """``échéance reportée : 25/12/2026 férié (Noël), week-end, 1 nuit hors horaires``; empty
    when the due instant is not pushed (or the clock has none)."""
    if clock.started_at is None or clock.due_at is None or clock.due_at < clock.started_at:
        return ""
    found = postponement(calendar, clock.started_at, clock.due_at,
                         "fr" if (get_language() or "fr").startswith("fr") else "en_US")
    if not found.pushed:
        return ""
    reasons = [_("%(day)s férié (%(name)s)") % {"day": _day(d.day), "name": d.name} if d.name
               else _("%(day)s férié") % {"day": _day(d.day)} for d in found.of(Closure.HOLIDAY)]
    reasons += [_("fermeture du marché le %(day)s") % {"day": _day(d.day)}
                for d in found.of(Closure.CLOSURE)]
    weekend = found.of(Closure.WEEKEND)
    if len(weekend) == 1:
        reasons.append(_("week-end le %(day)s") % {"day": _day(weekend[0].day)})
    elif len(weekend) == 2:
        reasons.append(_("week-end du %(first)s au %(last)s") % {
            "first": _day(weekend[0].day), "last": _day(weekend[-1].day)})
    elif weekend:
        reasons.append(_("%(n)d jours de week-end") % {"n": len(weekend)})
    closed = found.of(Closure.WEEKDAY)
    if closed:
        reasons.append(ngettext("%(n)d jour non ouvré", "%(n)d jours non ouvrés", len(closed)) % {"n": len(closed)})
    if found.nights:
        reasons.append(ngettext("%(n)d nuit hors horaires", "%(n)d nuits hors horaires",
                                found.nights) % {"n": found.nights})
    if clock.paused_intervals:
        reasons.append(_("suspensions"))
    return _("échéance reportée : %(reasons)s") % {"reasons": ", ".join(reasons)}


def _day(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


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

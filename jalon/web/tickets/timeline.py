"""A ticket's timeline: its events, with the comment, file or time entry each one recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from jalon.tickets.models import (
    Attachment,
    Comment,
    EventKind,
    ResolutionKind,
    Ticket,
    TicketEvent,
    TicketState,
    TimeEntry,
    WaitReason,
)


@dataclass(frozen=True)
class Entry:
    event: TicketEvent
    summary: str
    comment: Comment | None = None
    attachment: Attachment | None = None
    time_entry: TimeEntry | None = None


@dataclass(frozen=True)
class Timeline:
    entries: list[Entry]
    comments: list[Comment]
    attachments: list[Attachment]
    time_entries: list[TimeEntry]

    @property
    def minutes(self) -> int:
        return sum(e.minutes for e in self.time_entries)

    @property
    def forfait_minutes(self) -> int:
        return sum(e.minutes for e in self.time_entries if e.charged_to_forfait)


def timeline_of(ticket: Ticket, *, internal: bool) -> Timeline:
    """Everything that happened to ``ticket``; internal records only when ``internal``."""
    events = ticket.events.select_related("actor").order_by("at", "pk")
    comments = ticket.comments.select_related("author")
    attachments = ticket.attachments.all()
    if not internal:
        events, comments, attachments = (events.filter(internal=False),
                                         comments.filter(internal=False),
                                         attachments.filter(internal=False))
    time_entries = list(ticket.time_entries.select_related("person")) if internal else []
    by_comment = {c.pk: c for c in comments}
    by_file = {a.pk: a for a in attachments}
    by_entry = {e.pk: e for e in time_entries}
    entries = [Entry(e, summary(e), by_comment.get(e.payload.get("comment")),
                     by_file.get(e.payload.get("attachment")), by_entry.get(e.payload.get("entry")))
               for e in events]
    return Timeline(entries, list(by_comment.values()), list(by_file.values()), time_entries)


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _when(text: str) -> str:
    instant: datetime | None = parse_datetime(text) if text else None
    return date_format(localtime(instant), "DATETIME_FORMAT") if instant else text


def summary(event: TicketEvent) -> str:
    """One sentence saying what the event did."""
    p: dict[str, Any] = event.payload or {}
    kind = event.kind
    if kind == EventKind.QUALIFIED:
        return _("Type %(type)s, urgence %(u)s, impact %(i)s → priorité %(p)s ; criticité %(c)s.") % {
            "type": p.get("type") or "—", "u": p.get("urgency") or "—", "i": p.get("impact") or "—",
            "p": p.get("priority") or "—", "c": p.get("criticality") or "—"}
    if kind in (EventKind.ASSIGNED, EventKind.ESCALATED):
        text = _("Groupe : %(g)s.") % {"g": p.get("group") or "—"}
        return (_("Niveau %(a)s → %(b)s. ") % {"a": p.get("from_level"), "b": p.get("level")}
                + text) if kind == EventKind.ESCALATED else text
    if kind == EventKind.WAITING:
        return " ".join(filter(None, [_label(WaitReason, p.get("reason", "")) + ".",
                                      p.get("note", "")]))
    if kind == EventKind.RESOLVED:
        return " ".join(filter(None, [_label(ResolutionKind, p.get("kind", "")) + ".",
                                      p.get("note", "")]))
    if kind == EventKind.REOPENED:
        return p.get("reason", "")
    if kind == EventKind.PHONE_CALL:
        return " ".join(filter(None, [_("Appel du %(at)s.") % {"at": _when(p.get("called_at", ""))},
                                      p.get("note", "")]))
    if kind == EventKind.TIME_LOGGED:
        return _("%(m)s min le %(d)s%(f)s.") % {
            "m": p.get("minutes"), "d": p.get("spent_on"),
            "f": _(", imputé au forfait") if p.get("forfait") else ""}
    if kind == EventKind.OPENED:
        return p.get("title", "")
    if kind == EventKind.ATTACHMENT_ADDED:
        return p.get("name", "")
    if kind == EventKind.REPORT_WRITTEN:
        return _("Statut : %(s)s.") % {"s": _label(ResolutionKind, p.get("status", ""))}
    if event.state_to:
        return _("État : %(s)s.") % {"s": _label(TicketState, event.state_to)}
    return p.get("note", "")

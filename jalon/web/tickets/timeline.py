"""A ticket's timeline: its events, with the comment, file or time entry each one recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from jalon.tickets import events
from jalon.tickets.models import (
    Attachment,
    Comment,
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
    found = ticket.events.select_related("actor").order_by("at", "pk")
    comments = ticket.comments.select_related("author")
    attachments = ticket.attachments.all()
    if not internal:
        found, comments, attachments = (found.filter(internal=False),
                                         comments.filter(internal=False),
                                         attachments.filter(internal=False))
    time_entries = list(ticket.time_entries.select_related("person")) if internal else []
    by_comment = {c.pk: c for c in comments}
    by_file = {a.pk: a for a in attachments}
    by_entry = {e.pk: e for e in time_entries}
    entries = [_entry(e, by_comment, by_file, by_entry) for e in found]
    return Timeline(entries, list(by_comment.values()), list(by_file.values()), time_entries)


def _entry(event: TicketEvent, comments: dict[int, Comment], files: dict[int, Attachment],
           entries: dict[int, TimeEntry]) -> Entry:
    """The event with the comment, file or time entry it recorded, if the reader may see it."""
    data = event.data
    comment = comments.get(data.comment or 0) if isinstance(data, events.Commented) else None
    attachment = files.get(data.attachment or 0) if isinstance(data, events.AttachmentAdded) else None
    entry = entries.get(data.entry or 0) if isinstance(data, events.TimeLogged) else None
    return Entry(event, summary(event, data), comment, attachment, entry)


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _when(instant: datetime | None) -> str:
    return date_format(localtime(instant), "DATETIME_FORMAT") if instant else "—"


def summary(event: TicketEvent, data: events.EventData) -> str:
    """One sentence saying what the event did, from its typed payload ``data``."""
    match data:
        case events.Qualified() as d:
            return _("Type %(type)s, urgence %(u)s, impact %(i)s → priorité %(p)s ; criticité %(c)s.") % {
                "type": d.type or "—", "u": d.urgency or "—", "i": d.impact or "—",
                "p": d.priority or "—", "c": d.criticality or "—"}
        case events.Assigned() as d:
            return _("Groupe : %(g)s.") % {"g": d.group or "—"}
        case events.Escalated() as d:
            return (_("Niveau %(a)s → %(b)s. ") % {"a": d.from_level, "b": d.level}
                    + _("Groupe : %(g)s.") % {"g": d.group or "—"})
        case events.Waiting() as d:
            return " ".join(filter(None, [_label(WaitReason, d.reason) + ".", d.note]))
        case events.Resolved() as d:
            return " ".join(filter(None, [_label(ResolutionKind, d.resolution) + ".", d.note]))
        case events.Reopened() as d:
            return d.reason
        case events.PhoneCall() as d:
            return " ".join(filter(None, [_("Appel du %(at)s.") % {"at": _when(d.called_at)}, d.note]))
        case events.TimeLogged() as d:
            return _("%(m)s min le %(d)s%(f)s.") % {
                "m": d.minutes, "d": d.spent_on.isoformat() if d.spent_on else "—",
                "f": _(", imputé au forfait") if d.forfait else ""}
        case events.TimeCorrected() as d:
            return _("Saisie corrigée : %(m)s min le %(d)s (%(r)s).") % {
                "m": d.minutes, "d": d.spent_on.isoformat() if d.spent_on else "—", "r": d.reason}
        case events.Opened() as d:
            return d.title
        case events.AttachmentAdded() as d:
            return d.name
        case events.ReportWritten() as d:
            return _("Statut : %(s)s.") % {"s": _label(ResolutionKind, d.status)}
        case events.Resumed() | events.Closed() as d if not event.state_to:
            return d.note
    if event.state_to:
        return _("État : %(s)s.") % {"s": _label(TicketState, event.state_to)}
    return ""

"""A ticket's timeline: its events, with the comment, file or time entry each one recorded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from jalon.tickets import events
from jalon.tickets.models import (
    Attachment,
    Comment,
    Criticality,
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
    read = [(e, e.data) for e in found]  # each payload read once
    assigned = {d.assignee for _e, d in read
                if isinstance(d, events.Assigned | events.Escalated) and d.assignee}
    names = {u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=assigned)}
    words = Words(names, ticket.convention_version.parsed().type_label)
    entries = [_entry(e, d, by_comment, by_file, by_entry, words) for e, d in read]
    return Timeline(entries, list(by_comment.values()), list(by_file.values()), time_entries)


@dataclass(frozen=True)
class Words:
    """What the summaries name by id: people (assignees) and the convention's types."""

    names: dict[int, str] = field(default_factory=dict)
    type_label: Callable[[str], str] = str

    def person(self, pk: int | None) -> str:
        return self.names.get(pk, "—") if pk else "—"


def _entry(event: TicketEvent, data: events.EventData, comments: dict[int, Comment],
           files: dict[int, Attachment], entries: dict[int, TimeEntry], words: Words) -> Entry:
    """The event with the comment, file or time entry it recorded, if the reader may see it."""
    comment = comments.get(data.comment or 0) if isinstance(data, events.Commented) else None
    attachment = files.get(data.attachment or 0) if isinstance(data, events.AttachmentAdded) else None
    entry = entries.get(data.entry or 0) if isinstance(data, events.TimeLogged) else None
    return Entry(event, summary(event, data, words), comment, attachment, entry)


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _when(instant: datetime | None) -> str:
    return date_format(localtime(instant), "SHORT_DATETIME_FORMAT") if instant else "—"


def summary(event: TicketEvent, data: events.EventData, words: Words | None = None) -> str:
    """One sentence saying what the event did, from its typed payload ``data``, with people and
    types named as the reader knows them (never an internal id)."""
    words = words or Words()
    match data:
        case events.Qualified() as d:
            return _("Type « %(type)s », urgence %(u)s, impact %(i)s → priorité %(p)s ; criticité %(c)s.") % {
                "type": words.type_label(d.type) if d.type else "—", "u": d.urgency or "—",
                "i": d.impact or "—", "p": d.priority or "—",
                "c": _label(Criticality, d.criticality) if d.criticality else "—"}
        case events.Assigned() as d:
            return _("Groupe : %(g)s ; intervenant : %(p)s.") % {"g": d.group or "—",
                                                                "p": words.person(d.assignee)}
        case events.Escalated() as d:
            return (_("Niveau %(a)s → %(b)s. ") % {"a": d.from_level, "b": d.level}
                    + _("Groupe : %(g)s ; intervenant : %(p)s.") % {"g": d.group or "—",
                                                                   "p": words.person(d.assignee)})
        case events.Closed() as d:
            return " ".join(filter(None, [_("État : %(s)s.") % {"s": _label(TicketState, event.state_to)}
                                          if event.state_to else "", d.note]))
        case events.Waiting() as d:
            return " ".join(filter(None, [_label(WaitReason, d.reason) + ".", d.note]))
        case events.Resolved() as d:
            return " ".join(filter(None, [_label(ResolutionKind, d.resolution) + ".", d.note]))
        case events.Reopened() as d:
            return d.reason
        case events.FixDelivered() as d:
            return " ".join(filter(None, [_("Due depuis le %(at)s.") % {"at": _when(d.owed_since)}
                                          if d.owed_since else "", d.note]))
        case events.PhoneCall() as d:
            return " ".join(filter(None, [_("Appel du %(at)s.") % {"at": _when(d.called_at)}, d.note]))
        case events.TimeLogged() as d:
            return _("%(m)s min le %(d)s%(f)s.") % {
                "m": d.minutes, "d": date_format(d.spent_on, "SHORT_DATE_FORMAT") if d.spent_on else "—",
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
        case events.Resumed() as d:
            return " ".join(filter(None, [_("État : %(s)s.") % {"s": _label(TicketState, event.state_to)}
                                          if event.state_to else "", d.note]))
    if event.state_to:
        return _("État : %(s)s.") % {"s": _label(TicketState, event.state_to)}
    return ""

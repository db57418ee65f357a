"""What the API reads and writes of tickets, their history, comments and clocks. Writes refuse
unknown fields (``extra="forbid"``).

ninja resolves these annotations at run time: every type named here is imported for real.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import AwareDatetime, Field, StrictBool

from jalon.api.schemas import WriteSchema
from jalon.businesstime import Calendar
from jalon.businesstime.explain import postponement, written
from jalon.tickets.clocks import ClockState
from jalon.tickets.models import Channel, Comment, Ticket, TicketEvent, TicketState


class TicketOut(Schema):
    id: int
    reference: str
    contract: str = Field(description="Identifiant court du marché.")
    number: int
    type: str
    title: str
    state: TicketState
    priority: str
    urgency: str
    impact: str
    criticality: str
    level: str
    assigned_group: str
    assignee: str | None = Field(description="Identifiant de l’intervenant.")
    requester: str
    site: str
    lot: str
    channel: Channel = Field(description="Canal par lequel la demande est arrivée.")
    is_urgent: bool
    wait_reason: str
    resolution_kind: str
    reopen_count: int
    opened_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime
    due_at: datetime | None = Field(description="Échéance la plus proche de ses délais en cours.")
    at_risk: bool = Field(description="Un délai en cours a passé son seuil d’alerte, sans "
                                      "qu’aucun ait dépassé sa cible.")
    overdue: bool = Field(description="Un délai en cours a dépassé sa cible.")
    breached: bool = Field(description="Un délai a dépassé sa cible (en cours, ou arrêté après "
                                       "sa cible).")
    fix_owed_since: datetime | None = Field(None, description="Résolu par un contournement : la "
                                                              "correction définitive est due depuis.")
    fix_due_at: datetime | None = Field(None, description="Échéance de la correction définitive, si "
                                                          "le marché en fixe une.")

    @classmethod
    def fields_of(cls, t: Ticket, now: datetime) -> dict[str, Any]:
        """From a ticket read by :func:`jalon.api.tickets.filters.ticket_rows`; its clocks as of
        ``now``."""
        return dict(
            id=t.pk, reference=t.reference, contract=t.contract.slug, number=t.number,
            type=t.type, title=t.title, state=TicketState(t.state), priority=t.priority, urgency=t.urgency,
            impact=t.impact, criticality=t.criticality, level=t.level,
            assigned_group=t.assigned_group,
            assignee=t.assignee.get_username() if t.assignee else None,
            requester=t.requester.get_username(), site=t.site, lot=t.lot,
            channel=Channel(t.channel), is_urgent=t.is_urgent, wait_reason=t.wait_reason,
            resolution_kind=t.resolution_kind, reopen_count=t.reopen_count,
            opened_at=t.opened_at, resolved_at=t.resolved_at, closed_at=t.closed_at,
            updated_at=t.updated_at, due_at=t.due_at, at_risk=t.is_at_risk(now),
            overdue=t.is_overdue(now), breached=t.is_late(now),
            fix_owed_since=t.fix_owed_since, fix_due_at=t.fix_due_at,
        )

    @classmethod
    def of(cls, t: Ticket, now: datetime) -> TicketOut:
        # Built, not validated: every field comes typed from the database row (validating them
        # again was a quarter of a list request's time).
        return cls.model_construct(**cls.fields_of(t, now))


class TicketDetailOut(TicketOut):
    description: str
    phone_call_at: datetime | None
    convention_version: int

    @classmethod
    def of(cls, t: Ticket, now: datetime) -> TicketDetailOut:
        return cls(**cls.fields_of(t, now), description=t.description, phone_call_at=t.phone_call_at,
                   convention_version=t.convention_version.number)


class TicketPage(Schema):
    items: list[TicketOut]
    next_cursor: str | None = Field(description="À passer en « cursor » pour la page suivante ; "
                                                "absent à la dernière page.")


class TicketCreateIn(WriteSchema):
    contract: str = Field(min_length=1, description="Identifiant court du marché.")
    type: str = Field(min_length=1, max_length=60, description="Type de ticket de la convention.")
    title: str = Field(max_length=200)
    description: str = ""
    site: str = Field("", max_length=120)
    lot: str = Field("", max_length=60)
    urgency: str = Field("", max_length=40)
    impact: str = Field("", max_length=40)
    is_urgent: StrictBool = False
    phone_call_at: AwareDatetime | None = Field(
        None, description="Appel téléphonique de la voie urgente (ticket + appel).")
    requester: str | None = Field(
        None, min_length=1, max_length=150,
        description="Demandeur pour le compte duquel le ticket est déclaré (identifiant numérique "
                    "ou nom d’utilisateur d’un membre du marché) ; niveau 1 et responsable "
                    "acheteur seulement. Par défaut : vous.")
    channel: Channel | None = Field(
        None,
        description="Canal par lequel la demande est arrivée : portal (portail), phone "
                    "(téléphone), mail (courriel), supervision, soc. Par défaut : phone si "
                    "phone_call_at est donné, sinon portal ; un autre canal est indiqué par le "
                    "niveau 1 ou le responsable acheteur seulement.")


class TicketPatchIn(WriteSchema):
    title: str | None = Field(None, max_length=200)
    description: str | None = None


# -- history, comments, clocks -------------------------------------------------------------------

class EventOut(Schema):
    id: int
    kind: str
    actor: str | None
    at: datetime
    state_from: str
    state_to: str
    internal: bool
    payload: dict[str, Any]

    @classmethod
    def of(cls, e: TicketEvent) -> EventOut:
        return cls(id=e.pk, kind=e.kind, actor=e.actor.get_username() if e.actor else None,
                   at=e.at, state_from=e.state_from, state_to=e.state_to, internal=e.internal,
                   payload=e.payload)


class CommentOut(Schema):
    id: int
    author: str
    body: str
    internal: bool
    created_at: datetime

    @classmethod
    def of(cls, c: Comment) -> CommentOut:
        return cls(id=c.pk, author=c.author.get_username(), body=c.body, internal=c.internal,
                   created_at=c.created_at)


class CommentIn(WriteSchema):
    body: str
    internal: StrictBool = Field(False, description="Invisible pour les demandeurs.")


class ClosedDayOut(Schema):
    day: date
    why: str = Field(description="weekend, weekday (jour de la semaine jamais ouvré), holiday "
                                 "(jour férié) ou closure (fermeture du marché).")
    name: str = Field(description="Le nom du jour férié.")


class ClockOut(Schema):
    kind: str
    label: str
    calendar: str
    calendar_hours: str = Field("", description="Heures ouvrées du calendrier "
                                                "(« mon-fri 08:00-18:00 »).")
    calendar_holidays: str = Field("", description="Jours fériés chômés : FR, FR-6AE… ou none.")
    postponed_by: list[ClosedDayOut] = Field(
        default_factory=list, description="Jours fermés entre le départ et l’échéance : ce qui la reporte.")
    closed_nights: int = Field(0, description="Nuits hors horaires entre le départ et l’échéance.")
    target_seconds: int = Field(description="Cible, en secondes ouvrées.")
    started_at: datetime | None
    stopped_at: datetime | None
    due_at: datetime | None = Field(description="Échéance si le délai court sans nouvelle pause.")
    elapsed_seconds: int = Field(description="Temps ouvré écoulé, pauses déduites, à cet instant.")
    remaining_seconds: int = Field(description="Cible moins écoulé ; négatif une fois dépassé.")
    at_risk: bool
    breached: bool
    paused: bool
    running: bool

    @classmethod
    def of(cls, c: ClockState, calendar: Calendar | None = None) -> ClockOut:
        paused = c.stopped_at is None and bool(c.pauses) and c.pauses[-1][1] is None
        explained: dict[str, Any] = {}
        if calendar is not None:
            explained = {"calendar_hours": written(calendar.hours), "calendar_holidays": calendar.holidays}
            if c.started_at is not None and c.due_at is not None and c.due_at >= c.started_at:
                found = postponement(calendar, c.started_at, c.due_at)
                explained["postponed_by"] = [ClosedDayOut(day=d.day, why=d.why.value, name=d.name)
                                             for d in found.closed_days]
                explained["closed_nights"] = found.nights
        return cls(**explained, kind=c.kind, label=c.label, calendar=c.calendar,
                   target_seconds=c.target_seconds, started_at=c.started_at,
                   stopped_at=c.stopped_at, due_at=c.due_at, elapsed_seconds=c.elapsed_seconds,
                   remaining_seconds=c.target_seconds - c.elapsed_seconds, at_risk=c.at_risk,
                   breached=c.breached, paused=paused,
                   running=c.started_at is not None and c.stopped_at is None and not paused)

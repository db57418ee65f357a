"""Tickets, their append-only history, comments, attachments, time spent, clocks and reports.

Every change to a ticket goes through one domain method (``open``, ``qualify``, ``assign``…).
Each one locks the ticket row, checks the actor's role and the current state, writes one
:class:`TicketEvent`, then recomputes the clocks from the whole history.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from pathlib import PurePath
from typing import Any, ClassVar, Protocol, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jalon.accounts import access
from jalon.accounts.access import Need
from jalon.accounts.models import Role, members_of
from jalon.businesstime import BusinessDay, Duration
from jalon.commitments import chain
from jalon.commitments import models as commitments
from jalon.commitments.history import AppendOnly, AppendOnlyQuerySet
from jalon.contracts import instants
from jalon.contracts.models import Contract, ConventionVersion
from jalon.conventions.calendars import build_calendar
from jalon.lib import clock, text
from jalon.tickets import clocks as clockwork
from jalon.tickets import events, history
from jalon.tickets.events import Diagnosed, EventData, EventKind
from jalon.tickets.queries import TicketQuerySet
from jalon.tickets.workflow import (
    ACTIVE_STATES,
    ASSIGNEE,
    DONE_STATES,
    Channel,
    Criticality,
    Proposal,
    ResolutionKind,
    Step,
    SupportLevel,
    TicketState,
    WaitReason,
    step,
)

__all__ = ["ACTIVE_STATES", "Channel", "Criticality", "EventKind", "Proposal", "ResolutionKind", "SupportLevel",
           "TicketState", "WaitReason"]

USER_MODEL = settings.AUTH_USER_MODEL


class _ClockLike(Protocol):
    """A stored clock or one computed by the engine, as :meth:`Ticket.shown_clock` reads it."""

    @property
    def kind(self) -> str: ...
    @property
    def started_at(self) -> datetime | None: ...
    @property
    def stopped_at(self) -> datetime | None: ...
    @property
    def due_at(self) -> datetime | None: ...


AnyClock = TypeVar("AnyClock", bound=_ClockLike)
_EVER = datetime.min.replace(tzinfo=UTC)
_NEVER = datetime.max.replace(tzinfo=UTC)

S = TicketState


class InvalidTransition(ValidationError):
    """The ticket's current state does not allow this action."""


def _field_error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _one_of(field: str, value: str, allowed: Iterable[str], message: str) -> None:
    """Refuse ``value`` unless it is one of ``allowed``: ``message`` names the value (``%(v)s``)
    and what was expected (``%(ok)s``)."""
    allowed = list(allowed)
    if value not in allowed:
        raise _field_error(field, message % {"v": value or "—", "ok": ", ".join(allowed)})


class Ticket(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="tickets",
                                 verbose_name=_lazy("marché"))
    convention_version = models.ForeignKey(
        ConventionVersion, on_delete=models.PROTECT, related_name="tickets",
        verbose_name=_lazy("convention de service"),
    )
    number = models.PositiveIntegerField(_lazy("numéro"))
    type = models.CharField(_lazy("type"), max_length=60)
    title = models.CharField(_lazy("objet"), max_length=200)
    description = models.TextField(_lazy("description"), blank=True)
    requester = models.ForeignKey(USER_MODEL, on_delete=models.PROTECT, related_name="requested_tickets",
                                  verbose_name=_lazy("demandeur"))
    site = models.CharField(_lazy("site"), max_length=120, blank=True)
    channel = models.CharField(_lazy("canal"), max_length=20, choices=Channel.choices, default=Channel.PORTAL,
                               help_text=_lazy("D’où vient la demande : portail, téléphone, courriel, "
                                               "supervision, SOC."))
    lot = models.CharField(_lazy("lot"), max_length=60, blank=True)
    urgency = models.CharField(_lazy("urgence"), max_length=40, blank=True)
    impact = models.CharField(_lazy("impact"), max_length=40, blank=True)
    priority = models.CharField(_lazy("priorité"), max_length=40, blank=True)
    criticality = models.CharField(_lazy("criticité"), max_length=20, blank=True,
                                   choices=Criticality.choices)
    state = models.CharField(_lazy("état"), max_length=20, choices=TicketState.choices,
                             default=TicketState.NEW)
    wait_reason = models.CharField(_lazy("motif d’attente"), max_length=20, blank=True,
                                   choices=WaitReason.choices)
    resolution_kind = models.CharField(_lazy("nature de la résolution"), max_length=20,
                                       blank=True, choices=ResolutionKind.choices)
    reopen_count = models.PositiveIntegerField(_lazy("réouvertures"), default=0)
    # After a workaround the definitive fix is still owed (seed 000 §7.3.2: "correction
    # définitive" or "contournement provisoire"): from the workaround's resolution until the
    # holder delivers it (deliver_fix) or resolves definitively (D-120).
    fix_owed_since = models.DateTimeField(
        _lazy("correction définitive due depuis"), null=True, blank=True,
        help_text=_lazy("Résolu par un contournement : la correction définitive reste due."))
    fix_due_at = models.DateTimeField(
        _lazy("correction définitive attendue le"), null=True, blank=True,
        help_text=_lazy("Échéance de la correction définitive, quand le marché en fixe une "
                        "(JALON_DEFINITIVE_FIX_DAYS jours ouvrés)."))
    level = models.CharField(_lazy("niveau"), max_length=2, choices=SupportLevel.choices,
                             default=SupportLevel.N1)
    assigned_group = models.CharField(_lazy("groupe affecté"), max_length=120, blank=True)
    assignee = models.ForeignKey(USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="assigned_tickets", verbose_name=_lazy("intervenant"))
    is_urgent = models.BooleanField(_lazy("urgent"), default=False)
    lead_time_days = models.PositiveIntegerField(
        _lazy("délai de réalisation confirmé (jours ouvrés)"), null=True, blank=True,
        help_text=_lazy("Confirmé par le titulaire avec la faisabilité d’une intervention ponctuelle."))
    phone_call_at = models.DateTimeField(_lazy("appel téléphonique reçu le"), null=True, blank=True)
    # The first follow-up shared with the buyer (Ticket.inform): the stop of CD13's information
    # delays, exported to the engine as the instant column ``informed_at`` (D-CD13-30).
    informed_at = models.DateTimeField(_lazy("acheteur informé le"), null=True, blank=True)
    acting_at: datetime
    """The instant of the transition under way (set by ``_transition`` once the row is locked)."""
    opened_at = models.DateTimeField(_lazy("ouvert le"))
    resolved_at = models.DateTimeField(_lazy("résolu le"), null=True, blank=True)
    closed_at = models.DateTimeField(_lazy("clos le"), null=True, blank=True)
    updated_at = models.DateTimeField(_lazy("modifié le"), auto_now=True)
    # Where the ticket's clocks stand, summed up on the ticket at each recomputation
    # (:meth:`recompute_clocks`) so that the list, the API and the dashboard filter and sort on
    # the ticket row alone: live answers compare these instants with now (jalon.tickets.queries).
    due_at = models.DateTimeField(_lazy("échéance la plus proche"), null=True, blank=True,
                                  help_text=_lazy("La plus proche échéance de ses délais en cours."))
    risk_at = models.DateTimeField(_lazy("alerte la plus proche"), null=True, blank=True,
                                   help_text=_lazy("Le plus proche seuil d’alerte de ses délais en cours."))
    breached = models.BooleanField(_lazy("délai dépassé"), default=False,
                                   help_text=_lazy("Un de ses délais avait dépassé sa cible au dernier calcul."))
    # The clock a list row shows (:meth:`shown_clock`), read with the ticket in one query.
    list_clock = models.ForeignKey(
        "Clock", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+",
        verbose_name=_lazy("délai montré dans les listes"),
        help_text=_lazy("Le délai en cours le plus proche de son échéance, sinon un délai suspendu, "
                        "sinon le dernier arrêté."))

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ("contract", "-number")
        verbose_name = _lazy("ticket")
        verbose_name_plural = _lazy("tickets")
        constraints = (
            models.UniqueConstraint(fields=["contract", "number"], name="ticket_number_unique"),
        )
        # The list and the dashboard on a million tickets (benchmarks/platform_bench.py). Text
        # search has PostgreSQL-only indexes (migration 0005): SQLite has no trigram index.
        indexes = (
            # a state (list, API, admin filters), newest first
            models.Index(fields=["contract", "state", "opened_at"], name="ticket_state_opened"),
            # newest first (API, wide filters), openings in a period (dashboard volumes)
            models.Index(fields=["contract", "opened_at"], name="ticket_opened"),
            # not resolved (the list's "active" filter, written as it excludes: resolved, closed):
            # about one ticket in a hundred
            models.Index(fields=["contract", "opened_at"], condition=~Q(state__in=DONE_STATES),
                         name="ticket_open_opened"),
            # the same by priority: "open and major", the commonest filter, counted and paged
            # from the index alone where the one above read and discarded two tickets in three
            models.Index(fields=["contract", "priority", "opened_at"],
                         condition=~Q(state__in=DONE_STATES), name="ticket_open_priority"),
            # open tickets by last change: what a client of the API that keeps another tool in
            # step asks (sort=-updated_at), and the list's sort by update
            models.Index(fields=["contract", "updated_at"], condition=~Q(state__in=DONE_STATES),
                         name="ticket_open_updated"),
            # the dashboard's backlog: not done, or done after an instant
            models.Index("contract", Coalesce("resolved_at", "closed_at"), name="ticket_done_at"),
            # the list's group filter (and a requester's group options, from their own tickets)
            models.Index(fields=["contract", "assigned_group"], name="ticket_group"),
            # the nearest deadline: sort by due date, running clocks past due
            models.Index(fields=["contract", "due_at"], name="ticket_due"),
            # at risk: past the warning of a running clock (a few tickets in a thousand), and not
            # yet due: with due_at in the key, the overdue ones (most of those past their
            # warning) are set aside in the index, without reading their rows
            models.Index(fields=["contract", "risk_at", "due_at"], condition=Q(risk_at__isnull=False),
                         name="ticket_risk_due"),
            # late ("délai dépassé": a clock over its target, or a running one past due), about
            # one ticket in thirteen: counted from the index alone and paged newest first. Without
            # it PostgreSQL counts by a sequential scan that stops at the thousandth late ticket,
            # and, as concurrent scans of a big table start where the last one stopped, every
            # eightieth count crossed a stretch without late tickets (2.4 ms, with 90 ms spikes)
            models.Index(fields=["contract", "opened_at", "breached", "due_at"],
                         condition=Q(breached=True) | Q(due_at__isnull=False), name="ticket_late"),
            # the definitive fixes still owed after a workaround (a few tickets)
            models.Index(fields=["contract", "fix_owed_since"], condition=Q(fix_owed_since__isnull=False),
                         name="ticket_fix_owed"),
        )

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    @property
    def reference(self) -> str:
        return f"{self.contract.reference}-{self.number}"

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls, contract: Contract, *, actor: User, type: str, title: str, description: str = "",
        requester: User | None = None, site: str = "", lot: str = "", urgency: str = "",
        impact: str = "", is_urgent: bool = False, phone_call_at: datetime | None = None,
        channel: str = Channel.PORTAL,
    ) -> Ticket:
        """Declare a request on ``contract`` under its current convention, for ``actor`` or, when
        level 1 or the buyer manager declares it, on behalf of another member (``requester``)."""
        access.require(actor, contract, Need.OPEN)
        if phone_call_at is not None:
            phone_call_at = instants.check_instant("phone_call_at", phone_call_at, contract)
        requester = cls._requester_for(contract, actor, requester)
        version = contract.current_convention()
        if version is None:
            raise _field_error("contract", _("Aucune convention de service n’est chargée pour "
                                             "le marché %(ref)s.") % {"ref": contract.reference})
        now = clock.now()
        # a type urgent by nature (``urgent: true`` in the convention) makes the ticket urgent
        is_urgent = is_urgent or type in version.parsed().urgent_types
        ticket = cls(contract=contract, convention_version=version, type=type, title=text.one_line(title),
                     description=text.plain_text(description), requester=requester, site=site, lot=lot,
                     is_urgent=is_urgent, opened_at=now, channel=channel)
        _one_of("channel", channel, Channel.values, _("Canal inconnu : %(v)s (attendu : %(ok)s)."))
        ticket._check_type(type)
        ticket._check_lot(lot)
        if not ticket.title:
            raise _field_error("title", _("L’objet du ticket est obligatoire."))
        if urgency or impact:
            ticket._set_priority(urgency, impact, "")
        with transaction.atomic():
            Contract.objects.select_for_update().filter(pk=contract.pk).first()
            now = ticket.opened_at = clock.now()  # under the contract's lock, like the number
            last = cls.objects.filter(contract=contract).aggregate(n=Max("number"))["n"]
            ticket.number = (last or 0) + 1
            ticket.save()
            ticket._record(actor, now, events.Opened(
                type=type, title=ticket.title, urgency=ticket.urgency, impact=ticket.impact,
                priority=ticket.priority, is_urgent=is_urgent,
                requester=requester.pk if requester.pk != actor.pk else None), after=S.NEW)
            if phone_call_at is not None:
                ticket._log_call(actor, now, phone_call_at, "")
            ticket.recompute_clocks(now)
        return ticket

    @staticmethod
    def _requester_for(contract: Contract, actor: User, requester: User | None) -> User:
        """Whom the request is for: ``actor``, or a member declared on behalf by level 1 or the
        buyer manager."""
        if requester is None or requester.pk == actor.pk:
            return actor
        if not access.may(actor, contract, Need.OPEN_ON_BEHALF):
            raise access.NotAllowed(_("Votre rôle sur ce marché ne permet pas de déclarer une "
                                      "demande pour quelqu’un d’autre."))
        if not members_of(contract).filter(pk=requester.pk).exists():
            raise _field_error("requester", _("%(who)s n’a pas de rôle sur le marché %(ref)s.")
                               % {"who": requester, "ref": contract.reference})
        return requester

    # -- rewording ---------------------------------------------------------------------------

    def reword(self, actor: User | None, *, title: str | None = None,
               description: str | None = None) -> TicketEvent:
        """Change the title or description; the history keeps both versions.

        The buyer side (level 1, buyer manager) rewords until the ticket is closed; the requester
        rewords their own request while it is new, before level 1 has qualified it.
        """
        if title is not None:
            title = text.one_line(title)
            if not title:
                raise _field_error("title", _("L’objet du ticket est obligatoire."))
        if description is not None:
            description = text.plain_text(description)
        with transaction.atomic():
            locked = self._locked(actor, Need.REWORD)
            locked._check_may_reword(actor)
            after = {name: value for name, value in (("title", title),
                                                     ("description", description))
                     if value is not None and value != getattr(locked, name)}
            if not after:
                raise ValidationError(_("Rien à modifier : l’objet et la description sont "
                                        "déjà ceux-là."))
            before = {name: getattr(locked, name) for name in after}
            for name, value in after.items():
                setattr(locked, name, value)
            locked.save(update_fields=[*after, "updated_at"])
            event = locked._record(actor, clock.now(), events.Edited(before=before, after=after))
        self.refresh_from_db()
        return event

    def _check_may_reword(self, actor: User | None) -> None:
        if self.state == S.CLOSED:
            raise InvalidTransition(_("Le ticket %(ref)s est clos : il ne se modifie plus."),
                                    params={"ref": self.reference})
        if actor is None or access.may(actor, self.contract, Need.QUALIFY):
            return
        if self.requester_id != actor.pk:
            raise access.NotAllowed(_("Seul le demandeur ou le niveau 1 reformule ce ticket."))
        if self.state != S.NEW:
            raise InvalidTransition(_("Le ticket %(ref)s est déjà pris en charge : demandez au "
                                      "niveau 1 de le reformuler."),
                                    params={"ref": self.reference})

    # -- transitions: one row each in jalon.tickets.workflow ---------------------------------

    def qualify(
        self, actor: User | None, *, type: str = "", urgency: str = "", impact: str = "",
        priority: str = "", criticality: str = "",
    ) -> TicketEvent:
        """Level 1 qualifies: type, urgency × impact → priority, *criticité*."""

        def change(t: Ticket) -> events.Qualified:
            if type:
                t._check_type(type)
                t.type = type
                t.is_urgent = t.is_urgent or type in t.convention_version.parsed().urgent_types
            if urgency or impact or priority:
                t._set_priority(urgency or t.urgency, impact or t.impact, priority)
            if criticality:
                _one_of("criticality", criticality, Criticality.values,
                        _("Criticité inconnue : %(v)s (attendu : %(ok)s)."))
                t.criticality = criticality
            if t.state == S.NEW:
                t.state = S.QUALIFYING
            return events.Qualified(type=t.type, urgency=t.urgency, impact=t.impact,
                                    priority=t.priority, criticality=t.criticality)

        return self._transition(actor, step("qualify"), change)

    def assign(self, actor: User | None, *, group: str = "", person: User | None = None) -> TicketEvent:
        def change(t: Ticket) -> events.Assigned:
            if not t.priority:
                raise _field_error("priority", _("Le ticket doit être qualifié (priorité) avant "
                                                 "d’être affecté."))
            t._set_assignment(group, person)
            t.state = S.ASSIGNED
            return events.Assigned(group=t.assigned_group, assignee=t.assignee_id)

        return self._transition(actor, step("assign"), change)

    def escalate(self, actor: User | None, *, level: str, group: str = "", person: User | None = None
                 ) -> TicketEvent:
        def change(t: Ticket) -> events.Escalated:
            if level not in SupportLevel.values or level <= t.level:
                raise _field_error("level", _("Le niveau d’escalade doit être supérieur au niveau "
                                              "actuel (%(level)s).") % {"level": t.level})
            before = t.level
            t.level = level
            t._set_assignment(group, person)
            t.state = S.ASSIGNED
            return events.Escalated(from_level=before, level=level, group=t.assigned_group,
                                    assignee=t.assignee_id)

        return self._transition(actor, step("escalate"), change)

    def start_work(self, actor: User) -> TicketEvent:
        def change(t: Ticket) -> events.WorkStarted:
            t.assignee = t.assignee or actor
            t.state = S.IN_PROGRESS
            return events.WorkStarted(assignee=t.assignee_id)

        return self._transition(actor, step("start"), change)

    def wait(self, actor: User | None, reason: str, note: str = "") -> TicketEvent:
        def change(t: Ticket) -> events.Waiting:
            _one_of("reason", reason, WaitReason.values, _("Motif d’attente inconnu : %(v)s (attendu : %(ok)s)."))
            t.wait_reason = reason
            t.state = S.WAITING
            return events.Waiting(reason=reason, note=note)

        return self._transition(actor, step("wait"), change)

    def resume(self, actor: User | None, note: str = "") -> TicketEvent:
        def change(t: Ticket) -> events.Resumed:
            t.wait_reason = ""
            t.state = S.IN_PROGRESS
            return events.Resumed(note=note)

        return self._transition(actor, step("resume"), change)

    def resolve(self, actor: User | None, kind: str, note: str = "") -> TicketEvent:
        def change(t: Ticket) -> events.Resolved:
            _one_of("kind", kind, ResolutionKind.values,
                    _("Nature de résolution inconnue : %(v)s (attendu : %(ok)s)."))
            t.resolution_kind, t.wait_reason = kind, ""
            t.resolved_at = clock.now()
            t.state = S.RESOLVED
            if kind == ResolutionKind.WORKAROUND:
                t._owe_fix(t.acting_at)
            else:  # a definitive resolution is the fix
                t.fix_owed_since = t.fix_due_at = None
            return events.Resolved(resolution=kind, note=note)

        return self._transition(actor, step("resolve"), change)

    def close(self, actor: User | None, note: str = "") -> TicketEvent:
        def change(t: Ticket) -> events.Closed:
            t.closed_at = clock.now()
            t.state = S.CLOSED
            return events.Closed(note=note)

        return self._transition(actor, step("close"), change)

    def reopen(self, actor: User | None, reason: str) -> TicketEvent:
        def change(t: Ticket) -> events.Reopened:
            if not reason.strip():
                raise _field_error("reason", _("Indiquez pourquoi le ticket est rouvert."))
            t.reopen_count += 1
            t.resolved_at = t.closed_at = None
            t.resolution_kind = ""
            t.state = S.ASSIGNED if (t.assignee_id or t.assigned_group) else S.QUALIFYING
            return events.Reopened(reason=reason, reopen_count=t.reopen_count)

        return self._transition(actor, step("reopen"), change)

    def log_phone_call(self, actor: User | None, called_at: datetime, note: str = "") -> TicketEvent:
        """Trace the urgent channel's phone call (ticket + call, seed 000 §7.1.5)."""
        called_at = instants.check_instant("called_at", called_at, self.contract)

        def change(t: Ticket) -> events.PhoneCall:
            t.phone_call_at = t.phone_call_at or called_at
            return events.PhoneCall(called_at=called_at, note=note)

        return self._transition(actor, step("phone_call"), change)

    def inform(self, actor: User | None, *, message: str) -> TicketEvent:
        """The holder shares the follow-up of the case with the buyer: the first time stops
        CD13's information delay (``informed_at``, D-CD13-30); the buyer's side is told."""

        def change(t: Ticket) -> events.Informed:
            if not message.strip():
                raise _field_error("message", _("Écrivez le point de suivi à partager."))
            t.informed_at = t.informed_at or t.acting_at
            return events.Informed(message=message)

        return self._transition(actor, step("inform"), change)

    def confirm_feasibility(self, actor: User | None, *, lead_time_days: int, note: str = "") -> TicketEvent:
        """The holder confirms a one-off intervention's feasibility and its lead time (seed 000
        §7.4.3: within 2 business days): taking charge, if not done, and the commitment's stop."""

        def change(t: Ticket) -> events.Confirmed:
            if lead_time_days < 1:
                raise _field_error("lead_time_days", _("Le délai de réalisation est d’au moins un jour."))
            t.lead_time_days = lead_time_days
            t.assignee = t.assignee or actor
            t.state = S.DIAGNOSED
            return events.Confirmed(lead_time_days=lead_time_days, note=note)

        return self._transition(actor, step("confirm"), change)

    def deliver_diagnosis(self, actor: User | None, *, diagnosis: str, impact: str, criticality: str,
                          estimate: str, proposal: str) -> TicketEvent:
        """The holder delivers an anomaly's diagnosis (seed 000 §7.2.3): it stops the
        qualification delay. The criticality is the holder's assessment; the ticket's own
        *criticité* stays the buyer's call."""

        def change(t: Ticket) -> events.Diagnosed:
            for name, value in (("diagnosis", diagnosis), ("impact", impact), ("estimate", estimate)):
                if not value.strip():
                    raise _field_error(name, _("Ce champ du diagnostic est obligatoire."))
            _one_of("criticality", criticality, Criticality.values,
                    _("Criticité inconnue : %(v)s (attendu : %(ok)s)."))
            _one_of("proposal", proposal, Proposal.values, _("Proposition inconnue : %(v)s (attendu : %(ok)s)."))
            t.state = S.DIAGNOSED
            return events.Diagnosed(diagnosis=diagnosis, impact=impact, criticality=criticality,
                                    estimate=estimate, proposal=proposal)

        return self._transition(actor, step("diagnose"), change)

    def cancel(self, actor: User | None, *, reason: str) -> TicketEvent:
        """Withdraw the request: the buyer side at any point before resolution, the requester
        while it is new. A cancelled ticket is never pending and its clocks stop."""

        def change(t: Ticket) -> events.Cancelled:
            if not reason.strip():
                raise _field_error("reason", _("Indiquez pourquoi le ticket est annulé."))
            t.closed_at = clock.now()
            t.state = S.CANCELLED
            t.fix_owed_since = t.fix_due_at = None  # a withdrawn request owes nothing
            return events.Cancelled(reason=reason)

        return self._transition(actor, step("cancel"), change)

    def deliver_fix(self, actor: User | None, *, note: str) -> TicketEvent:
        """The holder delivers the definitive fix owed since a workaround: the commitment ends;
        the history keeps what was delivered and since when it was owed."""

        def change(t: Ticket) -> events.FixDelivered:
            if not note.strip():
                raise _field_error("note", _("Décrivez la correction livrée (version, bon de "
                                             "commande, procédure)."))
            owed = t.fix_owed_since
            t.fix_owed_since = t.fix_due_at = None
            return events.FixDelivered(note=note, owed_since=owed)

        return self._transition(actor, step("deliver_fix"), change)

    def _check_fix_owed(self, actor: User | None) -> None:
        if self.fix_owed_since is None:
            raise InvalidTransition(_("Le ticket %(ref)s ne doit pas de correction définitive : il "
                                      "n’a pas été résolu par un contournement."),
                                    params={"ref": self.reference})

    def _owe_fix(self, now: datetime) -> None:
        """From a workaround on, the definitive fix is owed; its due instant is
        ``JALON_DEFINITIVE_FIX_DAYS`` business days later on the convention's first calendar,
        or none (0, the seeds' default: D-120). A second workaround keeps the first date."""
        if self.fix_owed_since is not None:
            return
        self.fix_owed_since = now
        days = int(settings.JALON_DEFINITIVE_FIX_DAYS)
        calendars = self.convention_version.parsed().calendars
        if days <= 0 or not calendars:
            return
        calendar = build_calendar(next(iter(calendars.values())))
        rule = calendar.business_day or BusinessDay.same_time()
        self.fix_due_at = calendar.deadline(now, Duration.business_days(days, rule))

    @property
    def fix_overdue(self) -> bool:
        """The definitive fix's due instant is past (live: compared with the platform's now)."""
        return self.fix_due_at is not None and self.fix_due_at < clock.now()

    def _check_may_cancel(self, actor: User | None) -> None:
        """The buyer side cancels any open ticket; a requester only their own, while it is new."""
        if actor is None or access.may(actor, self.contract, Need.QUALIFY):
            return
        if self.requester_id != actor.pk:
            raise access.NotAllowed(_("Seul le demandeur ou le niveau 1 annule ce ticket."))
        if self.state != S.NEW:
            raise InvalidTransition(_("Le ticket %(ref)s est déjà pris en charge : demandez au "
                                      "niveau 1 de l’annuler."), params={"ref": self.reference})

    def _check_own_request(self, actor: User | None) -> None:
        """Someone who acts only as a requester closes, reopens and traces calls on their own
        requests, not on a colleague's they may read (seed 000 §7.1: "ses propres demandes")."""
        if actor is None or self.requester_id == actor.pk:
            return
        roles = access.roles_on(actor, self.contract) - {Role.REQUESTER}
        if not roles:
            raise access.NotAllowed(_("Seul le demandeur de ce ticket ou le niveau 1 peut faire "
                                      "cette action."))

    def offers(self, taken: Step, user: User) -> bool:
        """Whether ``user`` may take ``taken`` on this ticket now: the table's role and states,
        and the rules a step adds for some people (a requester cancels only their new request)."""
        if not (taken.allows(self.state) and access.may(user, self.contract, taken.need)):
            return False
        try:
            self._check_step(taken, user)
        except (ValidationError, access.NotAllowed):
            return False
        return True

    def _check_step(self, taken: Step, actor: User | None) -> None:
        """Run the step's own rule (:attr:`Step.check`), if it has one."""
        if taken.check:
            getattr(self, taken.check)(actor)

    def latest_diagnosis(self) -> Diagnosed | None:
        """The last diagnosis delivered, as its event recorded it."""
        event = self.events.filter(kind=EventKind.DIAGNOSED).order_by("-at", "-pk").first()
        data = event.data if event is not None else None
        return data if isinstance(data, Diagnosed) else None

    # -- attached records --------------------------------------------------------------------

    def add_comment(self, actor: User, body: str, *, internal: bool = False) -> Comment:
        body = text.plain_text(body)
        if not body.strip():
            raise _field_error("body", _("Le commentaire est vide."))
        with transaction.atomic():
            locked = self._locked(actor, Need.COMMENT_INTERNAL if internal else step("comment").need)
            comment = Comment.objects.create(ticket=locked, author=actor, body=body,
                                             internal=internal)
            locked._record(actor, comment.created_at, events.Commented(
                comment=comment.pk, body=body, body_sha256=history.text_digest(body)),
                internal=internal)
        return comment

    def edit_comment(self, actor: User, comment: Comment, body: str) -> TicketEvent:
        """Its author rewords a comment; the event keeps the text before and after."""
        body = text.plain_text(body)
        if not body.strip():
            raise _field_error("body", _("Le commentaire est vide."))
        with transaction.atomic():
            locked = self._locked(actor, Need.COMMENT_INTERNAL if comment.internal else step("comment").need)
            row = Comment.objects.select_for_update().get(pk=comment.pk, ticket=locked)
            if row.author_id != actor.pk:
                raise access.NotAllowed(_("Seul l’auteur d’un commentaire le modifie."))
            if row.body == body:
                raise _field_error("body", _("Rien à modifier : le commentaire dit déjà cela."))
            before, now = row.body, clock.now()
            row.body, row.edited_at, row._through_domain = body, now, True
            row.save(update_fields=["body", "edited_at"])
            event = locked._record(actor, now, events.CommentEdited(
                comment=row.pk, before=before, body=body, body_sha256=history.text_digest(body)),
                internal=row.internal)
        comment.refresh_from_db()
        return event

    def add_attachment(self, actor: User, file: UploadedFile, *, internal: bool = False,
                       comment: Comment | None = None) -> Attachment:
        Attachment.check_upload(file)
        with transaction.atomic():
            locked = self._locked(actor, Need.COMMENT_INTERNAL if internal else step("attach").need)
            attachment = Attachment.store(locked, actor, file, internal, comment)
            locked._record(actor, attachment.uploaded_at, events.AttachmentAdded(
                attachment=attachment.pk, name=attachment.original_name, size=attachment.size,
                sha256=attachment.sha256), internal=internal)
        return attachment

    def chargeable_to_forfait(self) -> bool:
        """Whether the convention charges time spent on this ticket's type to the support
        package (``forfait.chargeable_types``, D-80); a convention without a ``forfait``
        section charges nothing it could not count, so the flag given is kept."""
        terms = self.convention_version.parsed().forfait
        return terms is None or terms.charges(self.type)

    def log_time(self, actor: User, *, minutes: int, spent_on: date, note: str = "",
                 charged_to_forfait: bool = True) -> TimeEntry:
        """Record time spent. It is charged to the support package when asked *and* the
        convention makes the ticket's type chargeable (seed 000 §7.2.1)."""
        if minutes <= 0:
            raise _field_error("minutes", _("Le temps passé doit être un nombre de minutes "
                                            "positif."))
        instants.check_day("spent_on", spent_on, self.contract)
        with transaction.atomic():
            locked = self._locked(actor, step("log_time").need)
            charged = charged_to_forfait and locked.chargeable_to_forfait()
            locked._check_time_entry(actor, minutes, spent_on)
            entry = TimeEntry.objects.create(ticket=locked, person=actor, minutes=minutes,
                                             spent_on=spent_on, note=note,
                                             charged_to_forfait=charged)
            locked._record(actor, clock.now(), events.TimeLogged(
                entry=entry.pk, minutes=minutes, spent_on=spent_on, forfait=charged),
                internal=True)
        return entry

    def correct_time(self, actor: User, entry: TimeEntry | int, *, minutes: int, spent_on: date,
                     reason: str, note: str = "") -> tuple[TimeEntry, TimeEntry | None]:
        """Correct a time entry by two new rows that reference it, never by changing it: a
        reversal (its minutes, negated) and, unless ``minutes`` is 0, a replacement. The
        entry stays in the ledger with its correction beside it (history kept)."""
        if minutes < 0:
            raise _field_error("minutes", _("Le temps corrigé doit être un nombre de minutes "
                                            "positif ou nul."))
        if not reason.strip():
            raise _field_error("reason", _("Indiquez le motif de la correction."))
        with transaction.atomic():
            locked = self._locked(actor, Need.CORRECT_TIME)
            entry_id = entry if isinstance(entry, int) else entry.pk
            old = TimeEntry.objects.select_for_update().filter(pk=entry_id, ticket=locked).first()
            if old is None:
                raise _field_error("entry", _("Saisie de temps introuvable sur ce ticket."))
            if old.kind == TimeEntry.Kind.REVERSAL:
                raise _field_error("entry", _("Une annulation ne se corrige pas ; corrigez la "
                                              "saisie qu’elle annule."))
            if TimeEntry.objects.filter(corrects=old, kind=TimeEntry.Kind.REVERSAL).exists():
                raise _field_error("entry", _("Cette saisie a déjà été corrigée ; corrigez sa "
                                              "dernière correction."))
            why = reason.strip()[:250]
            reversal = TimeEntry.objects.create(
                ticket=locked, person=actor, minutes=-old.minutes, spent_on=old.spent_on,
                note=why, charged_to_forfait=old.charged_to_forfait, corrects=old,
                kind=TimeEntry.Kind.REVERSAL)
            replacement = None
            if minutes:
                replacement = TimeEntry.objects.create(
                    ticket=locked, person=actor, minutes=minutes, spent_on=spent_on,
                    note=note or old.note, charged_to_forfait=old.charged_to_forfait,
                    corrects=old, kind=TimeEntry.Kind.REPLACEMENT)
            locked._record(actor, clock.now(), events.TimeCorrected(
                entry=old.pk, reversal=reversal.pk,
                replacement=replacement.pk if replacement else None,
                minutes=minutes, spent_on=spent_on, reason=why, forfait=old.charged_to_forfait),
                internal=True)
        return reversal, replacement

    def _check_time_entry(self, actor: User, minutes: int, spent_on: date) -> None:
        """Time is spent within the ticket's life (from its opening day to its closing day, or
        today), never in the future, and a person's day holds at most
        ``JALON_TIME_DAY_MAX_MINUTES`` over all their tickets (D-116). Days are the contract's
        (its convention's zone)."""
        zone = ZoneInfo(self.convention_version.parsed().contract.tz)
        today = clock.now().astimezone(zone).date()
        opened = self.opened_at.astimezone(zone).date()
        if spent_on > today:
            raise _field_error("spent_on", _("Le %(day)s est dans le futur : le temps se saisit une fois "
                                             "passé.") % {"day": date_format(spent_on, "SHORT_DATE_FORMAT")})
        if spent_on < opened:
            raise _field_error("spent_on", _("Le ticket a été ouvert le %(opened)s : le temps passé ne "
                                             "peut pas être antérieur.")
                               % {"opened": date_format(opened, "SHORT_DATE_FORMAT")})
        if self.closed_at is not None and spent_on > (closed := self.closed_at.astimezone(zone).date()):
            raise _field_error("spent_on", _("Le ticket a été clos le %(closed)s : le temps passé ne peut "
                                             "pas être postérieur.")
                               % {"closed": date_format(closed, "SHORT_DATE_FORMAT")})
        cap = int(settings.JALON_TIME_DAY_MAX_MINUTES)
        logged = TimeEntry.objects.filter(person=actor, spent_on=spent_on).aggregate(
            total=models.Sum("minutes"))["total"] or 0
        if logged + minutes > cap:
            raise _field_error("minutes", _(
                "%(logged)s déjà saisies le %(day)s, tous tickets confondus : une journée compte au "
                "plus %(cap)s, il reste %(left)s.") % {
                    "logged": _hours(logged), "day": date_format(spent_on, "SHORT_DATE_FORMAT"),
                    "cap": _hours(cap), "left": _hours(max(cap - logged, 0))})

    def write_intervention_report(self, actor: User, *, context: str, diagnosis: str, tests: str,
                                  solution: str, status: str, recommendations: str = "") -> InterventionReport:
        """Write or update the intervention report (seed 000 §7.3.3, annex A.3)."""
        with transaction.atomic():
            locked = self._locked(actor, step("write_report").need)
            report = InterventionReport.objects.filter(ticket=locked).first() or InterventionReport(ticket=locked)
            report.context, report.diagnosis, report.tests = context, diagnosis, tests
            report.solution, report.status, report.recommendations = solution, status, recommendations
            report.author = actor
            report.full_clean(exclude=["ticket"])
            report.save()
            locked._record(actor, clock.now(), events.ReportWritten(**report.as_payload()))
        return report

    # -- clocks ------------------------------------------------------------------------------

    def history(self) -> list[clockwork.Transition]:
        """This ticket's state changes as the clocks read them: a wait is
        ``waiting_requester`` or ``waiting_third_party`` after the reason its ``waiting`` event
        recorded (an old event without one: the requester), see ``clockwork.transitions``."""
        # values_list: ``only()`` through the related manager reloads each row for its ticket_id
        rows = self.events.exclude(state_to="").order_by("at", "pk")
        return clockwork.transitions(rows.values_list("at", "state_from", "state_to", "payload__reason"))

    def facts(self) -> clockwork.TicketFacts:
        """What the clock engine reads of this ticket besides its history (the export reads the
        same columns, see ``jalon.tickets.export``)."""
        return clockwork.TicketFacts(
            reference=str(self.pk), opened_at=self.opened_at, resolved_at=self.resolved_at,
            closed_at=self.closed_at,
            attributes=clockwork.engine_attributes({n: getattr(self, n) for n in clockwork.ENGINE_COLUMNS}),
            instants={n: getattr(self, n) for n in clockwork.INSTANT_COLUMNS},
        )

    def clocks_at(self, now: datetime) -> list[clockwork.ClockState]:
        """Every clock of this ticket from its whole history, as of ``now``; nothing stored."""
        return clockwork.clocks_for(self.convention_version.parsed(), self.facts(), self.history(),
                                    now, float(settings.JALON_CLOCK_WARN_RATIO))

    def recompute_clocks(self, now: datetime) -> list[Clock]:
        """Recompute every clock of this ticket from its whole history, as of ``now``."""
        stored = {clock.kind: clock for clock in self.clocks.all()}
        kept = [Clock.store(self, state, now, row=stored.pop(state.kind, None))
                for state in self.clocks_at(now)]
        if stored:  # clocks the ticket no longer has (requalified to another type)
            self.clocks.filter(pk__in=[c.pk for c in stored.values()]).delete()
        self._sum_up(kept)
        return kept

    def is_overdue(self, now: datetime) -> bool:
        """Some running clock is over its target (``jalon.tickets.queries.overdue``)."""
        return self.due_at is not None and self.due_at < now

    def is_at_risk(self, now: datetime) -> bool:
        """Past the warning of a running clock, not overdue (``jalon.tickets.queries.at_risk``)."""
        return self.risk_at is not None and self.due_at is not None and self.risk_at <= now <= self.due_at

    def is_late(self, now: datetime) -> bool:
        """Overdue, or over a target at the last computation (``jalon.tickets.queries.late``)."""
        return self.breached or self.is_overdue(now)

    @staticmethod
    def clock_summary(clocks: Iterable[Clock | clockwork.ClockState]) -> dict[str, Any]:
        """Where ``clocks`` stand, as the ticket row keeps it: the nearest due and warning
        instants of the running ones (started, not stopped, not paused), and whether any was over
        its target (see ``due_at``; :mod:`jalon.tickets.clocksummary` says the same in SQL)."""
        clocks = list(clocks)
        running = [c for c in clocks if c.started_at is not None and c.stopped_at is None
                   and c.due_at is not None]
        return {
            "due_at": min((c.due_at for c in running if c.due_at is not None), default=None),
            "risk_at": min((c.risk_at for c in running if c.risk_at is not None), default=None),
            "breached": any(c.breached for c in clocks),
        }

    @staticmethod
    def shown_clock(clocks: Iterable[AnyClock]) -> AnyClock | None:
        """The clock a list row shows: the running one due first, else the first suspended one
        (started, not stopped, no due instant), else the last one stopped; ties go to the
        first kind in alphabetical order, or the last for stopped clocks. None before any
        clock starts.

        The choice does not depend on the time, only on the clocks as computed: it is stored
        with them (``list_clock``), and the row judges its status against now
        (:mod:`jalon.web.tickets.clockview`). :data:`jalon.tickets.clocksummary.LIST_CLOCK_SQL` says the
        same in SQL."""
        started = sorted((c for c in clocks if c.started_at is not None), key=lambda c: c.kind)
        running = [c for c in started if c.stopped_at is None and c.due_at is not None]
        if running:
            return min(running, key=lambda c: c.due_at or _NEVER)  # the first of equals
        suspended = [c for c in started if c.stopped_at is None]
        if suspended:
            return suspended[0]
        stopped = sorted(started, key=lambda c: c.stopped_at or _EVER)  # stable: by kind
        return stopped[-1] if stopped else None

    def _sum_up(self, clocks: list[Clock]) -> None:
        summary = self.clock_summary(clocks)
        shown = self.shown_clock(clocks)
        summary["list_clock_id"] = shown.pk if shown is not None else None
        if any(getattr(self, name) != value for name, value in summary.items()):
            Ticket.objects.filter(pk=self.pk).update(**summary)
            for name, value in summary.items():
                setattr(self, name, value)

    # -- helpers -----------------------------------------------------------------------------

    def _transition(self, actor: User | None, taken: Step,
                    change: Callable[[Ticket], EventData]) -> TicketEvent:
        """Lock the row, check the role and the state ``taken`` needs, apply ``change``, record
        one event with its payload and recompute the clocks. The instant is read once the row
        is locked, so that concurrent transitions record their times in the order they happen;
        ``change`` finds it as ``acting_at``."""
        with transaction.atomic():
            locked = self._locked(actor, taken.need)
            now = locked.acting_at = clock.now()
            before = locked.state
            if not taken.allows(before):
                raise InvalidTransition(_("Action « %(action)s » impossible : le ticket %(ref)s est "
                                          "« %(state)s »."), params={
                    "action": taken.event.label, "ref": locked.reference,
                    "state": locked.get_state_display()})
            locked._check_step(taken, actor)
            payload = change(locked)
            locked.save()
            moved = locked.state != before
            event = locked._record(actor, now, payload, before=before if moved else "",
                                   after=locked.state if moved else "")
            locked.recompute_clocks(now)
        self.refresh_from_db()
        return event

    def _locked(self, actor: User | None, need: Need) -> Ticket:
        """This ticket's row, locked until the end of the transaction (no-op on SQLite)."""
        locked = Ticket.objects.select_for_update().select_related("contract").get(pk=self.pk)
        if actor is not None:
            access.require(actor, locked.contract, need)
            if not Ticket.objects.visible_to(actor, locked.contract).filter(pk=locked.pk).exists():
                raise access.NotAllowed(_("Ce ticket n’est pas visible pour vous."))
        return locked

    def _record(self, actor: User | None, at: datetime, payload: EventData, *, before: str = "",
                after: str = "", internal: bool = False) -> TicketEvent:
        """Append one event to the ticket's history and to its contract's hash chain
        (:mod:`jalon.tickets.history`), under the contract's row lock."""
        stored = payload.as_json()
        link = chain.append(TicketEvent, contract=self.contract_id, record=self.pk, kind=payload.kind,
                            actor=actor.pk if actor is not None else None, at=at, payload=stored,
                            state_from=before, state_to=after, internal=internal)
        return TicketEvent.objects.create(
            ticket=self, contract_id=self.contract_id, kind=payload.kind, actor=actor, at=at,
            state_from=before, state_to=after, payload=stored, internal=internal, seq=link.seq,
            previous=link.previous, digest=link.digest,
        )

    def _log_call(self, actor: User, now: datetime, called_at: datetime, note: str) -> None:
        self.phone_call_at = called_at
        self.save(update_fields=["phone_call_at"])
        self._record(actor, now, events.PhoneCall(called_at=called_at, note=note))

    def _check_type(self, type: str) -> None:
        types = self.convention_version.parsed().types
        if types and type not in types:
            raise _field_error("type", _("Type de ticket inconnu de la convention : %(v)s "
                                         "(attendu : %(ok)s).") % {"v": type, "ok": ", ".join(types)})

    def _check_lot(self, lot: str) -> None:
        lots = self.convention_version.parsed().contract.lots
        if lot and lots:
            _one_of("lot", lot, lots, _("Lot inconnu : %(v)s (attendu : %(ok)s)."))

    def _set_priority(self, urgency: str, impact: str, priority: str) -> None:
        convention = self.convention_version.parsed()
        matrix = convention.matrix
        if matrix is not None and (urgency or impact):
            _one_of("urgency", urgency, matrix.urgencies, _("Urgence inconnue : %(v)s (attendu : %(ok)s)."))
            _one_of("impact", impact, matrix.impacts, _("Impact inconnu : %(v)s (attendu : %(ok)s)."))
            computed = matrix.priority(urgency, impact) or ""
            if priority and priority != computed:
                raise _field_error("priority", _("La priorité découle de la matrice urgence × "
                                                 "impact (%(p)s).") % {"p": computed})
            self.urgency, self.impact, self.priority = urgency, impact, computed
            return
        _one_of("priority", priority, [p.id for p in convention.priorities],
                _("Priorité inconnue : %(v)s (attendu : %(ok)s)."))
        self.priority = priority

    def _set_assignment(self, group: str, person: User | None) -> None:
        """Assign to a group and, or, a person of the holder's staff (never an auditor, a
        requester or the buyer side); a group named after its level (``N2_TME_LB``) raises the
        ticket's level to it: the level shown is the highest reached."""
        if person is not None and not members_of(self.contract, roles=ASSIGNEE.roles).filter(pk=person.pk).exists():
            raise _field_error("assignee", _("%(who)s ne fait pas partie des équipes du titulaire sur ce "
                                             "marché.") % {"who": person})
        if not group and person is None:
            raise _field_error("group", _("Indiquez un groupe ou un intervenant."))
        if group and not self.contract.is_holder_group(group):
            raise _field_error("group", _("« %(group)s » n’est pas un groupe du titulaire sur ce marché "
                                          "(groupes : %(known)s).")
                               % {"group": group, "known": ", ".join(self.contract.holder_groups)})
        self.assigned_group = group or self.assigned_group
        self.assignee = person
        reached = level_of_group(self.assigned_group)
        if reached is not None and reached > self.level:
            self.level = reached
        self.contract.note_group(self.assigned_group)


def _hours(minutes: int) -> str:
    """``90`` → ``1 h 30``, ``600`` → ``10 h``."""
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


_GROUP_LEVEL = re.compile(r"^(N[123])(?:[_\s-]|$)", re.IGNORECASE)


def level_of_group(group: str) -> str | None:
    """The support level a group's name starts with (``N1_TMS_SD`` → ``N1``, the naming of the
    water agencies' roles, seed 002 L1352-1380), if any."""
    found = _GROUP_LEVEL.match(group.strip())
    return found[1].upper() if found else None


class TicketEvent(AppendOnly):
    """One line of a ticket's history. Written once; never updated or deleted.

    The model refuses updates and deletes, and a database trigger refuses UPDATE statements
    (see migration ``0002_append_only_history``).
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_lazy("nature"), max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_lazy("auteur"))
    at = models.DateTimeField(_lazy("date"))
    state_from = models.CharField(max_length=20, blank=True, choices=TicketState.choices)
    state_to = models.CharField(max_length=20, blank=True, choices=TicketState.choices)
    internal = models.BooleanField(_lazy("interne"), default=False)
    payload = models.JSONField(default=dict, blank=True)
    # The contract's hash chain (jalon.tickets.history): rank, digest of the event before, own digest.
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, null=True, related_name="+",
                                 editable=False)
    seq = models.PositiveBigIntegerField(_lazy("rang dans la chaîne"), null=True, editable=False)
    previous = models.CharField(max_length=64, blank=True, editable=False)
    digest = models.CharField(_lazy("empreinte"), max_length=64, blank=True, editable=False)

    refused_change = "L’historique d’un ticket ne se modifie pas."
    refused_delete = "L’historique d’un ticket ne se supprime pas."

    objects: ClassVar[models.Manager[TicketEvent]] = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ("ticket", "at", "pk")
        verbose_name = _lazy("événement")
        verbose_name_plural = _lazy("historique")
        constraints = (
            models.UniqueConstraint(fields=["contract", "seq"], name="event_chain_rank"),
        )
        indexes = (
            models.Index(fields=["ticket", "at"]),
            # the dashboard's events of a kind within a period (closures, resolutions, reopenings)
            models.Index(fields=["kind", "at"], name="event_kind_at"),
        )

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"

    @property
    def data(self) -> EventData:
        """The payload, typed after the event's kind (:mod:`jalon.tickets.events`)."""
        return events.read(self.kind, self.payload)


class Comment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_lazy("commentaire"))
    internal = models.BooleanField(_lazy("interne"), default=False,
                                   help_text=_lazy("Invisible pour le demandeur."))
    created_at = models.DateTimeField(_lazy("écrit le"), default=clock.now)
    edited_at = models.DateTimeField(_lazy("modifié le"), null=True, blank=True, editable=False)

    _through_domain = False

    class Meta:
        ordering = ("created_at", "pk")
        verbose_name = _lazy("commentaire")
        verbose_name_plural = _lazy("commentaires")

    def __str__(self) -> str:
        return f"{self.author} — {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and not self._through_domain:
            raise TypeError("Un commentaire se modifie par Ticket.edit_comment, qui en garde la trace.")
        super().save(*args, **kwargs)


def attachment_path(instance: Attachment, filename: str) -> str:
    # A random name: the original one is kept in a field, never used as a path.
    return f"attachments/{instance.ticket.contract_id}/{instance.ticket_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="attachments")
    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="attachments")
    uploaded_by = models.ForeignKey(USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_lazy("nom du fichier"), max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField(_lazy("taille (octets)"))
    sha256 = models.CharField(max_length=64)
    internal = models.BooleanField(_lazy("interne"), default=False)
    uploaded_at = models.DateTimeField(_lazy("déposé le"), default=clock.now)

    class Meta:
        ordering = ("uploaded_at", "pk")
        verbose_name = _lazy("pièce jointe")
        verbose_name_plural = _lazy("pièces jointes")

    def __str__(self) -> str:
        return self.original_name

    @staticmethod
    def check_upload(upload: UploadedFile) -> None:
        limit = int(settings.JALON_ATTACHMENT_MAX_BYTES)
        if upload.size is None or upload.size > limit:
            raise _field_error("file", _("Fichier trop volumineux : %(size)s octets (maximum "
                                         "%(max)s).") % {"size": upload.size, "max": limit})
        suffix = PurePath(upload.name or "").suffix.lower().lstrip(".")
        allowed = [e.lower() for e in settings.JALON_ATTACHMENT_EXTENSIONS]
        if suffix not in allowed:
            raise _field_error("file", _("Type de fichier refusé : « %(ext)s » (acceptés : "
                                         "%(ok)s).") % {"ext": suffix or "—",
                                                       "ok": ", ".join(allowed)})

    @classmethod
    def store(cls, ticket: Ticket, actor: User, upload: UploadedFile, internal: bool,
              comment: Comment | None) -> Attachment:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        name = PurePath(upload.name or "fichier").name[:255]
        guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
        attachment = cls(ticket=ticket, comment=comment, uploaded_by=actor, original_name=name,
                         content_type=guessed, size=upload.size or 0,
                         sha256=digest.hexdigest(), internal=internal)
        attachment.file.save(name, upload, save=False)
        attachment.save()
        return attachment


class TimeEntryQuerySet(AppendOnlyQuerySet["TimeEntry"]):
    """The support-package ledger is append-only: no bulk update or delete."""

    def on_forfait(self, first_day: date, last_day: date) -> TimeEntryQuerySet:
        """The time charged to the support package between two days, both included: what the
        dashboard's consumption (``jalon.dashboard.figures.forfait``) and the monthly statement
        of seed 000 §7.2 count."""
        return self.filter(charged_to_forfait=True, spent_on__gte=first_day, spent_on__lte=last_day)

    def forfait_minutes(self, contract: Contract, first_day: date, last_day: date) -> int:
        """Minutes charged to ``contract``'s support package between two days, both included."""
        rows = self.filter(ticket__contract=contract).on_forfait(first_day, last_day)
        return int(rows.aggregate(total=models.Sum("minutes"))["total"] or 0)


class TimeEntry(AppendOnly):
    """Time spent on a ticket; charged to the support package (*forfait*) when asked and the
    convention makes the ticket's type chargeable. The rows charged to the package are its
    ledger: written once, never updated nor deleted (a database trigger refuses UPDATE); a
    mistake is corrected by a reversal and a replacement that reference the entry
    (:meth:`Ticket.correct_time`)."""

    class Kind(models.TextChoices):
        ENTRY = "entry", _lazy("Saisie")
        REVERSAL = "reversal", _lazy("Annulation")
        REPLACEMENT = "replacement", _lazy("Correction")

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="time_entries")
    person = models.ForeignKey(USER_MODEL, on_delete=models.PROTECT, related_name="+")
    spent_on = models.DateField(_lazy("date"))
    minutes = models.IntegerField(_lazy("durée (minutes)"))
    """Positive, except on a reversal, which negates the entry it corrects."""
    charged_to_forfait = models.BooleanField(_lazy("imputé au forfait"), default=True)
    note = models.CharField(_lazy("note"), max_length=250, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    kind = models.CharField(_lazy("nature"), max_length=12, choices=Kind.choices, default=Kind.ENTRY)
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="corrections", verbose_name=_lazy("corrige"))

    refused_change = "Une saisie de temps ne se modifie pas : corrigez-la par une nouvelle saisie."
    refused_delete = "Une saisie de temps ne se supprime pas : corrigez-la par une nouvelle saisie."

    objects: ClassVar[models.Manager[TimeEntry]] = TimeEntryQuerySet.as_manager()

    class Meta:
        ordering = ("spent_on", "pk")
        verbose_name = _lazy("temps passé")
        verbose_name_plural = _lazy("temps passés")
        indexes = (models.Index(fields=["spent_on"], name="timeentry_spent_on"),)  # forfait figures
        constraints = (
            # an entry is reversed once: two holders correcting it at once cannot both succeed
            models.UniqueConstraint(fields=["corrects"], condition=models.Q(kind="reversal"),
                                    name="timeentry_reversed_once"),
            models.CheckConstraint(
                condition=(models.Q(kind="entry", corrects__isnull=True, minutes__gt=0)
                           | models.Q(kind="reversal", corrects__isnull=False, minutes__lt=0)
                           | models.Q(kind="replacement", corrects__isnull=False, minutes__gt=0)),
                name="timeentry_kind_sign"),
        )

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.minutes} min le {self.spent_on}"



ClockQuerySet = commitments.ClockQuerySet["Clock"]


class Clock(commitments.AbstractClock):
    """Where one contractual delay of a ticket stands (derived: recomputed from the history)."""

    owner_field = "ticket"
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="clocks")

    objects: ClassVar[models.Manager[Clock]] = ClockQuerySet.as_manager()

    class Meta:
        ordering = ("ticket", "kind")
        verbose_name = _lazy("délai contractuel")
        verbose_name_plural = _lazy("délais contractuels")
        constraints = (models.UniqueConstraint(fields=["ticket", "kind"], name="clock_unique"),)
        indexes = (
            # running clocks by due instant: the warning and breach scan (jalon.messaging.clockwatch);
            # the lists and the dashboard ask the ticket's own summary (Ticket.due_at, …) instead
            commitments.running_due_index("clock_running_due"),
            # clocks stopped within a period (the dashboard's delay compliance)
            models.Index(fields=["stopped_at"], name="clock_stopped"),
        )

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"

    @classmethod
    def store(cls, ticket: Ticket, state: clockwork.ClockState, now: datetime, *,
              row: Clock | None = None) -> Clock:
        """Write ``state`` into the ticket's row for that clock (``row``, when the caller has
        already read it), creating it if needed."""
        clock = row or cls.objects.filter(ticket=ticket, kind=state.kind).first() or cls(
            ticket=ticket, kind=state.kind)
        clock.record(state, now)
        clock.save()
        return clock


class InterventionReport(models.Model):
    """Intervention report of an urgent intervention (seed 000 §7.3.3, annex A.3)."""

    TEXT_FIELDS: ClassVar[tuple[str, ...]] = (
        "context", "diagnosis", "tests", "solution", "recommendations")

    ticket = models.OneToOneField(Ticket, on_delete=models.PROTECT,
                                  related_name="intervention_report")
    context = models.TextField(_lazy("contexte"))
    diagnosis = models.TextField(_lazy("diagnostic et cause racine"))
    tests = models.TextField(_lazy("tests réalisés"))
    solution = models.TextField(_lazy("solution mise en œuvre"))
    status = models.CharField(_lazy("statut"), max_length=20, choices=ResolutionKind.choices)
    recommendations = models.TextField(_lazy("recommandations"), blank=True)
    author = models.ForeignKey(USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _lazy("rapport d’intervention")
        verbose_name_plural = _lazy("rapports d’intervention")

    def __str__(self) -> str:
        return f"Rapport {self.ticket_id}"

    def as_payload(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in (*self.TEXT_FIELDS, "status")}


class ChainHeadQuerySet(AppendOnlyQuerySet["ChainHead"]):
    pass


class ChainHead(AppendOnly):
    """The head of a contract's hash chain at the end of one day (jalon.tickets.history),
    published so that both parties can keep a copy. Append-only like the history."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_lazy("marché"))
    day = models.DateField(_lazy("jour"))
    seq = models.PositiveBigIntegerField(_lazy("rang du dernier événement"))
    digest = models.CharField(_lazy("empreinte"), max_length=64)
    published_at = models.DateTimeField(_lazy("publiée le"), default=clock.now)

    refused_change = "Une empreinte publiée ne se modifie pas."
    refused_delete = "Une empreinte publiée ne se supprime pas."

    objects: ClassVar[models.Manager[ChainHead]] = ChainHeadQuerySet.as_manager()

    class Meta:
        ordering = ("contract", "-day")
        verbose_name = _lazy("empreinte quotidienne de l’historique")
        verbose_name_plural = _lazy("empreintes quotidiennes de l’historique")
        constraints = (models.UniqueConstraint(fields=["contract", "day"], name="chain_head_day"),)

    def __str__(self) -> str:
        return f"{self.contract_id} {self.day} #{self.seq} {self.digest[:12]}"


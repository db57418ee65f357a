"""Tickets, their append-only history, comments, attachments, time spent, clocks and reports.

Every change to a ticket goes through one domain method (``open``, ``qualify``, ``assign``…).
Each one locks the ticket row, checks the actor's role and the current state, writes one
:class:`TicketEvent`, then recomputes the clocks from the whole history.
"""

from __future__ import annotations

import hashlib
import mimetypes
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from pathlib import PurePath
from typing import Any, ClassVar, Protocol, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jalon.accounts import access
from jalon.accounts.access import Need
from jalon.contracts.models import Contract, ConventionVersion
from jalon.conventions.model import ClockDef, Convention
from jalon.lib import clock
from jalon.tickets import clocks as clockwork

User = settings.AUTH_USER_MODEL


class TicketState(models.TextChoices):
    NEW = "new", _lazy("Nouveau")
    QUALIFYING = "qualifying", _lazy("En qualification")
    ASSIGNED = "assigned", _lazy("Affecté")
    IN_PROGRESS = "in_progress", _lazy("En cours")
    WAITING = "waiting", _lazy("En attente")
    RESOLVED = "resolved", _lazy("Résolu")
    CLOSED = "closed", _lazy("Clos")


class Criticality(models.TextChoices):
    BLOQUANT = "bloquant", _lazy("Bloquant")
    MAJEUR = "majeur", _lazy("Majeur")
    MINEUR = "mineur", _lazy("Mineur")


class ResolutionKind(models.TextChoices):
    DEFINITIVE = "definitive", _lazy("Définitive")
    WORKAROUND = "workaround", _lazy("Contournement")


class WaitReason(models.TextChoices):
    REQUESTER = "requester", _lazy("En attente du demandeur")
    THIRD_PARTY = "third_party", _lazy("En attente d’un tiers")


class SupportLevel(models.TextChoices):
    N1 = "N1", _lazy("Niveau 1")
    N2 = "N2", _lazy("Niveau 2")
    N3 = "N3", _lazy("Niveau 3")


class EventKind(models.TextChoices):
    OPENED = "opened", _lazy("Ouverture")
    QUALIFIED = "qualified", _lazy("Qualification")
    ASSIGNED = "assigned", _lazy("Affectation")
    ESCALATED = "escalated", _lazy("Escalade")
    WORK_STARTED = "work_started", _lazy("Début du traitement")
    WAITING = "waiting", _lazy("Mise en attente")
    RESUMED = "resumed", _lazy("Reprise")
    RESOLVED = "resolved", _lazy("Résolution")
    CLOSED = "closed", _lazy("Clôture")
    REOPENED = "reopened", _lazy("Réouverture")
    COMMENTED = "commented", _lazy("Commentaire")
    ATTACHMENT_ADDED = "attachment_added", _lazy("Pièce jointe")
    PHONE_CALL = "phone_call", _lazy("Appel téléphonique")
    TIME_LOGGED = "time_logged", _lazy("Temps passé")
    REPORT_WRITTEN = "report_written", _lazy("Rapport d’intervention")
    EDITED = "edited", _lazy("Modification")


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
ACTIVE_STATES = (S.QUALIFYING, S.ASSIGNED, S.IN_PROGRESS, S.WAITING)


class InvalidTransition(ValidationError):
    """The ticket's current state does not allow this action."""


def _field_error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


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
    requester = models.ForeignKey(User, on_delete=models.PROTECT, related_name="requested_tickets",
                                  verbose_name=_lazy("demandeur"))
    site = models.CharField(_lazy("site"), max_length=120, blank=True)
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
    level = models.CharField(_lazy("niveau"), max_length=2, choices=SupportLevel.choices,
                             default=SupportLevel.N1)
    assigned_group = models.CharField(_lazy("groupe affecté"), max_length=120, blank=True)
    assignee = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="assigned_tickets", verbose_name=_lazy("intervenant"))
    is_urgent = models.BooleanField(_lazy("urgent"), default=False)
    phone_call_at = models.DateTimeField(_lazy("appel téléphonique reçu le"), null=True, blank=True)
    opened_at = models.DateTimeField(_lazy("ouvert le"))
    resolved_at = models.DateTimeField(_lazy("résolu le"), null=True, blank=True)
    closed_at = models.DateTimeField(_lazy("clos le"), null=True, blank=True)
    updated_at = models.DateTimeField(_lazy("modifié le"), auto_now=True)
    # Where the ticket's clocks stand, summed up on the ticket at each recomputation
    # (:meth:`recompute_clocks`) so that the list, the API and the dashboard filter and sort on
    # the ticket row alone: live answers compare these instants with now (jalon.dashboard.clocks).
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
            models.Index(fields=["contract", "opened_at"], condition=~Q(state__in=[S.RESOLVED, S.CLOSED]),
                         name="ticket_open_opened"),
            # the same by priority: "open and major", the commonest filter, counted and paged
            # from the index alone where the one above read and discarded two tickets in three
            models.Index(fields=["contract", "priority", "opened_at"],
                         condition=~Q(state__in=[S.RESOLVED, S.CLOSED]), name="ticket_open_priority"),
            # open tickets by last change: what a client of the API that keeps another tool in
            # step asks (sort=-updated_at), and the list's sort by update
            models.Index(fields=["contract", "updated_at"], condition=~Q(state__in=[S.RESOLVED, S.CLOSED]),
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
        )

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    @property
    def reference(self) -> str:
        return f"{self.contract.reference}-{self.number}"

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls, contract: Contract, *, actor: Any, type: str, title: str, description: str = "",
        requester: Any = None, site: str = "", lot: str = "", urgency: str = "",
        impact: str = "", is_urgent: bool = False, phone_call_at: datetime | None = None,
    ) -> Ticket:
        """Declare a request on ``contract`` under its current convention, for ``actor`` or, when
        level 1 or the buyer manager declares it, on behalf of another member (``requester``)."""
        access.require(actor, contract, Need.OPEN)
        requester = cls._requester_for(contract, actor, requester)
        version = contract.current_convention()
        if version is None:
            raise _field_error("contract", _("Aucune convention de service n’est chargée pour "
                                             "le marché %(ref)s.") % {"ref": contract.reference})
        now = clock.now()
        ticket = cls(contract=contract, convention_version=version, type=type, title=title.strip(),
                     description=description, requester=requester, site=site, lot=lot,
                     is_urgent=is_urgent, opened_at=now)
        ticket._check_type(type)
        ticket._check_lot(lot)
        if not ticket.title:
            raise _field_error("title", _("L’objet du ticket est obligatoire."))
        if urgency or impact:
            ticket._set_priority(urgency, impact, "")
        with transaction.atomic():
            Contract.objects.select_for_update().filter(pk=contract.pk).first()
            last = cls.objects.filter(contract=contract).aggregate(n=Max("number"))["n"]
            ticket.number = (last or 0) + 1
            ticket.save()
            ticket._record(EventKind.OPENED, actor, now, "", S.NEW, {
                "type": type, "title": ticket.title, "urgency": ticket.urgency,
                "impact": ticket.impact, "priority": ticket.priority, "is_urgent": is_urgent,
                **({"requester": requester.pk} if requester.pk != actor.pk else {}),
            })
            if phone_call_at is not None:
                ticket._log_call(actor, now, phone_call_at, "")
            ticket.recompute_clocks(now)
        return ticket

    @staticmethod
    def _requester_for(contract: Contract, actor: Any, requester: Any) -> Any:
        """Whom the request is for: ``actor``, or a member declared on behalf by level 1 or the
        buyer manager."""
        if requester is None or requester.pk == actor.pk:
            return actor
        if not access.may(actor, contract, Need.OPEN_ON_BEHALF):
            raise access.NotAllowed(_("Votre rôle sur ce marché ne permet pas de déclarer une "
                                      "demande pour quelqu’un d’autre."))
        if not access.roles_on(requester, contract):
            raise _field_error("requester", _("%(who)s n’a pas de rôle sur le marché %(ref)s.")
                               % {"who": requester, "ref": contract.reference})
        return requester

    # -- rewording ---------------------------------------------------------------------------

    def reword(self, actor: Any, *, title: str | None = None,
               description: str | None = None) -> TicketEvent:
        """Change the title or description; the history keeps both versions.

        The buyer side (level 1, buyer manager) rewords until the ticket is closed; the requester
        rewords their own request while it is new, before level 1 has qualified it.
        """
        if title is not None:
            title = title.strip()
            if not title:
                raise _field_error("title", _("L’objet du ticket est obligatoire."))
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
            event = locked._record(EventKind.EDITED, actor, clock.now(), "", "",
                                   {"before": before, "after": after})
        self.refresh_from_db()
        return event

    def _check_may_reword(self, actor: Any) -> None:
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

    # -- transitions -------------------------------------------------------------------------

    def qualify(
        self, actor: Any, *, type: str = "", urgency: str = "", impact: str = "",
        priority: str = "", criticality: str = "",
    ) -> TicketEvent:
        """Level 1 qualifies: type, urgency × impact → priority, *criticité*."""

        def change(t: Ticket) -> dict[str, Any]:
            if type:
                t._check_type(type)
                t.type = type
            if urgency or impact or priority:
                t._set_priority(urgency or t.urgency, impact or t.impact, priority)
            if criticality:
                if criticality not in Criticality.values:
                    raise _field_error("criticality", _("Criticité inconnue : %(v)s (attendu : "
                                       "%(ok)s).") % {"v": criticality,
                                                     "ok": ", ".join(Criticality.values)})
                t.criticality = criticality
            if t.state == S.NEW:
                t.state = S.QUALIFYING
            return {"type": t.type, "urgency": t.urgency, "impact": t.impact,
                    "priority": t.priority, "criticality": t.criticality}

        return self._transition(actor, Need.QUALIFY, EventKind.QUALIFIED,
                                (S.NEW, *ACTIVE_STATES), change)

    def assign(self, actor: Any, *, group: str = "", person: Any = None) -> TicketEvent:
        def change(t: Ticket) -> dict[str, Any]:
            if not t.priority:
                raise _field_error("priority", _("Le ticket doit être qualifié (priorité) avant "
                                                 "d’être affecté."))
            t._set_assignment(group, person)
            t.state = S.ASSIGNED
            return {"group": t.assigned_group, "assignee": t.assignee_id}

        return self._transition(actor, Need.ASSIGN, EventKind.ASSIGNED, ACTIVE_STATES, change)

    def escalate(self, actor: Any, *, level: str, group: str = "", person: Any = None
                 ) -> TicketEvent:
        def change(t: Ticket) -> dict[str, Any]:
            if level not in SupportLevel.values or level <= t.level:
                raise _field_error("level", _("Le niveau d’escalade doit être supérieur au niveau "
                                              "actuel (%(level)s).") % {"level": t.level})
            before = t.level
            t.level = level
            t._set_assignment(group, person)
            t.state = S.ASSIGNED
            return {"from_level": before, "level": level, "group": t.assigned_group,
                    "assignee": t.assignee_id}

        return self._transition(actor, Need.ESCALATE, EventKind.ESCALATED,
                                (S.ASSIGNED, S.IN_PROGRESS, S.WAITING), change)

    def start_work(self, actor: Any) -> TicketEvent:
        def change(t: Ticket) -> dict[str, Any]:
            t.assignee = t.assignee or actor
            t.state = S.IN_PROGRESS
            return {"assignee": t.assignee_id}

        return self._transition(actor, Need.WORK, EventKind.WORK_STARTED, (S.ASSIGNED,), change)

    def wait(self, actor: Any, reason: str, note: str = "") -> TicketEvent:
        def change(t: Ticket) -> dict[str, Any]:
            if reason not in WaitReason.values:
                raise _field_error("reason", _("Motif d’attente inconnu : %(v)s (attendu : "
                                   "%(ok)s).") % {"v": reason, "ok": ", ".join(WaitReason.values)})
            t.wait_reason = reason
            t.state = S.WAITING
            return {"reason": reason, "note": note}

        return self._transition(actor, Need.WORK, EventKind.WAITING,
                                (S.ASSIGNED, S.IN_PROGRESS), change)

    def resume(self, actor: Any, note: str = "") -> TicketEvent:
        def change(t: Ticket) -> dict[str, Any]:
            t.wait_reason = ""
            t.state = S.IN_PROGRESS
            return {"note": note}

        return self._transition(actor, Need.WORK, EventKind.RESUMED, (S.WAITING,), change)

    def resolve(self, actor: Any, kind: str, note: str = "") -> TicketEvent:
        def change(t: Ticket) -> dict[str, Any]:
            if kind not in ResolutionKind.values:
                raise _field_error("kind", _("Nature de résolution inconnue : %(v)s (attendu : "
                                   "%(ok)s).") % {"v": kind, "ok": ", ".join(ResolutionKind.values)})
            t.resolution_kind, t.wait_reason = kind, ""
            t.resolved_at = clock.now()
            t.state = S.RESOLVED
            return {"kind": kind, "note": note}

        return self._transition(actor, Need.RESOLVE, EventKind.RESOLVED, ACTIVE_STATES, change)

    def close(self, actor: Any, note: str = "") -> TicketEvent:
        def change(t: Ticket) -> dict[str, Any]:
            t.closed_at = clock.now()
            t.state = S.CLOSED
            return {"note": note}

        return self._transition(actor, Need.CLOSE, EventKind.CLOSED, (S.RESOLVED,), change)

    def reopen(self, actor: Any, reason: str) -> TicketEvent:
        def change(t: Ticket) -> dict[str, Any]:
            if not reason.strip():
                raise _field_error("reason", _("Indiquez pourquoi le ticket est rouvert."))
            t.reopen_count += 1
            t.resolved_at = t.closed_at = None
            t.resolution_kind = ""
            t.state = S.ASSIGNED if (t.assignee_id or t.assigned_group) else S.QUALIFYING
            return {"reason": reason, "reopen_count": t.reopen_count}

        return self._transition(actor, Need.REOPEN, EventKind.REOPENED,
                                (S.RESOLVED, S.CLOSED), change)

    def log_phone_call(self, actor: Any, called_at: datetime, note: str = "") -> TicketEvent:
        """Trace the urgent channel's phone call (ticket + call, seed 000 §7.1.5)."""

        def change(t: Ticket) -> dict[str, Any]:
            t.phone_call_at = t.phone_call_at or called_at
            return {"called_at": called_at.isoformat(), "note": note}

        return self._transition(actor, Need.OPEN, EventKind.PHONE_CALL, (), change)

    # -- attached records --------------------------------------------------------------------

    def add_comment(self, actor: Any, body: str, *, internal: bool = False) -> Comment:
        if not body.strip():
            raise _field_error("body", _("Le commentaire est vide."))
        need = Need.COMMENT_INTERNAL if internal else Need.COMMENT
        with transaction.atomic():
            locked = self._locked(actor, need)
            comment = Comment.objects.create(ticket=locked, author=actor, body=body,
                                             internal=internal)
            locked._record(EventKind.COMMENTED, actor, comment.created_at, "", "",
                           {"comment": comment.pk}, internal=internal)
        return comment

    def add_attachment(self, actor: Any, upload: UploadedFile, *, internal: bool = False,
                       comment: Comment | None = None) -> Attachment:
        Attachment.check_upload(upload)
        with transaction.atomic():
            locked = self._locked(actor, Need.COMMENT_INTERNAL if internal else Need.COMMENT)
            attachment = Attachment.store(locked, actor, upload, internal, comment)
            locked._record(EventKind.ATTACHMENT_ADDED, actor, attachment.uploaded_at, "", "",
                           {"attachment": attachment.pk, "name": attachment.original_name,
                            "size": attachment.size, "sha256": attachment.sha256},
                           internal=internal)
        return attachment

    def log_time(self, actor: Any, *, minutes: int, spent_on: date, note: str = "",
                 charged_to_forfait: bool = True) -> TimeEntry:
        if minutes <= 0:
            raise _field_error("minutes", _("Le temps passé doit être un nombre de minutes "
                                            "positif."))
        with transaction.atomic():
            locked = self._locked(actor, Need.LOG_TIME)
            entry = TimeEntry.objects.create(ticket=locked, person=actor, minutes=minutes,
                                             spent_on=spent_on, note=note,
                                             charged_to_forfait=charged_to_forfait)
            locked._record(EventKind.TIME_LOGGED, actor, clock.now(), "", "", {
                "entry": entry.pk, "minutes": minutes, "spent_on": spent_on.isoformat(),
                "forfait": charged_to_forfait}, internal=True)
        return entry

    def write_intervention_report(self, actor: Any, **fields: str) -> InterventionReport:
        """Write or update the intervention report (seed 000 §7.3.3, annex A.3)."""
        with transaction.atomic():
            locked = self._locked(actor, Need.WRITE_REPORT)
            report = InterventionReport.objects.filter(ticket=locked).first()
            report = report or InterventionReport(ticket=locked)
            for name in InterventionReport.TEXT_FIELDS:
                setattr(report, name, fields.pop(name, getattr(report, name)))
            report.status = fields.pop("status", report.status)
            if fields:
                raise _field_error(next(iter(fields)), _("Champ inconnu du rapport "
                                                         "d’intervention."))
            report.author = actor
            report.full_clean(exclude=["ticket"])
            report.save()
            locked._record(EventKind.REPORT_WRITTEN, actor, clock.now(), "", "",
                           report.as_payload())
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
        """Some running clock is over its target (``jalon.dashboard.clocks.overdue``)."""
        return self.due_at is not None and self.due_at < now

    def is_at_risk(self, now: datetime) -> bool:
        """Past the warning of a running clock, not overdue (``jalon.dashboard.clocks.at_risk``)."""
        return self.risk_at is not None and self.due_at is not None and self.risk_at <= now <= self.due_at

    def is_late(self, now: datetime) -> bool:
        """Overdue, or over a target at the last computation (``jalon.dashboard.clocks.late``)."""
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
        (:mod:`jalon.web.clockview`). :data:`jalon.tickets.clocksummary.LIST_CLOCK_SQL` says the
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

    def _transition(
        self, actor: Any, need: Need, kind: EventKind, allowed: tuple[TicketState, ...],
        change: Callable[[Ticket], dict[str, Any]],
    ) -> TicketEvent:
        now = clock.now()
        with transaction.atomic():
            locked = self._locked(actor, need)
            before = locked.state
            if allowed and before not in allowed:
                raise InvalidTransition(_("Action « %(action)s » impossible : le ticket %(ref)s est "
                                          "« %(state)s »."), params={
                    "action": kind.label, "ref": locked.reference,
                    "state": locked.get_state_display()})
            payload = change(locked)
            locked.save()
            moved = locked.state != before
            event = locked._record(kind, actor, now, before if moved else "",
                                   locked.state if moved else "", payload)
            locked.recompute_clocks(now)
        self.refresh_from_db()
        return event

    def _locked(self, actor: Any, need: Need) -> Ticket:
        """This ticket's row, locked until the end of the transaction (no-op on SQLite)."""
        locked = Ticket.objects.select_for_update().select_related("contract").get(pk=self.pk)
        if actor is not None:
            access.require(actor, locked.contract, need)
            if not access.tickets_for(actor, locked.contract).filter(pk=locked.pk).exists():
                raise access.NotAllowed(_("Ce ticket n’est pas visible pour vous."))
        return locked

    def _record(self, kind: EventKind, actor: Any, at: datetime, before: str, after: str,
                payload: dict[str, Any], *, internal: bool = False) -> TicketEvent:
        return TicketEvent.objects.create(
            ticket=self, kind=kind, actor=actor if actor is not None else None, at=at,
            state_from=before, state_to=after, payload=payload, internal=internal,
        )

    def _log_call(self, actor: Any, now: datetime, called_at: datetime, note: str) -> None:
        self.phone_call_at = called_at
        self.save(update_fields=["phone_call_at"])
        self._record(EventKind.PHONE_CALL, actor, now, "", "",
                     {"called_at": called_at.isoformat(), "note": note})

    def _check_type(self, type: str) -> None:
        types = self.convention_version.parsed().types
        if types and type not in types:
            raise _field_error("type", _("Type de ticket inconnu de la convention : %(v)s "
                                         "(attendu : %(ok)s).") % {"v": type, "ok": ", ".join(types)})

    def _check_lot(self, lot: str) -> None:
        lots = self.convention_version.parsed().contract.lots
        if lot and lots and lot not in lots:
            raise _field_error("lot", _("Lot inconnu : %(v)s (attendu : %(ok)s).")
                               % {"v": lot, "ok": ", ".join(lots)})

    def _set_priority(self, urgency: str, impact: str, priority: str) -> None:
        convention = self.convention_version.parsed()
        matrix = convention.matrix
        if matrix is not None and (urgency or impact):
            if urgency not in matrix.urgencies:
                raise _field_error("urgency", _("Urgence inconnue : %(v)s (attendu : %(ok)s).")
                                   % {"v": urgency, "ok": ", ".join(matrix.urgencies)})
            if impact not in matrix.impacts:
                raise _field_error("impact", _("Impact inconnu : %(v)s (attendu : %(ok)s).")
                                   % {"v": impact, "ok": ", ".join(matrix.impacts)})
            computed = matrix.priority(urgency, impact) or ""
            if priority and priority != computed:
                raise _field_error("priority", _("La priorité découle de la matrice urgence × "
                                                 "impact (%(p)s).") % {"p": computed})
            self.urgency, self.impact, self.priority = urgency, impact, computed
            return
        known = [p.id for p in convention.priorities]
        if priority not in known:
            raise _field_error("priority", _("Priorité inconnue : %(v)s (attendu : %(ok)s).")
                               % {"v": priority or "—", "ok": ", ".join(known)})
        self.priority = priority

    def _set_assignment(self, group: str, person: Any) -> None:
        if person is not None and not access.roles_on(person, self.contract):
            raise _field_error("assignee", _("%(who)s n’a pas de rôle sur ce marché.")
                               % {"who": person})
        if not group and person is None:
            raise _field_error("group", _("Indiquez un groupe ou un intervenant."))
        self.assigned_group = group or self.assigned_group
        self.assignee = person
        self.contract.note_group(self.assigned_group)


def warn_ratio(definition: ClockDef, convention: Convention | None = None) -> float:
    """Share of the target at which a clock is *at risk*: the convention's ``warn_ratio`` (seed
    002 L2580: 80 %), or ``JALON_CLOCK_WARN_RATIO`` when the convention is silent."""
    if definition.warn_ratio is not None:
        return definition.warn_ratio
    return float(settings.JALON_CLOCK_WARN_RATIO)


class AppendOnlyQuerySet(models.QuerySet["TicketEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("L’historique d’un ticket ne se modifie pas.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("L’historique d’un ticket ne se supprime pas.")


class TicketEvent(models.Model):
    """One line of a ticket's history. Written once; never updated or deleted.

    The model refuses updates and deletes, and a database trigger refuses UPDATE statements
    (see migration ``0002_append_only_history``).
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_lazy("nature"), max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_lazy("auteur"))
    at = models.DateTimeField(_lazy("date"))
    state_from = models.CharField(max_length=20, blank=True, choices=TicketState.choices)
    state_to = models.CharField(max_length=20, blank=True, choices=TicketState.choices)
    internal = models.BooleanField(_lazy("interne"), default=False)
    payload = models.JSONField(default=dict, blank=True)

    objects: ClassVar[models.Manager[TicketEvent]] = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ("ticket", "at", "pk")
        verbose_name = _lazy("événement")
        verbose_name_plural = _lazy("historique")
        indexes = (
            models.Index(fields=["ticket", "at"]),
            # the dashboard's events of a kind within a period (closures, resolutions, reopenings)
            models.Index(fields=["kind", "at"], name="event_kind_at"),
        )

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("L’historique d’un ticket ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("L’historique d’un ticket ne se supprime pas.")


class Comment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_lazy("commentaire"))
    internal = models.BooleanField(_lazy("interne"), default=False,
                                   help_text=_lazy("Invisible pour le demandeur."))
    created_at = models.DateTimeField(_lazy("écrit le"), default=clock.now)

    class Meta:
        ordering = ("created_at", "pk")
        verbose_name = _lazy("commentaire")
        verbose_name_plural = _lazy("commentaires")

    def __str__(self) -> str:
        return f"{self.author} — {self.created_at:%Y-%m-%d %H:%M}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # A random name: the original one is kept in a field, never used as a path.
    return f"attachments/{instance.ticket.contract_id}/{instance.ticket_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="attachments")
    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="attachments")
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
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
    def store(cls, ticket: Ticket, actor: Any, upload: UploadedFile, internal: bool,
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


class TimeEntryQuerySet(models.QuerySet["TimeEntry"]):
    def forfait_minutes(self, contract: Contract, first_day: date, last_day: date) -> int:
        """Minutes charged to ``contract``'s support package between two days, both included
        (the monthly statement and the early warning of seed 000 §7.2 are built on it)."""
        rows = self.filter(ticket__contract=contract, charged_to_forfait=True,
                           spent_on__gte=first_day, spent_on__lte=last_day)
        return int(rows.aggregate(total=models.Sum("minutes"))["total"] or 0)


class TimeEntry(models.Model):
    """Time spent on a ticket; charged to the support package (*forfait*) unless said not."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="time_entries")
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    spent_on = models.DateField(_lazy("date"))
    minutes = models.PositiveIntegerField(_lazy("durée (minutes)"))
    charged_to_forfait = models.BooleanField(_lazy("imputé au forfait"), default=True)
    note = models.CharField(_lazy("note"), max_length=250, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    objects: ClassVar[models.Manager[TimeEntry]] = TimeEntryQuerySet.as_manager()

    class Meta:
        ordering = ("spent_on", "pk")
        verbose_name = _lazy("temps passé")
        verbose_name_plural = _lazy("temps passés")
        indexes = (models.Index(fields=["spent_on"], name="timeentry_spent_on"),)  # forfait figures

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.minutes} min le {self.spent_on}"


class ClockQuerySet(models.QuerySet["Clock"]):
    def running(self) -> ClockQuerySet:
        return self.filter(started_at__isnull=False, stopped_at__isnull=True,
                           due_at__isnull=False)

    def to_warn_before(self, now: datetime) -> ClockQuerySet:
        """Running clocks past their warning instant and not yet warned about."""
        return self.running().filter(risk_at__lte=now, warned_at__isnull=True)

    def breaching_before(self, now: datetime) -> ClockQuerySet:
        """Running clocks past their due instant whose breach is not yet notified."""
        return self.running().filter(due_at__lt=now, breach_notified_at__isnull=True)


class Clock(models.Model):
    """Where one contractual delay of a ticket stands (derived: recomputed from the history)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="clocks")
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

    objects: ClassVar[models.Manager[Clock]] = ClockQuerySet.as_manager()

    class Meta:
        ordering = ("ticket", "kind")
        verbose_name = _lazy("délai contractuel")
        verbose_name_plural = _lazy("délais contractuels")
        constraints = (models.UniqueConstraint(fields=["ticket", "kind"], name="clock_unique"),)
        indexes = (
            # running clocks by due instant: the warning and breach scan (jalon.messaging.clockwatch);
            # the lists and the dashboard ask the ticket's own summary (Ticket.due_at, …) instead
            models.Index(fields=["due_at"], condition=Q(started_at__isnull=False, stopped_at__isnull=True),
                         name="clock_running_due"),
            # clocks stopped within a period (the dashboard's delay compliance)
            models.Index(fields=["stopped_at"], name="clock_stopped"),
        )

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"

    @property
    def is_paused(self) -> bool:
        return bool(self.paused_intervals) and self.paused_intervals[-1][1] is None

    @classmethod
    def store(cls, ticket: Ticket, state: clockwork.ClockState, now: datetime, *,
              row: Clock | None = None) -> Clock:
        """Write ``state`` into the ticket's row for that clock (``row``, when the caller has
        already read it), creating it if needed."""
        clock = row or cls.objects.filter(ticket=ticket, kind=state.kind).first() or cls(
            ticket=ticket, kind=state.kind)
        clock.label, clock.calendar_name = state.label, state.calendar
        clock.target_seconds, clock.started_at = state.target_seconds, state.started_at
        clock.paused_intervals = [[a.isoformat(), b.isoformat() if b else None]
                                  for a, b in state.pauses]
        clock.stopped_at, clock.elapsed_seconds = state.stopped_at, state.elapsed_seconds
        clock.due_at, clock.risk_at = state.due_at, state.risk_at
        clock.at_risk, clock.breached = state.at_risk, state.breached
        # A requalification can take a clock back out of danger: warn again if it comes back.
        clock.warned_at = clock.warned_at if state.at_risk else None
        clock.breach_notified_at = clock.breach_notified_at if state.breached else None
        clock.computed_at = now
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
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _lazy("rapport d’intervention")
        verbose_name_plural = _lazy("rapports d’intervention")

    def __str__(self) -> str:
        return f"Rapport {self.ticket_id}"

    def as_payload(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in (*self.TEXT_FIELDS, "status")}

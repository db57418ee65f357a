"""Committees' meetings, their minutes, decisions, actions, risks and escalations.

Every change to a meeting goes through one domain method of :class:`Meeting`: it locks the row,
checks need and state from the workflow table (:mod:`jalon.governance.workflow`), changes the
meeting, writes one :class:`MeetingEvent` with a typed payload and recomputes its clocks (agenda
due, minutes due, tacit validation). Committees themselves are declared in the convention
(``committees:``); a meeting names its committee by id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jalon.accounts import access
from jalon.accounts.access import Need
from jalon.businesstime import Calendar
from jalon.commitments import chain
from jalon.commitments import models as commitments
from jalon.commitments.history import AppendOnly, AppendOnlyQuerySet
from jalon.commitments.state import ClockState
from jalon.contracts import instants
from jalon.contracts.models import Contract, ConventionVersion
from jalon.conventions.calendars import build_calendar
from jalon.conventions.model import Committee, Convention
from jalon.governance import deadlines, events, record_events
from jalon.governance.events import EventData, EventKind
from jalon.governance.queries import (
    ActionQuerySet,
    DecisionQuerySet,
    EscalationQuerySet,
    MeetingQuerySet,
    RiskQuerySet,
)
from jalon.governance.record_events import RecordEventData, RecordEventKind
from jalon.governance.workflow import (
    ActionDomain,
    ActionStatus,
    EscalationKind,
    MeetingState,
    MinutesState,
    RiskKind,
    RiskStatus,
    Step,
    SubjectKind,
    step,
)
from jalon.lib import clock

USER_MODEL = settings.AUTH_USER_MODEL


def field_error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


class ClockKind(models.TextChoices):
    AGENDA = "agenda", _lazy("Envoi de l’ordre du jour")
    MINUTES = "minutes", _lazy("Envoi du relevé de décisions")
    TACIT = "tacit", _lazy("Validation tacite du relevé")


WARN_BEFORE = {ClockKind.AGENDA: timedelta(days=1), ClockKind.MINUTES: timedelta(days=1),
               ClockKind.TACIT: timedelta(days=2)}
"""How long before its due instant a clock warns (the "due" and "tacit validation coming"
notices of the clock scan)."""


class Meeting(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="meetings",
                                 verbose_name=_lazy("marché"))
    convention_version = models.ForeignKey(ConventionVersion, on_delete=models.PROTECT, related_name="+")
    committee = models.CharField(_lazy("comité"), max_length=60)
    """The committee's id in the convention (``committees[].id``)."""
    committee_label = models.CharField(_lazy("intitulé du comité"), max_length=200)
    slot = models.DateTimeField(_lazy("créneau prévu"))
    """The nominal instant of the committee's rhythm (kept when the meeting is moved)."""
    starts_at = models.DateTimeField(_lazy("début"))
    ends_at = models.DateTimeField(_lazy("fin"))
    status = models.CharField(_lazy("statut"), max_length=20, choices=MeetingState.choices,
                              default=MeetingState.SCHEDULED)
    cancel_reason = models.TextField(_lazy("motif d’annulation"), blank=True)
    agenda = models.TextField(_lazy("ordre du jour"), blank=True)
    agenda_sent_at = models.DateTimeField(_lazy("ordre du jour envoyé le"), null=True, blank=True)
    present = models.JSONField(_lazy("présents"), default=list, blank=True)
    excused = models.JSONField(_lazy("excusés"), default=list, blank=True)
    minutes_state = models.CharField(_lazy("relevé de décisions"), max_length=20, choices=MinutesState.choices,
                                     default=MinutesState.NONE, blank=True)
    minutes_text = models.TextField(_lazy("relevé de décisions"), blank=True)
    minutes_first_sent_at = models.DateTimeField(_lazy("relevé envoyé le"), null=True, blank=True)
    minutes_sent_at = models.DateTimeField(_lazy("dernier envoi du relevé"), null=True, blank=True)
    minutes_sendings = models.PositiveIntegerField(default=0)
    remarks_at = models.DateTimeField(null=True, blank=True)
    minutes_validated_at = models.DateTimeField(_lazy("relevé validé le"), null=True, blank=True)
    minutes_validated_by = models.ForeignKey(USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                             related_name="+")
    minutes_archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ("starts_at", "pk")
        verbose_name = _lazy("réunion de comité")
        verbose_name_plural = _lazy("réunions de comité")
        indexes = (models.Index(fields=["contract", "starts_at"], name="meeting_contract_start"),
                   models.Index(fields=["minutes_state"], name="meeting_minutes_state"))
        constraints = (models.UniqueConstraint(fields=["contract", "committee", "slot"],
                                               name="meeting_unique_slot"),)

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        local = self.starts_at.astimezone(self.zone()).date() if self.starts_at else None
        return f"{self.committee_label} {local.isoformat() if local else ''}".strip()

    # -- the convention ------------------------------------------------------------------------

    def convention(self) -> Convention:
        return self.convention_version.parsed()

    def committee_def(self) -> Committee | None:
        return self.convention().committee(self.committee)

    def calendar(self) -> Calendar | None:
        committee = self.committee_def()
        if committee is None:
            return None
        return build_calendar(self.convention().calendars[committee.calendar])

    def zone(self) -> Any:
        from zoneinfo import ZoneInfo

        calendar = self.calendar()
        return ZoneInfo(calendar.tz if calendar else self.convention().contract.tz)

    # -- creation -----------------------------------------------------------------------------

    @classmethod
    def schedule(cls, actor: User | None, contract: Contract, committee_id: str, starts_at: datetime, *,
                 slot: datetime | None = None) -> Meeting:
        """A meeting of ``committee_id`` at ``starts_at`` (``actor`` None: the scheduling job)."""
        if starts_at.tzinfo is None:
            raise field_error("starts_at", _("L’heure de la réunion doit porter son fuseau."))
        with transaction.atomic():
            locked = Contract.objects.select_for_update().get(pk=contract.pk)
            if actor is not None:
                access.require(actor, locked, Need.GOVERN_SCHEDULE)
            version = locked.current_convention()
            if version is None:
                raise field_error("committee", _("Ce marché n’a pas de convention de service."))
            committee = version.parsed().committee(committee_id)
            if committee is None:
                known = ", ".join(c.id for c in version.parsed().committees) or "—"
                raise field_error("committee", _("Comité inconnu de la convention : %(v)s (attendu : %(ok)s).")
                                  % {"v": committee_id, "ok": known})
            slot = slot or starts_at
            if cls.objects.filter(contract=locked, committee=committee.id, slot=slot).exists() or \
                    cls.objects.filter(contract=locked, committee=committee.id, starts_at=starts_at).exists():
                raise field_error("starts_at", _("Une réunion de ce comité est déjà prévue à cette heure."))
            now = clock.now()
            meeting = cls.objects.create(
                contract=locked, convention_version=version, committee=committee.id,
                committee_label=committee.label, slot=slot, starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=committee.duration_minutes),
                created_at=now, updated_at=now)
            meeting._record(actor, now, events.Scheduled(starts_at=starts_at))
            meeting.recompute_clocks(now)
        return meeting

    # -- the workflow -------------------------------------------------------------------------

    def allowed_steps(self, user: User) -> list[Step]:
        from jalon.governance.workflow import STEPS

        return [s for s in STEPS.values() if s.allows(self) and access.may(user, self.contract, s.need)]

    def _transition(self, actor: User, name: str, change: Any) -> MeetingEvent:
        taken = step(name)
        with transaction.atomic():
            locked = self._locked(actor, taken.need)
            if not taken.allows(locked):
                raise ValidationError(_("Action impossible : réunion %(s)s, relevé %(m)s.")
                                      % {"s": locked.get_status_display(),
                                         "m": locked.get_minutes_state_display()})
            now = clock.now()
            payload: EventData = change(locked, now)
            locked.updated_at = now
            locked.save()
            event = locked._record(actor, now, payload)
            locked.recompute_clocks(now)
        self.refresh_from_db()
        return event

    def send_agenda(self, actor: User, agenda: str) -> MeetingEvent:
        if not agenda.strip():
            raise field_error("agenda", _("L’ordre du jour est vide."))

        def change(m: Meeting, now: datetime) -> EventData:
            m.agenda, m.agenda_sent_at = agenda, now
            return events.AgendaSent(agenda=agenda)
        return self._transition(actor, "send_agenda", change)

    def move(self, actor: User, starts_at: datetime, reason: str) -> MeetingEvent:
        if not reason.strip():
            raise field_error("reason", _("Le motif du report est obligatoire."))
        if starts_at.tzinfo is None:
            raise field_error("starts_at", _("L’heure de la réunion doit porter son fuseau."))

        def change(m: Meeting, now: datetime) -> EventData:
            if Meeting.objects.filter(contract=m.contract, committee=m.committee, starts_at=starts_at) \
                    .exclude(pk=m.pk).exists():
                raise field_error("starts_at", _("Une réunion de ce comité est déjà prévue à cette heure."))
            previous, length = m.starts_at, m.ends_at - m.starts_at
            m.starts_at, m.ends_at = starts_at, starts_at + length
            return events.Moved(previous=previous, starts_at=starts_at, reason=reason)
        return self._transition(actor, "move", change)

    def cancel(self, actor: User, reason: str) -> MeetingEvent:
        if not reason.strip():
            raise field_error("reason", _("Le motif de l’annulation est obligatoire."))

        def change(m: Meeting, now: datetime) -> EventData:
            m.status, m.cancel_reason = MeetingState.CANCELLED, reason
            return events.Cancelled(reason=reason)
        return self._transition(actor, "cancel", change)

    def record_attendance(self, actor: User, present: str, excused: str = "") -> MeetingEvent:
        names = _lines(present)
        if not names:
            raise field_error("present", _("Indiquez au moins une personne présente."))

        def change(m: Meeting, now: datetime) -> EventData:
            if m.starts_at > now:
                raise field_error("present", _("La réunion n’a pas encore commencé."))
            m.present, m.excused, m.status = names, _lines(excused), MeetingState.HELD
            return events.Attendance(present=tuple(names), excused=tuple(m.excused))
        return self._transition(actor, "record_attendance", change)

    def draft_minutes(self, actor: User, text: str) -> MeetingEvent:
        if not text.strip():
            raise field_error("text", _("Le relevé de décisions est vide."))

        def change(m: Meeting, now: datetime) -> EventData:
            m.minutes_text, m.minutes_state = text, MinutesState.DRAFTED
            return events.MinutesDrafted(length=len(text))
        return self._transition(actor, "draft_minutes", change)

    def send_minutes(self, actor: User) -> MeetingEvent:
        def change(m: Meeting, now: datetime) -> EventData:
            m.minutes_state, m.minutes_sent_at = MinutesState.SENT, now
            m.minutes_first_sent_at = m.minutes_first_sent_at or now
            m.minutes_sendings += 1
            return events.MinutesSent(sending=m.minutes_sendings)
        return self._transition(actor, "send_minutes", change)

    def remark(self, actor: User, remarks: str) -> MeetingEvent:
        if not remarks.strip():
            raise field_error("remarks", _("Les remarques sont vides."))

        def change(m: Meeting, now: datetime) -> EventData:
            m.minutes_state, m.remarks_at = MinutesState.REMARKS, now
            return events.Remarks(remarks=remarks)
        return self._transition(actor, "remark", change)

    def validate(self, actor: User, note: str = "") -> MeetingEvent:
        def change(m: Meeting, now: datetime) -> EventData:
            m.minutes_state, m.minutes_validated_at, m.minutes_validated_by = MinutesState.VALIDATED, now, actor
            return events.Validated(note=note)
        return self._transition(actor, "validate", change)

    def archive(self, actor: User, note: str = "") -> MeetingEvent:
        def change(m: Meeting, now: datetime) -> EventData:
            m.minutes_state, m.minutes_archived_at = MinutesState.ARCHIVED, now
            return events.Archived(note=note)
        return self._transition(actor, "archive", change)

    # -- tacit validation and clocks ----------------------------------------------------------

    def tacit_deadline(self) -> datetime | None:
        """When minutes sent without remarks are deemed validated (None: the committee has no
        tacit validation, or the minutes are not out for review)."""
        committee, calendar = self.committee_def(), self.calendar()
        if committee is None or calendar is None or committee.tacit_days is None or self.minutes_sent_at is None:
            return None
        return deadlines.days_after_due(calendar, self.minutes_sent_at, committee.tacit_days)

    def apply_tacit_validation(self, now: datetime) -> bool:
        """Minutes sent whose tacit deadline has passed become *validated tacitly* (on a locked
        row, in the caller's transaction), the instant recorded being the deadline's."""
        due = self.tacit_deadline()
        if self.minutes_state != MinutesState.SENT or due is None or due > now:
            return False
        self.minutes_state, self.minutes_validated_at, self.minutes_validated_by = \
            MinutesState.TACITLY_VALIDATED, due, None
        self.updated_at = now
        self.save(update_fields=["minutes_state", "minutes_validated_at", "minutes_validated_by", "updated_at"])
        self._record(None, now, events.TacitlyValidated(deadline=due))
        return True

    def clock_states(self, now: datetime) -> list[ClockState]:
        committee, calendar = self.committee_def(), self.calendar()
        if committee is None or calendar is None or self.status == MeetingState.CANCELLED:
            return []
        name = committee.calendar
        found = []
        if committee.agenda_days_before is not None:
            due = deadlines.agenda_due(calendar, self.starts_at, committee.agenda_days_before)
            found.append(_deadline_state(ClockKind.AGENDA, name, calendar, min(self.created_at, due), due,
                                         self.agenda_sent_at, now))
        if committee.minutes_days is not None:
            due = deadlines.days_after_due(calendar, self.ends_at, committee.minutes_days)
            found.append(_deadline_state(ClockKind.MINUTES, name, calendar, self.ends_at, due,
                                         self.minutes_first_sent_at, now))
        tacit = self.tacit_deadline()
        if tacit is not None and self.minutes_sent_at is not None:
            stop = {MinutesState.SENT: None, MinutesState.REMARKS: self.remarks_at,
                    MinutesState.TACITLY_VALIDATED: tacit}.get(MinutesState(self.minutes_state),
                                                               self.minutes_validated_at)
            if stop is None and self.minutes_state != MinutesState.SENT:
                stop = self.updated_at
            found.append(_deadline_state(ClockKind.TACIT, name, calendar, self.minutes_sent_at, tacit,
                                         stop, now))
        return found

    def recompute_clocks(self, now: datetime) -> list[MeetingClock]:
        """Apply a tacit validation now due, then store the clocks as of ``now`` (the row must
        be locked by the caller's transaction)."""
        self.apply_tacit_validation(now)
        states = {s.kind: s for s in self.clock_states(now)}
        kept = {c.kind: c for c in self.clocks.all()}
        for kind, stale in kept.items():
            if kind not in states:
                stale.delete()
        result = []
        for kind, state in states.items():
            row = kept.get(kind) or MeetingClock(meeting=self)
            row.record(state, now)
            row.save()
            result.append(row)
        return result

    # -- internals ----------------------------------------------------------------------------

    def _locked(self, actor: User | None, need: Need) -> Meeting:
        locked = Meeting.objects.select_for_update().select_related("contract", "convention_version") \
            .get(pk=self.pk)
        if actor is not None:
            access.require(actor, locked.contract, need)
        return locked

    def _record(self, actor: User | None, at: datetime, payload: EventData) -> MeetingEvent:
        stored = payload.as_json()
        link = chain.append(MeetingEvent, contract=self.contract_id, record=self.pk, kind=payload.kind,
                            actor=actor.pk if actor is not None else None, at=at, payload=stored)
        return MeetingEvent.objects.create(meeting=self, kind=payload.kind, actor=actor, at=at,
                                           payload=stored, contract_id=self.contract_id, seq=link.seq,
                                           previous=link.previous, digest=link.digest)

    def minutes_on_time(self) -> bool | None:
        """Whether the minutes were first sent by their due instant (None: no delay, or not
        yet due and not sent)."""
        row = self.clocks.filter(kind=ClockKind.MINUTES).first()
        if row is None or (row.stopped_at is None and not row.breached):
            return None
        return not row.breached


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _deadline_state(kind: ClockKind, calendar_name: str, calendar: Calendar, started: datetime,
                    due: datetime, stopped: datetime | None, now: datetime) -> ClockState:
    """A clock that runs from ``started`` to a due instant fixed in advance (whole business
    days), stopped at ``stopped``; elapsed and target are open time on the calendar."""
    end = min(stopped or now, now)
    elapsed = calendar.elapsed(started, max(end, started))
    target = calendar.elapsed(started, max(due, started))
    risk = max(started, due - WARN_BEFORE[kind])
    judged = stopped if stopped is not None else now
    return ClockState(kind=kind.value, label=str(kind.label), calendar=calendar_name, target_seconds=target,
                      started_at=started, pauses=(), stopped_at=stopped, elapsed_seconds=elapsed, due_at=due,
                      risk_at=risk, at_risk=judged >= risk, breached=judged > due)


class MeetingEvent(AppendOnly):
    """One append-only line of a meeting's history, in its contract's hash chain."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField()
    payload = models.JSONField(default=dict)
    # the contract's hash chain (jalon.commitments.chain): rank, digest of the event before, own digest
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, null=True, related_name="+",
                                 editable=False)
    seq = models.PositiveBigIntegerField(_lazy("rang dans la chaîne"), null=True, editable=False)
    previous = models.CharField(max_length=64, blank=True, editable=False)
    digest = models.CharField(_lazy("empreinte"), max_length=64, blank=True, editable=False)

    refused_change = "L’historique d’une réunion ne se modifie pas."
    refused_delete = "L’historique d’une réunion ne se supprime pas."

    objects: ClassVar[models.Manager[MeetingEvent]] = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _lazy("historique d’une réunion")
        verbose_name_plural = _lazy("historiques des réunions")
        ordering = ("at", "pk")
        constraints = (models.UniqueConstraint(fields=["contract", "seq"], name="meeting_event_chain_rank"),)

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.kind} {self.at.isoformat()}"

    @property
    def data(self) -> EventData:
        return events.PAYLOADS[self.kind].of(self.payload)


class MeetingClock(commitments.AbstractClock):
    owner_field = "meeting"
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="clocks")

    objects = commitments.ClockQuerySet.as_manager()

    @classmethod
    def label_for(cls, kind: str) -> str | None:
        return str(ClockKind(kind).label) if kind in ClockKind.values else None

    class Meta:
        verbose_name = _lazy("délai d’une réunion")
        verbose_name_plural = _lazy("délais des réunions")
        indexes = (commitments.running_due_index("meeting_clock_running_due"),)
        constraints = (models.UniqueConstraint(fields=["meeting", "kind"], name="meeting_clock_unique"),)


def _next_number(model: type[models.Model], contract: Contract) -> int:
    """The next number of ``model`` on ``contract`` (call under the contract's row lock)."""
    top = model._default_manager.filter(contract=contract).aggregate(top=Max("number"))["top"]
    return int(top or 0) + 1


def _lock_contract(actor: User | None, contract: Contract, need: Need) -> Contract:
    locked = Contract.objects.select_for_update().get(pk=contract.pk)
    if actor is not None:
        access.require(actor, locked, need)
    return locked


def _check_meeting(meeting: Meeting | None, contract: Contract) -> None:
    if meeting is not None and meeting.contract_id != contract.pk:
        raise field_error("meeting", _("Cette réunion n’est pas de ce marché."))


class Decision(models.Model):
    """A decision taken in committee, numbered per contract, linked to what it decides."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="decisions")
    number = models.PositiveIntegerField(_lazy("numéro"))
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="decisions", verbose_name=_lazy("réunion"))
    decided_on = models.DateField(_lazy("date"))
    title = models.CharField(_lazy("décision"), max_length=300)
    text = models.TextField(_lazy("détail"), blank=True)
    subject_kind = models.CharField(_lazy("objet"), max_length=20, choices=SubjectKind.choices, blank=True)
    subject_ref = models.CharField(_lazy("référence de l’objet"), max_length=80, blank=True)
    created_by = models.ForeignKey(USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField()

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _lazy("décision")
        verbose_name_plural = _lazy("décisions")
        ordering = ("-number",)
        constraints = (models.UniqueConstraint(fields=["contract", "number"], name="decision_number_unique"),)

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"DEC-{self.number:03d}"

    @classmethod
    def record(cls, actor: User | None, contract: Contract, *, title: str, decided_on: date,
               meeting: Meeting | None = None, text: str = "", subject_kind: str = "",
               subject_ref: str = "") -> Decision:
        if not title.strip():
            raise field_error("title", _("L’intitulé de la décision est vide."))
        if subject_kind not in SubjectKind.values:
            raise field_error("subject_kind", _("Type d’objet inconnu : %(v)s.") % {"v": subject_kind})
        if bool(subject_kind) != bool(subject_ref.strip()):
            raise field_error("subject_ref", _("Indiquez le type et la référence de l’objet, ou ni l’un ni l’autre."))
        with transaction.atomic():
            locked = _lock_contract(actor, contract, Need.GOVERN_RECORD)
            _check_meeting(meeting, locked)
            now = clock.now()
            decision = cls.objects.create(contract=locked, number=_next_number(cls, locked), meeting=meeting,
                                          decided_on=decided_on, title=title.strip(), text=text,
                                          subject_kind=subject_kind, subject_ref=subject_ref.strip(),
                                          created_by=actor, created_at=now)
            decision._record(actor, now, record_events.Created(title=decision.title))
        return decision

    def amend(self, actor: User | None, *, title: str, text: str, reason: str) -> None:
        """A decision's wording corrected (a typo, a precision agreed in the remarks on the
        minutes): the previous wording stays in its history, with the reason."""
        if not title.strip():
            raise field_error("title", _("L’intitulé de la décision est vide."))
        if not reason.strip():
            raise field_error("reason", _("Le motif de la modification est obligatoire."))
        with transaction.atomic():
            locked = Decision.objects.select_for_update().select_related("contract").get(pk=self.pk)
            if actor is not None:
                access.require(actor, locked.contract, Need.GOVERN_RECORD)
            if locked.title == title.strip() and locked.text == text:
                raise field_error("title", _("Rien n’a changé."))
            payload = record_events.Amended(title_before=locked.title, title=title.strip(),
                                            text_before=locked.text, text=text, reason=reason.strip())
            locked.title, locked.text = title.strip(), text
            locked.save(update_fields=["title", "text"])
            locked._record(actor, clock.now(), payload)
        self.refresh_from_db()

    def _record(self, actor: User | None, at: datetime, payload: RecordEventData) -> DecisionEvent:
        return DecisionEvent.write(self, actor, at, payload)


class Action(models.Model):
    """An action decided in committee: an owner, a due date, a status; late by the day."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="governance_actions")
    number = models.PositiveIntegerField(_lazy("numéro"))
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="actions")
    title = models.CharField(_lazy("action"), max_length=300)
    owner = models.ForeignKey(USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_lazy("responsable"))
    due_on = models.DateField(_lazy("échéance"))
    status = models.CharField(_lazy("statut"), max_length=20, choices=ActionStatus.choices,
                              default=ActionStatus.OPEN)
    domain = models.CharField(_lazy("domaine"), max_length=20, choices=ActionDomain.choices,
                              default=ActionDomain.QUALITY)
    done_on = models.DateField(_lazy("réalisée le"), null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _lazy("action")
        verbose_name_plural = _lazy("actions")
        ordering = ("due_on", "number")
        constraints = (models.UniqueConstraint(fields=["contract", "number"], name="action_number_unique"),)
        indexes = (models.Index(fields=["contract", "status", "due_on"], name="action_open_due"),)

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"ACT-{self.number:03d}"

    def days_late(self, today: date) -> int:
        """Calendar days past the due date: to the day it was done, else to ``today`` while
        open; none for an abandoned action (D-92)."""
        if self.status == ActionStatus.CANCELLED:
            return 0
        end = self.done_on if self.status == ActionStatus.DONE and self.done_on else today
        return max(0, (end - self.due_on).days)

    @classmethod
    def create(cls, actor: User | None, contract: Contract, *, title: str, due_on: date,
               owner: User | None = None, meeting: Meeting | None = None,
               domain: str = ActionDomain.QUALITY) -> Action:
        if not title.strip():
            raise field_error("title", _("L’intitulé de l’action est vide."))
        if domain not in ActionDomain.values:
            raise field_error("domain", _("Domaine inconnu : %(v)s.") % {"v": domain})
        with transaction.atomic():
            locked = _lock_contract(actor, contract, Need.GOVERN_RECORD)
            _check_meeting(meeting, locked)
            if owner is not None and not access.roles_on(owner, locked):
                raise field_error("owner", _("Le responsable doit être membre du marché."))
            instants.check_day("due_on", due_on, locked, past=False)
            now = clock.now()
            action = cls.objects.create(contract=locked, number=_next_number(cls, locked), meeting=meeting,
                                        title=title.strip(), owner=owner, due_on=due_on, domain=domain,
                                        created_at=now, updated_at=now)
            action._record(actor, now, record_events.Created(title=action.title))
            action.recompute_clocks(now)
        return action

    def set_status(self, actor: User | None, status: str, done_on: date | None = None) -> None:
        if status not in ActionStatus.values:
            raise field_error("status", _("Statut inconnu : %(v)s.") % {"v": status})
        with transaction.atomic():
            locked = self._locked(actor)
            now = clock.now()
            if locked.status == status:
                raise field_error("status", _("L’action est déjà « %(s)s ».") % {"s": locked.get_status_display()})
            before = locked.status
            locked.status = status
            locked.done_on = (done_on or now.date()) if status == ActionStatus.DONE else None
            locked.updated_at = now
            locked.save()
            locked._record(actor, now, record_events.StatusChanged(before=before, after=status,
                                                                   done_on=locked.done_on))
            locked.recompute_clocks(now)
        self.refresh_from_db()

    def update(self, actor: User | None, *, owner: User | None, due_on: date, reason: str = "") -> int:
        """A new owner or due date: one event per change (a new due date needs its reason);
        answers how many things changed."""
        with transaction.atomic():
            locked = self._locked(actor)
            if owner is not None and not access.roles_on(owner, locked.contract):
                raise field_error("owner", _("Le responsable doit être membre du marché."))
            now = clock.now()
            changes: list[RecordEventData] = []
            if owner != locked.owner:
                changes.append(record_events.OwnerChanged(before=locked.owner.username if locked.owner else "",
                                                          after=owner.username if owner else ""))
                locked.owner = owner
            if due_on != locked.due_on:
                instants.check_day("due_on", due_on, locked.contract, past=False)
                if not reason.strip():
                    raise field_error("reason", _("Le motif du changement d’échéance est obligatoire."))
                changes.append(record_events.DueChanged(before=locked.due_on, after=due_on, reason=reason.strip()))
                locked.due_on = due_on
            if not changes:
                raise field_error("due_on", _("Rien n’a changé."))
            locked.updated_at = now
            locked.save()
            for change in changes:
                locked._record(actor, now, change)
            locked.recompute_clocks(now)
        self.refresh_from_db()
        return len(changes)

    # -- history and clock --------------------------------------------------------------------

    def _locked(self, actor: User | None) -> Action:
        locked = Action.objects.select_for_update(of=("self",)).select_related("contract", "meeting").get(pk=self.pk)
        if actor is not None:
            access.require(actor, locked.contract, Need.GOVERN_RECORD)
        return locked

    def _record(self, actor: User | None, at: datetime, payload: RecordEventData) -> ActionEvent:
        return ActionEvent.write(self, actor, at, payload)

    def calendar_and_zone(self) -> tuple[str, Calendar, str] | None:
        """The calendar the due date is counted on: the meeting's committee's, else the
        convention's first one (None: a contract with no convention)."""
        meeting = self.meeting
        if meeting is not None:
            committee = meeting.committee_def()
            if committee is not None:
                convention = meeting.convention()
                return committee.calendar, build_calendar(convention.calendars[committee.calendar]), \
                    convention.contract.tz
        version = self.contract.current_convention()
        if version is None:
            return None
        convention = version.parsed()
        name = next(iter(convention.calendars), None)
        if name is None:
            return None
        return name, build_calendar(convention.calendars[name]), convention.contract.tz

    def clock_states(self, now: datetime) -> list[ClockState]:
        """The action's due date as a clock: from its creation to the end of its due day, stopped
        when it is done or abandoned (D-135: warned ``JALON_ACTION_WARN_DAYS`` days before)."""
        found = self.calendar_and_zone()
        if found is None:
            return []
        name, calendar, zone = found
        from zoneinfo import ZoneInfo

        due = (datetime.combine(self.due_on + timedelta(days=1), datetime.min.time(), ZoneInfo(zone))
               .astimezone(UTC) - timedelta(seconds=1))
        start = min(self.created_at, due)
        stopped = self.updated_at if self.status != ActionStatus.OPEN else None
        end = min(stopped or now, now)
        risk = max(start, due - timedelta(days=settings.JALON_ACTION_WARN_DAYS))
        judged = stopped or now
        return [ClockState(kind="due", label=ActionClock.label_for("due") or "due", calendar=name,
                           target_seconds=calendar.elapsed(start, due), started_at=start, pauses=(),
                           stopped_at=stopped, elapsed_seconds=calendar.elapsed(start, max(end, start)),
                           due_at=due, risk_at=risk, at_risk=judged >= risk,
                           breached=judged > due and self.status != ActionStatus.CANCELLED)]

    def recompute_clocks(self, now: datetime) -> list[ActionClock]:
        known = {c.kind: c for c in self.clocks.all()}
        stored = []
        for state in self.clock_states(now):
            row = known.pop(state.kind, None) or ActionClock(action=self)
            row.record(state, now)
            row.save()
            stored.append(row)
        for stale in known.values():
            stale.delete()
        return stored


class Risk(models.Model):
    """A risk or point of attention: probability × impact, an owner, a mitigation, a status;
    reviewed at each committee (:class:`RiskReview`)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="risks")
    number = models.PositiveIntegerField(_lazy("numéro"))
    kind = models.CharField(_lazy("nature"), max_length=20, choices=RiskKind.choices, default=RiskKind.RISK)
    title = models.CharField(_lazy("intitulé"), max_length=300)
    probability = models.PositiveSmallIntegerField(_lazy("probabilité"),
                                                   validators=[MinValueValidator(1), MaxValueValidator(4)])
    impact = models.PositiveSmallIntegerField(_lazy("impact"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    owner = models.ForeignKey(USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_lazy("responsable"))
    mitigation = models.TextField(_lazy("mesures de maîtrise"), blank=True)
    status = models.CharField(_lazy("statut"), max_length=20, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = RiskQuerySet.as_manager()

    class Meta:
        verbose_name = _lazy("risque ou point d’attention")
        verbose_name_plural = _lazy("risques et points d’attention")
        ordering = ("-updated_at", "number")
        constraints = (models.UniqueConstraint(fields=["contract", "number"], name="risk_number_unique"),)

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"RSQ-{self.number:03d}"

    @property
    def score(self) -> int:
        return self.probability * self.impact

    @classmethod
    def create(cls, actor: User | None, contract: Contract, *, title: str, probability: int, impact: int,
               owner: User | None = None, mitigation: str = "", kind: str = RiskKind.RISK) -> Risk:
        if not title.strip():
            raise field_error("title", _("L’intitulé du risque est vide."))
        _check_scale(probability, impact)
        if kind not in RiskKind.values:
            raise field_error("kind", _("Nature inconnue : %(v)s.") % {"v": kind})
        with transaction.atomic():
            locked = _lock_contract(actor, contract, Need.GOVERN_RECORD)
            if owner is not None and not access.roles_on(owner, locked):
                raise field_error("owner", _("Le responsable doit être membre du marché."))
            now = clock.now()
            risk = cls.objects.create(contract=locked, number=_next_number(cls, locked), kind=kind,
                                      title=title.strip(), probability=probability, impact=impact, owner=owner,
                                      mitigation=mitigation, created_at=now, updated_at=now)
            risk._record(actor, now, record_events.Created(title=risk.title))
        return risk

    def update(self, actor: User | None, *, probability: int, impact: int, owner: User | None,
               mitigation: str, status: str) -> int:
        """The risk's rating, owner, mitigation or status changed between committees: one event
        per change; answers how many things changed."""
        _check_scale(probability, impact)
        if status not in RiskStatus.values:
            raise field_error("status", _("Statut inconnu : %(v)s.") % {"v": status})
        with transaction.atomic():
            locked = self._locked(actor)
            if owner is not None and not access.roles_on(owner, locked.contract):
                raise field_error("owner", _("Le responsable doit être membre du marché."))
            changes: list[RecordEventData] = []
            if (probability, impact) != (locked.probability, locked.impact):
                changes.append(record_events.Rated(probability_before=locked.probability,
                                                   impact_before=locked.impact, probability=probability,
                                                   impact=impact))
            if owner != locked.owner:
                changes.append(record_events.OwnerChanged(before=locked.owner.username if locked.owner else "",
                                                          after=owner.username if owner else ""))
            if mitigation.strip() != locked.mitigation.strip():
                changes.append(record_events.MitigationChanged(before=locked.mitigation, after=mitigation.strip()))
            if status != locked.status:
                changes.append(record_events.StatusChanged(before=locked.status, after=status))
            if not changes:
                raise field_error("title", _("Rien n’a changé."))
            now = clock.now()
            locked.probability, locked.impact, locked.owner = probability, impact, owner
            locked.mitigation, locked.status, locked.updated_at = mitigation.strip(), status, now
            locked.save()
            for change in changes:
                locked._record(actor, now, change)
        self.refresh_from_db()
        return len(changes)

    def _locked(self, actor: User | None) -> Risk:
        locked = Risk.objects.select_for_update(of=("self",)).select_related("contract", "owner").get(pk=self.pk)
        if actor is not None:
            access.require(actor, locked.contract, Need.GOVERN_RECORD)
        return locked

    def _record(self, actor: User | None, at: datetime, payload: RecordEventData) -> RiskEvent:
        return RiskEvent.write(self, actor, at, payload)

    def review(self, actor: User | None, meeting: Meeting, *, probability: int, impact: int, status: str,
               note: str = "") -> RiskReview:
        """The risk as reviewed at ``meeting``: its new rating and status, kept per meeting."""
        _check_scale(probability, impact)
        if status not in RiskStatus.values:
            raise field_error("status", _("Statut inconnu : %(v)s.") % {"v": status})
        with transaction.atomic():
            locked = self._locked(actor)
            _check_meeting(meeting, locked.contract)
            now = clock.now()
            locked.probability, locked.impact, locked.status, locked.updated_at = probability, impact, status, now
            locked.save()
            locked._record(actor, now, record_events.Reviewed(
                meeting=meeting.pk, meeting_label=meeting.reference, probability=probability, impact=impact,
                status=status, note=note))
            review = RiskReview.objects.update_or_create(
                risk=locked, meeting=meeting,
                defaults={"probability": probability, "impact": impact, "status": status, "note": note,
                          "reviewed_by": actor, "reviewed_at": now})[0]
        self.refresh_from_db()
        return review


def _check_scale(probability: int, impact: int) -> None:
    for name, value in (("probability", probability), ("impact", impact)):
        if not 1 <= int(value) <= 4:
            raise field_error(name, _("Valeur attendue de 1 à 4."))


class RiskReview(models.Model):
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="reviews")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="risk_reviews")
    probability = models.PositiveSmallIntegerField()
    impact = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20, choices=RiskStatus.choices)
    note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    reviewed_at = models.DateTimeField()

    class Meta:
        verbose_name = _lazy("revue d’un risque")
        verbose_name_plural = _lazy("revues des risques")
        ordering = ("-reviewed_at",)
        constraints = (models.UniqueConstraint(fields=["risk", "meeting"], name="risk_review_once_per_meeting"),)

    def __str__(self) -> str:
        return f"{self.risk_id} @ {self.meeting_id}"


class Escalation(models.Model):
    """An alert or disagreement a committee could not settle, taken to the next committee level
    of the convention (``escalates_to``; 002 L1805-1813)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="escalations")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="escalations_raised")
    from_committee = models.CharField(max_length=60)
    to_committee = models.CharField(max_length=60)
    kind = models.CharField(_lazy("nature"), max_length=20, choices=EscalationKind.choices)
    subject = models.TextField(_lazy("objet"))
    settled_in = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="escalations_settled")
    outcome = models.TextField(_lazy("issue"), blank=True)
    created_by = models.ForeignKey(USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField()

    objects = EscalationQuerySet.as_manager()

    class Meta:
        verbose_name = _lazy("escalade")
        verbose_name_plural = _lazy("escalades")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.from_committee} → {self.to_committee}: {self.subject[:40]}"

    @classmethod
    def raise_from(cls, actor: User | None, meeting: Meeting, *, kind: str, subject: str) -> Escalation:
        if kind not in EscalationKind.values:
            raise field_error("kind", _("Nature inconnue : %(v)s.") % {"v": kind})
        if not subject.strip():
            raise field_error("subject", _("L’objet de l’escalade est vide."))
        committee = meeting.committee_def()
        if committee is None or committee.escalates_to is None:
            raise field_error("kind", _("Ce comité n’a pas de niveau supérieur dans la convention."))
        with transaction.atomic():
            locked = _lock_contract(actor, meeting.contract, Need.GOVERN_RECORD)
            return cls.objects.create(contract=locked, meeting=meeting, from_committee=committee.id,
                                      to_committee=committee.escalates_to, kind=kind, subject=subject.strip(),
                                      created_by=actor, created_at=clock.now())

    def settle(self, actor: User | None, meeting: Meeting, outcome: str) -> None:
        if meeting.committee != self.to_committee or meeting.contract_id != self.contract_id:
            raise field_error("meeting", _("L’escalade se traite au comité %(c)s.") % {"c": self.to_committee})
        with transaction.atomic():
            locked = Escalation.objects.select_for_update().select_related("contract").get(pk=self.pk)
            if actor is not None:
                access.require(actor, locked.contract, Need.GOVERN_RECORD)
            locked.settled_in, locked.outcome = meeting, outcome
            locked.save()
        self.refresh_from_db()


class Finding(models.Model):
    """A breach of the contract's requirements found in committee (CD13 "manquement constaté en
    comité", R06 quality, R08 security in the cyber committee: L1450, L1452)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="findings")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="findings")
    domain = models.CharField(_lazy("domaine"), max_length=20, choices=ActionDomain.choices)
    description = models.TextField(_lazy("manquement constaté"))
    created_by = models.ForeignKey(USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _lazy("manquement constaté")
        verbose_name_plural = _lazy("manquements constatés")
        ordering = ("created_at", "pk")

    def __str__(self) -> str:
        return self.description[:60]

    @classmethod
    def record(cls, actor: User | None, meeting: Meeting, *, domain: str, description: str) -> Finding:
        if domain not in ActionDomain.values:
            raise field_error("domain", _("Domaine inconnu : %(v)s.") % {"v": domain})
        if not description.strip():
            raise field_error("description", _("Décrivez le manquement constaté."))
        with transaction.atomic():
            locked = _lock_contract(actor, meeting.contract, Need.GOVERN_RECORD)
            if meeting.status != MeetingState.HELD:
                raise field_error("description", _("Un manquement se constate en réunion tenue."))
            return cls.objects.create(contract=locked, meeting=meeting, domain=domain,
                                      description=description.strip(), created_by=actor, created_at=clock.now())


class RecordEvent(AppendOnly):
    """One append-only line of a decision's, an action's or a risk's history."""

    kind = models.CharField(_lazy("nature"), max_length=20, choices=RecordEventKind.choices)
    actor = models.ForeignKey(USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_lazy("auteur"), help_text=_lazy("Vide : une tâche de la plateforme."))
    at = models.DateTimeField(_lazy("le"))
    payload = models.JSONField(_lazy("contenu"), default=dict,
                               help_text=_lazy("Ce qui a changé, avant et après (selon la nature)."))

    # the contract's hash chain (jalon.commitments.chain): rank, digest of the event before, own digest
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, null=True, related_name="+",
                                 editable=False)
    seq = models.PositiveBigIntegerField(_lazy("rang dans la chaîne"), null=True, editable=False)
    previous = models.CharField(max_length=64, blank=True, editable=False)
    digest = models.CharField(_lazy("empreinte"), max_length=64, blank=True, editable=False)

    objects = AppendOnlyQuerySet.as_manager()
    refused_change = "A governance record's history is written once and never changed."
    refused_delete = "A governance record's history is never deleted."
    status_labels: ClassVar[dict[str, Any]] = {}
    record_field: ClassVar[str] = ""
    """The name of the record's key (``decision``, ``action``, ``risk``): also its name in the chain."""

    class Meta:
        abstract = True
        ordering = ("at", "pk")
        constraints = (models.UniqueConstraint(fields=["contract", "seq"], name="%(class)s_chain_rank"),)

    @classmethod
    def write(cls, record: Decision | Action | Risk, actor: User | None, at: datetime,
              payload: RecordEventData) -> Any:
        """Append ``payload`` to ``record``'s history, as the next link of its contract's chain
        (inside the transaction that changed the record)."""
        stored = payload.as_json()
        link = chain.append(cls, contract=record.contract_id, record=record.pk, kind=payload.kind,
                            actor=actor.pk if actor is not None else None, at=at, payload=stored)
        return cls.objects.create(**{cls.record_field: record}, kind=payload.kind, actor=actor, at=at,
                                  payload=stored, contract_id=record.contract_id, seq=link.seq,
                                  previous=link.previous, digest=link.digest)

    @property
    def data(self) -> RecordEventData:
        return record_events.PAYLOADS[self.kind].of(self.payload)

    @property
    def summary(self) -> str:
        return self.data.summary({k: str(v) for k, v in self.status_labels.items()})


class DecisionEvent(RecordEvent):
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="events",
                                 verbose_name=_lazy("décision"))
    record_field = "decision"

    class Meta(RecordEvent.Meta):
        verbose_name = _lazy("historique d’une décision")
        verbose_name_plural = _lazy("historiques des décisions")

    def __str__(self) -> str:
        return f"{self.decision_id} {self.kind} {self.at.isoformat()}"


class ActionEvent(RecordEvent):
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="events", verbose_name=_lazy("action"))
    status_labels: ClassVar[dict[str, Any]] = dict(ActionStatus.choices)
    record_field = "action"

    class Meta(RecordEvent.Meta):
        verbose_name = _lazy("historique d’une action")
        verbose_name_plural = _lazy("historiques des actions")

    def __str__(self) -> str:
        return f"{self.action_id} {self.kind} {self.at.isoformat()}"


class RiskEvent(RecordEvent):
    risk = models.ForeignKey(Risk, on_delete=models.PROTECT, related_name="events", verbose_name=_lazy("risque"))
    status_labels: ClassVar[dict[str, Any]] = dict(RiskStatus.choices)
    record_field = "risk"

    class Meta(RecordEvent.Meta):
        verbose_name = _lazy("historique d’un risque")
        verbose_name_plural = _lazy("historiques des risques")

    def __str__(self) -> str:
        return f"{self.risk_id} {self.kind} {self.at.isoformat()}"


class ActionClock(commitments.AbstractClock):
    """An action's due date as a clock: the scan warns its owner before it is due ("action
    due") and tells both sides when it is late."""

    owner_field = "action"
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="clocks", verbose_name=_lazy("action"))

    objects = commitments.ClockQuerySet.as_manager()

    @classmethod
    def label_for(cls, kind: str) -> str | None:
        return str(_("Échéance de l’action")) if kind == "due" else None

    class Meta:
        verbose_name = _lazy("échéance d’une action")
        verbose_name_plural = _lazy("échéances des actions")
        indexes = (commitments.running_due_index("action_clock_running_due"),)
        constraints = (models.UniqueConstraint(fields=["action", "kind"], name="action_clock_unique"),)


class MeteoSend(models.Model):
    """The daily météo of a contract as sent: its instant is what indicator P3 measures."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="meteo_sends")
    day = models.DateField()
    sent_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)
    subject = models.CharField(max_length=250)
    body = models.TextField()

    class Meta:
        verbose_name = _lazy("envoi de la météo")
        verbose_name_plural = _lazy("envois de la météo")
        ordering = ("-day",)
        constraints = (models.UniqueConstraint(fields=["contract", "day"], name="meteo_once_a_day"),)

    def __str__(self) -> str:
        return f"météo {self.day.isoformat()}"

    @classmethod
    def claim(cls, contract: Contract, day: date, now: datetime, subject: str, body: str,
              recipients: int) -> MeteoSend | None:
        """Record today's météo unless another worker already did (the unique constraint lets one
        insert through): the caller sends only what it claimed."""
        from django.db import IntegrityError

        try:
            with transaction.atomic():
                return cls.objects.create(contract=contract, day=day, sent_at=now, subject=subject, body=body,
                                          recipients=recipients)
        except IntegrityError:
            return None


def meetings_needing_a_look(now: datetime) -> Sequence[int]:
    """Meetings whose tacit validation may be due: minutes sent on a committee with a tacit
    delay (the periodic job recomputes them)."""
    return list(Meeting.objects.filter(minutes_state=MinutesState.SENT).values_list("pk", flat=True))

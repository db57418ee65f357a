"""The deliverable record: the register of what the contract expects, its versions, its outcome.

A deliverable comes from the convention's register (:meth:`Deliverable.plan`: dated ones, and
one per month, quarter or year of the recurring ones) or is added by a manager
(:meth:`Deliverable.expect`: an audit report due three weeks after the audit). Each version
submitted is a :class:`Submission` kept with its file's SHA-256; the validators accept it,
accept it with :class:`Reservation` s (each to be lifted by a date), or reject it (a new version
is then expected); a type the convention marks tacit is validated tacitly when the validation
delay runs out undecided.

Three kinds of clock (:class:`DeliverableClock`), recomputed at every change and by the clock
scan: ``submission`` (from the moment the deliverable is expected to the end of its due date,
stopped by the first version), ``validation`` (the type's validation delay from the latest
version, on the convention's calendar, stopped by the decision) and ``reservation-<n>`` (to the
end of the lifting date). The scan's recomputation is also what validates tacitly.
"""

from __future__ import annotations

import hashlib
import mimetypes
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import PurePath
from typing import ClassVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import models, transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jalon.accounts import access
from jalon.accounts.access import Need
from jalon.accounts.models import HOLDER_ROLES, Role
from jalon.businesstime import Calendar
from jalon.commitments import chain
from jalon.commitments.history import AppendOnly, AppendOnlyQuerySet
from jalon.commitments.models import AbstractClock, ClockQuerySet, running_due_index
from jalon.commitments.state import ClockSpec, ClockState, clock_state
from jalon.contracts.models import Contract, ConventionVersion
from jalon.conventions.calendars import build_calendar
from jalon.conventions.model import Deliverables, DeliverableType
from jalon.deliverables import events
from jalon.deliverables.events import EventData, EventKind
from jalon.deliverables.queries import DeliverableQuerySet
from jalon.deliverables.workflow import STEPS, DeliverableState, Step
from jalon.documents.models import StructuredReport
from jalon.lib import clock

S = DeliverableState
USER_MODEL = settings.AUTH_USER_MODEL
WARN_RATIO = 0.8
"""Share of the validation and lifting delays at which their clocks warn."""


class InvalidTransition(ValidationError):
    """The step is not possible from the deliverable's state."""


def _field_error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def end_of_day(day: date, zone: str) -> datetime:
    """The last second of a due date (23:59:59 local), in UTC: what is remitted before the next
    day starts is on time, and the date shown is the due date itself."""
    return (datetime.combine(day + timedelta(days=1), time(), ZoneInfo(zone)).astimezone(UTC)
            - timedelta(seconds=1))


def local_day(at: datetime, zone: str) -> date:
    return at.astimezone(ZoneInfo(zone)).date()


class Deliverable(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="deliverables",
                                 verbose_name=_lazy("marché"))
    convention_version = models.ForeignKey(ConventionVersion, on_delete=models.PROTECT,
                                           related_name="deliverables",
                                           verbose_name=_lazy("convention de service"))
    number = models.PositiveIntegerField(_lazy("numéro"))
    key = models.CharField(_lazy("ligne du registre"), max_length=60, blank=True,
                           help_text=_lazy("L’identifiant de la ligne du registre de la convention "
                                           "dont il vient ; vide pour un livrable ajouté."))
    type = models.CharField(_lazy("type"), max_length=60)
    title = models.CharField(_lazy("intitulé"), max_length=200)
    due_on = models.DateField(_lazy("échéance"))
    state = models.CharField(_lazy("état"), max_length=30, choices=DeliverableState.choices,
                             default=DeliverableState.EXPECTED)
    expected_since = models.DateTimeField(_lazy("attendu depuis"))
    decided_at = models.DateTimeField(_lazy("décidé le"), null=True, blank=True)
    versions = models.PositiveIntegerField(_lazy("versions remises"), default=0)

    objects = DeliverableQuerySet.as_manager()
    clocks: models.Manager[DeliverableClock]
    submissions: models.Manager[Submission]
    reservations: models.Manager[Reservation]
    history: models.Manager[DeliverableEvent]

    class Meta:
        ordering = ("contract", "due_on", "number")
        verbose_name = _lazy("livrable")
        verbose_name_plural = _lazy("livrables")
        constraints = (
            models.UniqueConstraint(fields=["contract", "number"], name="deliverable_number_unique"),
            models.UniqueConstraint(fields=["contract", "key", "due_on"], condition=~Q(key=""),
                                    name="deliverable_register_unique"),
        )
        indexes = (models.Index(fields=["contract", "due_on"], name="deliverable_due"),)

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    @property
    def reference(self) -> str:
        return f"{self.contract.reference}-L{self.number}"

    # -- the convention ----------------------------------------------------------------------

    @staticmethod
    def terms_of(version: ConventionVersion) -> Deliverables:
        terms = version.parsed().deliverables
        if terms is None:
            raise _field_error("type", _("La convention de service ne déclare aucun livrable "
                                         "(section « deliverables »)."))
        return terms

    @property
    def terms(self) -> Deliverables:
        return self.terms_of(self.convention_version)

    @property
    def kind(self) -> DeliverableType:
        return self.terms.type(self.type)

    def type_label(self) -> str:
        try:
            return self.kind.label
        except StopIteration:
            return self.type

    @property
    def zone(self) -> str:
        return self.convention_version.parsed().calendars[self.terms.calendar].tz

    def calendar(self) -> Calendar:
        convention = self.convention_version.parsed()
        return build_calendar(convention.calendars[self.terms.calendar])

    # -- creation ----------------------------------------------------------------------------

    @classmethod
    def expect(cls, contract: Contract, actor: User | None, *, type: str, title: str,
               due_on: date, key: str = "", note: str = "") -> Deliverable:
        """Add a deliverable to the register (``actor`` None: planned from the convention)."""
        if actor is not None:
            access.require(actor, contract, Need.MANAGE_DELIVERABLES)
        version = contract.current_convention()
        if version is None:
            raise _field_error("type", _("Aucune convention de service n’est chargée pour le "
                                         "marché %(ref)s.") % {"ref": contract.reference})
        terms = cls.terms_of(version)
        known = [t.id for t in terms.types]
        if type not in known:
            raise _field_error("type", _("Type de livrable inconnu de la convention : %(v)s "
                                         "(attendu : %(ok)s).") % {"v": type, "ok": ", ".join(known)})
        title = title.strip()
        if not title:
            raise _field_error("title", _("L’intitulé du livrable est obligatoire."))
        now = clock.now()
        with transaction.atomic():
            Contract.objects.select_for_update().filter(pk=contract.pk).first()
            last = cls.objects.filter(contract=contract).aggregate(n=Max("number"))["n"]
            deliverable = cls.objects.create(
                contract=contract, convention_version=version, number=(last or 0) + 1, key=key,
                type=type, title=title[:200], due_on=due_on, expected_since=now)
            deliverable._record(actor, now, events.Expected(due_on=due_on, note=note), after=S.EXPECTED)
            deliverable.recompute_clocks(now)
        return deliverable

    @classmethod
    def plan(cls, contract: Contract, through: date, actor: User | None = None) -> list[Deliverable]:
        """Create the register's deliverables due up to ``through`` that do not exist yet: the
        dated ones, and one per period of the recurring ones, from the contract's start."""
        if actor is not None:
            access.require(actor, contract, Need.MANAGE_DELIVERABLES)
        version = contract.current_convention()
        if version is None:
            return []
        convention = version.parsed()
        terms = cls.terms_of(version)
        start = contract.starts_on or convention.contract.starts or date(through.year, 1, 1)
        made = []
        for item in terms.register:
            wanted: list[tuple[date, str]] = []
            if item.due is not None:
                wanted.append((item.due, item.title))
            elif item.every is not None:
                for _first, last, label in periods(item.every, start, through):
                    wanted.append((last + timedelta(days=item.due_day), f"{item.title} — {label}"))
            for due_on, title in wanted:
                if due_on > through or cls.objects.filter(contract=contract, key=item.id,
                                                          due_on=due_on).exists():
                    continue
                made.append(cls.expect(contract, None, type=item.type, title=title,
                                       due_on=due_on, key=item.id))
        return made

    # -- the steps ---------------------------------------------------------------------------

    def submit(self, actor: User | None, *, file: UploadedFile, note: str = "") -> Submission:
        """A new version: stored with its SHA-256; the validation clock starts."""
        Submission.check_upload(file)
        created: list[Submission] = []

        def change(d: Deliverable, now: datetime) -> EventData:
            d.versions += 1
            submission = Submission.store(d, actor, file, d.versions, note, now)
            created.append(submission)
            d.state, d.decided_at = S.SUBMITTED, None
            return events.Submitted(version=d.versions, file_name=submission.original_name,
                                    sha256=submission.sha256, note=note)

        self._transition(actor, STEPS["submit"], change)
        return created[0]

    def submit_report(self, actor: User, report: StructuredReport, note: str = "") -> Submission:
        """A structured report of the same contract as a version: its PDF (tagged, PDF/A),
        named after the report's reference and revision."""
        if report.contract_id != self.contract_id:
            raise _field_error("report", _("Ce rapport appartient à un autre marché."))
        body = report.pdf()
        upload = SimpleUploadedFile(report.file_name("pdf"), body, content_type="application/pdf")
        return self.submit(actor, file=upload, note=note or _("Rapport structuré %(ref)s, révision %(rev)s.")
                           % {"ref": report.reference, "rev": report.revision})

    def accept(self, actor: User | None, *, note: str = "") -> DeliverableEvent:
        def change(d: Deliverable, now: datetime) -> EventData:
            d._decide(now, S.ACCEPTED)
            return events.Accepted(version=d.versions, note=note)

        return self._transition(actor, STEPS["accept"], change)

    def accept_with_reservations(self, actor: User | None, *, reservations: str,
                                 lift_by: date | None = None) -> DeliverableEvent:
        lines = [line.strip() for line in reservations.splitlines() if line.strip()]
        if not lines:
            raise _field_error("reservations", _("Écrivez au moins une réserve (une par ligne)."))

        def change(d: Deliverable, now: datetime) -> EventData:
            deadline = lift_by or d._default_lifting(now)
            if deadline < local_day(now, d.zone):
                raise _field_error("lift_by", _("La date limite de levée ne peut pas être passée."))
            submission = d.submissions.order_by("-version").first()
            first = (d.reservations.aggregate(n=Max("number"))["n"] or 0) + 1
            for offset, text in enumerate(lines):
                Reservation.objects.create(deliverable=d, submission=submission, number=first + offset,
                                           text=text[:2000], lift_by=deadline, created_at=now)
            d._decide(now, S.RESERVED)
            return events.Reserved(version=d.versions, reservations=lines, lift_by=deadline)

        return self._transition(actor, STEPS["reserve"], change)

    def reject(self, actor: User | None, *, reason: str) -> DeliverableEvent:
        if not reason.strip():
            raise _field_error("reason", _("Dites pourquoi la version est refusée."))

        def change(d: Deliverable, now: datetime) -> EventData:
            d._decide(now, S.REJECTED)
            return events.Rejected(version=d.versions, reason=reason.strip())

        return self._transition(actor, STEPS["reject"], change)

    def lift_reservation(self, actor: User | None, *, number: int, note: str = "") -> DeliverableEvent:
        def change(d: Deliverable, now: datetime) -> EventData:
            reservation = d.reservations.filter(number=number, lifted_at__isnull=True).first()
            if reservation is None:
                raise _field_error("number", _("Aucune réserve n°%(n)s en cours sur ce livrable.")
                                   % {"n": number})
            reservation.lifted_at, reservation.lifted_by, reservation.note = now, actor, note
            reservation.save(update_fields=["lifted_at", "lifted_by", "note"])
            if not d.reservations.filter(lifted_at__isnull=True).exists():
                d.state = S.ACCEPTED  # every reservation lifted: accepted
            return events.ReservationLifted(number=number, note=note)

        return self._transition(actor, STEPS["lift"], change)

    def offers(self, taken: Step, user: User) -> bool:
        """Whether the page offers ``taken`` to ``user`` now."""
        if not taken.allows(self.state) or not access.may(user, self.contract, taken.need):
            return False
        try:
            getattr(self, taken.check)(user)
        except access.NotAllowed:
            return False
        return True

    def _check_validator(self, actor: User | None) -> None:
        if actor is None:
            return
        allowed = {Role(r) for r in self.kind.validators}
        if not access.roles_on(actor, self.contract) & allowed:
            raise access.NotAllowed(_("Seuls les valideurs que la convention désigne pour ce type "
                                      "de livrable peuvent le valider."))

    def _check_responsible(self, actor: User | None) -> None:
        if actor is None:
            return
        roles = access.roles_on(actor, self.contract)
        side = HOLDER_ROLES if self.kind.responsible == "holder" else frozenset(
            {Role.BUYER_MANAGER, Role.LEVEL1_AGENT})
        if not roles & side:
            raise access.NotAllowed(_("Ce livrable est remis par l’autre partie."))

    def _decide(self, now: datetime, state: DeliverableState) -> None:
        self.state, self.decided_at = state, now
        self.submissions.filter(version=self.versions).update(outcome=state, decided_at=now)

    def _default_lifting(self, now: datetime) -> date:
        seconds = self.kind.lifting_seconds
        due = clock_state(ClockSpec("lifting", "", self.terms.calendar, seconds, WARN_RATIO),
                          self.calendar(), now, started_at=now).due_at
        return local_day(due or now, self.zone)

    # -- tacit validation and clocks -----------------------------------------------------------

    def validate_tacitly_if_due(self, now: datetime) -> bool:
        """Validate the latest version tacitly when its type allows it and the validation delay
        ran out undecided (called under the row's lock, by :meth:`recompute_clocks`). The event is
        dated at the instant the delay ran out."""
        if self.state != S.SUBMITTED or not self.kind.tacit:
            return False
        submission = self.submissions.order_by("-version").first()
        if submission is None:
            return False
        state = self._validation_state(submission.submitted_at, None, now)
        if state.due_at is None or state.due_at > now:
            return False
        at = state.due_at
        self._decide(at, S.TACIT)
        self.save(update_fields=["state", "decided_at"])
        self._record(None, at, events.TacitlyValidated(version=self.versions), before=S.SUBMITTED,
                     after=S.TACIT)
        return True

    def _validation_state(self, started: datetime, stopped: datetime | None, now: datetime) -> ClockState:
        spec = ClockSpec("validation", DeliverableClock.label_for("validation") or "", self.terms.calendar,
                         self.kind.validation_seconds, WARN_RATIO)
        return clock_state(spec, self.calendar(), now, started_at=started, stopped_at=stopped)

    def _dated_state(self, kind: str, label: str, started: datetime, due: datetime,
                     stopped: datetime | None, now: datetime, warn_days: int) -> ClockState:
        """A clock judged against a date (the end of a due day) rather than a delay."""
        calendar = self.calendar()
        start = min(started, due)
        end = min(stopped or now, now)
        target = calendar.elapsed(start, due)
        elapsed = calendar.elapsed(start, max(end, start))
        risk = max(start, due - timedelta(days=warn_days))
        over = (stopped or now) > due
        return ClockState(kind=kind, label=label, calendar=self.terms.calendar, target_seconds=target,
                          started_at=start, pauses=(), stopped_at=stopped, elapsed_seconds=elapsed,
                          due_at=due, risk_at=risk, at_risk=(stopped or now) >= risk, breached=over)

    def clock_states(self, now: datetime) -> list[ClockState]:
        zone = self.zone
        submissions = list(self.submissions.order_by("version"))
        first = submissions[0].submitted_at if submissions else None
        states = [self._dated_state("submission", DeliverableClock.label_for("submission") or "", self.expected_since,
                                    end_of_day(self.due_on, zone), first, now, self.terms.warn_days)]
        if submissions:
            latest = submissions[-1]
            stopped = latest.decided_at if latest.decided_at else None
            states.append(self._validation_state(latest.submitted_at, stopped, now))
        for reservation in self.reservations.all():
            kind = f"reservation-{reservation.number}"
            states.append(self._dated_state(
                kind, DeliverableClock.label_for(kind) or kind, reservation.created_at,
                end_of_day(reservation.lift_by, zone), reservation.lifted_at, now, 1))
        return states

    def recompute_clocks(self, now: datetime) -> list[DeliverableClock]:
        """Validate tacitly if due, then store every clock as of ``now``."""
        self.validate_tacitly_if_due(now)
        known = {c.kind: c for c in self.clocks.all()}
        stored = []
        for state in self.clock_states(now):
            row = known.pop(state.kind, None) or DeliverableClock(deliverable=self)
            row.record(state, now)
            row.save()
            stored.append(row)
        return stored

    # -- helpers -----------------------------------------------------------------------------

    def _transition(self, actor: User | None, taken: Step,
                    change: Callable[[Deliverable, datetime], EventData]) -> DeliverableEvent:
        """Lock the row, check need, state and the step's own check from the table, apply
        ``change``, record one event and recompute the clocks."""
        now = clock.now()
        with transaction.atomic():
            locked = (Deliverable.objects.select_for_update(of=("self",))
                      .select_related("contract", "convention_version").get(pk=self.pk))
            if actor is not None:
                access.require(actor, locked.contract, taken.need)
                if not Deliverable.objects.visible_to(actor, locked.contract).filter(pk=locked.pk).exists():
                    raise access.NotAllowed(_("Ce livrable n’est pas visible pour vous."))
            # a tacit validation that fell due before this step comes first
            locked.validate_tacitly_if_due(now)
            before = locked.state
            if not taken.allows(before):
                raise InvalidTransition(_("Action « %(action)s » impossible : le livrable %(ref)s est "
                                          "« %(state)s »."), params={
                    "action": taken.label, "ref": locked.reference, "state": locked.get_state_display()})
            getattr(locked, taken.check)(actor)
            payload = change(locked, now)
            locked.save()
            moved = locked.state != before
            event = locked._record(actor, now, payload, before=before if moved else "",
                                   after=locked.state if moved else "")
            locked.recompute_clocks(now)
        self.refresh_from_db()
        return event

    def _record(self, actor: User | None, at: datetime, payload: EventData, *, before: str = "",
                after: str = "") -> DeliverableEvent:
        stored = payload.as_json()
        link = chain.append(DeliverableEvent, contract=self.contract_id, record=self.pk, kind=payload.kind,
                            actor=actor.pk if actor is not None else None, at=at, payload=stored,
                            state_from=before, state_to=after)
        return DeliverableEvent.objects.create(deliverable=self, kind=payload.kind, actor=actor, at=at,
                                               state_from=before, state_to=after, payload=stored,
                                               contract_id=self.contract_id, seq=link.seq,
                                               previous=link.previous, digest=link.digest)


def periods(every: str, start: date, through: date) -> list[tuple[date, date, str]]:
    """The months, quarters or years from the one holding ``start`` to the one holding
    ``through``: (first day, last day, label)."""
    found = []
    step = {"month": 1, "quarter": 3, "year": 12}[every]
    month = (start.month - 1) // step * step + 1 if every != "year" else 1
    year = start.year
    while date(year, month, 1) <= through:
        first = date(year, month, 1)
        end_month, end_year = month + step, year
        while end_month > 12:
            end_month, end_year = end_month - 12, end_year + 1
        last = date(end_year, end_month, 1) - timedelta(days=1)
        label = {"month": f"{year}-{month:02d}", "quarter": f"{year}-Q{(month - 1) // 3 + 1}",
                 "year": f"{year}"}[every]
        found.append((first, last, label))
        month, year = end_month, end_year
    return found




class DeliverableEvent(AppendOnly):
    """One line of a deliverable's history. Written once; never updated or deleted."""

    deliverable = models.ForeignKey(Deliverable, on_delete=models.PROTECT, related_name="history")
    kind = models.CharField(_lazy("nature"), max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_lazy("auteur"))
    at = models.DateTimeField(_lazy("date"))
    state_from = models.CharField(max_length=30, blank=True, choices=DeliverableState.choices)
    state_to = models.CharField(max_length=30, blank=True, choices=DeliverableState.choices)
    payload = models.JSONField(default=dict, blank=True)
    # the contract's hash chain (jalon.commitments.chain): rank, digest of the event before, own digest
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, null=True, related_name="+",
                                 editable=False)
    seq = models.PositiveBigIntegerField(_lazy("rang dans la chaîne"), null=True, editable=False)
    previous = models.CharField(max_length=64, blank=True, editable=False)
    digest = models.CharField(_lazy("empreinte"), max_length=64, blank=True, editable=False)

    refused_change = "L’historique d’un livrable ne se modifie pas."
    refused_delete = "L’historique d’un livrable ne se supprime pas."

    objects: ClassVar[models.Manager[DeliverableEvent]] = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ("deliverable", "at", "pk")
        verbose_name = _lazy("événement de livrable")
        verbose_name_plural = _lazy("historique des livrables")
        indexes = (models.Index(fields=["kind", "at"], name="deliverable_event_kind_at"),)
        constraints = (models.UniqueConstraint(fields=["contract", "seq"], name="deliverable_event_chain_rank"),)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


    @property
    def data(self) -> EventData:
        return events.read(self.kind, self.payload)


def submission_path(instance: Submission, filename: str) -> str:
    # A random name: the original one is kept in a field, never used as a path.
    return f"deliverables/{instance.deliverable.contract_id}/{instance.deliverable_id}/{uuid.uuid4().hex}"


class Submission(models.Model):
    """One version of a deliverable, never changed once stored (its outcome apart)."""

    deliverable = models.ForeignKey(Deliverable, on_delete=models.PROTECT, related_name="submissions")
    version = models.PositiveIntegerField(_lazy("version"))
    file = models.FileField(upload_to=submission_path, max_length=255)
    original_name = models.CharField(_lazy("nom du fichier"), max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField(_lazy("taille (octets)"))
    sha256 = models.CharField(_lazy("empreinte SHA-256"), max_length=64)
    submitted_by = models.ForeignKey(USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
                                     verbose_name=_lazy("remis par"))
    submitted_at = models.DateTimeField(_lazy("remis le"))
    note = models.TextField(_lazy("note"), blank=True)
    outcome = models.CharField(_lazy("issue"), max_length=30, blank=True, choices=DeliverableState.choices)
    decided_at = models.DateTimeField(_lazy("décidé le"), null=True, blank=True)

    class Meta:
        ordering = ("deliverable", "version")
        verbose_name = _lazy("version de livrable")
        verbose_name_plural = _lazy("versions de livrables")
        constraints = (models.UniqueConstraint(fields=["deliverable", "version"],
                                               name="deliverable_version_unique"),)

    def __str__(self) -> str:
        return f"v{self.version} {self.original_name}"

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
                                         "%(ok)s).") % {"ext": suffix or "—", "ok": ", ".join(allowed)})

    @classmethod
    def store(cls, deliverable: Deliverable, actor: User | None, upload: UploadedFile, version: int,
              note: str, now: datetime) -> Submission:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        name = PurePath(upload.name or "fichier").name[:255]
        submission = cls(deliverable=deliverable, version=version, original_name=name,
                         content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
                         size=upload.size or 0, sha256=digest.hexdigest(), submitted_by=actor,
                         submitted_at=now, note=note)
        upload.seek(0)
        submission.file.save(name, upload, save=False)
        submission.save()
        return submission


class Reservation(models.Model):
    """A reservation on an accepted version, to be lifted by ``lift_by`` (its own clock)."""

    deliverable = models.ForeignKey(Deliverable, on_delete=models.PROTECT, related_name="reservations")
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, null=True, related_name="+")
    number = models.PositiveIntegerField(_lazy("numéro"))
    text = models.TextField(_lazy("réserve"))
    lift_by = models.DateField(_lazy("à lever avant le"))
    created_at = models.DateTimeField(_lazy("émise le"))
    lifted_at = models.DateTimeField(_lazy("levée le"), null=True, blank=True)
    lifted_by = models.ForeignKey(USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_lazy("levée par"))
    note = models.TextField(_lazy("note de levée"), blank=True)

    class Meta:
        ordering = ("deliverable", "number")
        verbose_name = _lazy("réserve")
        verbose_name_plural = _lazy("réserves")
        constraints = (models.UniqueConstraint(fields=["deliverable", "number"],
                                               name="reservation_number_unique"),)

    def __str__(self) -> str:
        return f"R{self.number} {self.text[:40]}"


class DeliverableClock(AbstractClock):
    owner_field = "deliverable"
    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="clocks")

    @classmethod
    def label_for(cls, kind: str) -> str | None:
        if kind.startswith("reservation-") and kind[len("reservation-"):].isdigit():
            return _("Levée de la réserve n°%(n)s") % {"n": kind[len("reservation-"):]}
        return {"submission": _("Remise du livrable"), "validation": _("Validation du livrable")}.get(kind)

    objects: ClassVar[models.Manager[DeliverableClock]] = \
        ClockQuerySet["DeliverableClock"].as_manager()

    class Meta:
        verbose_name = _lazy("délai de livrable")
        verbose_name_plural = _lazy("délais de livrables")
        constraints = (models.UniqueConstraint(fields=["deliverable", "kind"],
                                               name="deliverable_clock_unique"),)
        indexes = (running_due_index("deliverable_clock_running_due"),)

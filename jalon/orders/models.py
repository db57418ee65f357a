"""Price schedules (BPU) and purchase orders (bons de commande).

A :class:`PriceSchedule` is one dated version of a contract's price schedule: its lots, its
work-unit types (quote and execution delays, who may order them), its work units with their unit
prices before tax, and its framework minimum and maximum amounts. A schedule is never edited once
loaded: a new file, or an approved :class:`PriceRevision`, makes a new version that takes effect
on its own date, and the orders keep the prices they were made at.

An :class:`Order` goes through the steps of :mod:`jalon.orders.workflow`; every change goes
through one domain method that locks the row, checks need and state from the table, writes one
append-only :class:`OrderEvent` with a typed payload and recomputes the order's clocks.
"""

from __future__ import annotations

import hashlib
import mimetypes
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import PurePath
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jalon.accounts import access
from jalon.accounts.access import Need
from jalon.accounts.models import Organisation, Role
from jalon.commitments import chain
from jalon.commitments import models as commitments
from jalon.commitments.history import AppendOnly, AppendOnlyQuerySet
from jalon.commitments.models import ClockQuerySet
from jalon.commitments.state import ClockState
from jalon.contracts.models import Contract
from jalon.lib import clock
from jalon.orders import events
from jalon.orders.events import EventData, EventKind
from jalon.orders.queries import OrderQuerySet
from jalon.orders.workflow import (
    OrderState,
    Step,
    step,
)

USER_MODEL = settings.AUTH_USER_MODEL
CENT = Decimal("0.01")
S = OrderState


class InvalidTransition(ValidationError):
    """The order's current state does not allow this action."""


def _field_error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


# -- the price schedule -------------------------------------------------------------------------

class PriceSchedule(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="price_schedules",
                                 verbose_name=_lazy("marché"))
    version = models.PositiveIntegerField(_lazy("version"))
    label = models.CharField(_lazy("libellé"), max_length=200)
    effective_from = models.DateField(_lazy("en vigueur le"))
    calendar = models.CharField(_lazy("calendrier des délais"), max_length=60, default="ho",
                                help_text=_lazy("Calendrier de la convention qui compte les jours "
                                                "ouvrés des délais de devis et d’exécution."))
    currency = models.CharField(_lazy("devise"), max_length=3, default="EUR")
    demo_prices = models.BooleanField(
        _lazy("prix de démonstration"), default=False,
        help_text=_lazy("Les prix ne viennent pas des pièces du marché (absents des sources)."))
    ceiling_warning = models.DecimalField(
        _lazy("seuil d’alerte du maximum"), max_digits=4, decimal_places=2, default=Decimal("0.80"),
        help_text=_lazy("Part du montant maximum commandé au-delà de laquelle la jauge alerte."))
    source_name = models.CharField(_lazy("fichier source"), max_length=255, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True)
    loaded_at = models.DateTimeField(_lazy("chargé le"), default=clock.now)
    loaded_by = models.ForeignKey(USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")

    class Meta:
        ordering = ("contract", "-version")
        verbose_name = _lazy("bordereau de prix")
        verbose_name_plural = _lazy("bordereaux de prix")
        constraints = (models.UniqueConstraint(fields=["contract", "version"], name="schedule_version_unique"),)

    def __str__(self) -> str:
        return f"{self.contract.reference} BPU v{self.version} ({self.effective_from})"

    @classmethod
    def in_force(cls, contract: Contract, on: date) -> PriceSchedule | None:
        """The version in force on ``on``: the latest that took effect by then."""
        return (cls.objects.filter(contract=contract, effective_from__lte=on)
                .order_by("-effective_from", "-version").first())

    def type_of(self, code: str) -> WorkUnitType:
        found = self.types.filter(code=code).first()
        if found is None:
            raise _field_error("type", _("Type d’unité d’œuvre inconnu : %(v)s.") % {"v": code})
        return found


class Lot(models.Model):
    schedule = models.ForeignKey(PriceSchedule, on_delete=models.CASCADE, related_name="lots")
    code = models.CharField(_lazy("code"), max_length=20)
    label = models.CharField(_lazy("libellé"), max_length=200)

    class Meta:
        ordering = ("schedule", "code")
        constraints = (models.UniqueConstraint(fields=["schedule", "code"], name="lot_unique"),)

    def __str__(self) -> str:
        return f"{self.code} — {self.label}"


class WorkUnitType(models.Model):
    """A kind of work unit: its quote and execution delays, and who may order it."""

    schedule = models.ForeignKey(PriceSchedule, on_delete=models.CASCADE, related_name="types")
    code = models.CharField(_lazy("code"), max_length=40)
    label = models.CharField(_lazy("libellé"), max_length=200)
    quote_days = models.PositiveIntegerField(
        _lazy("délai de devis (jours ouvrés)"), null=True, blank=True,
        help_text=_lazy("Délai de remise du chiffrage et de l’engagement de délai ; vide : sans devis."))
    execution_days = models.PositiveIntegerField(
        _lazy("délai d’exécution par défaut (jours ouvrés)"), null=True, blank=True)
    report_days = models.PositiveIntegerField(
        _lazy("délai du rapport après réalisation (jours ouvrés)"), null=True, blank=True,
        help_text=_lazy("Pour un audit : le délai d’exécution court jusqu’à la réalisation, puis "
                        "celui du rapport jusqu’à la livraison."))
    orderers = models.JSONField(
        _lazy("rôles qui commandent"), default=list,
        help_text=_lazy("Les rôles qui commandent ce type, le signent et l’admettent."))
    recurring = models.BooleanField(_lazy("récurrent"), default=False)

    class Meta:
        ordering = ("schedule", "code")
        constraints = (models.UniqueConstraint(fields=["schedule", "code"], name="unit_type_unique"),)

    def __str__(self) -> str:
        return self.label

    def ordered_by(self, roles: Iterable[Role | str]) -> bool:
        return bool({str(r) for r in roles} & set(self.orderers))


class WorkUnit(models.Model):
    schedule = models.ForeignKey(PriceSchedule, on_delete=models.CASCADE, related_name="units")
    lot = models.CharField(_lazy("lot"), max_length=20, blank=True)
    type = models.ForeignKey(WorkUnitType, on_delete=models.PROTECT, related_name="units")
    code = models.CharField(_lazy("code"), max_length=20)
    label = models.CharField(_lazy("libellé"), max_length=300)
    complexity = models.CharField(_lazy("niveau de complexité"), max_length=40, blank=True)
    unit = models.CharField(_lazy("unité"), max_length=40)
    unit_price = models.DecimalField(_lazy("prix unitaire HT"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ("schedule", "pk")
        constraints = (models.UniqueConstraint(fields=["schedule", "code"], name="work_unit_unique"),)

    def __str__(self) -> str:
        return f"{self.code} — {self.label}"


class FrameworkAmount(models.Model):
    """The framework's minimum and maximum amounts before tax, for one period or the whole term."""

    TERM = "term"
    schedule = models.ForeignKey(PriceSchedule, on_delete=models.CASCADE, related_name="amounts")
    period = models.CharField(_lazy("période"), max_length=40,
                              help_text=_lazy("« term » pour toute la durée, sinon une année (2026)."))
    minimum = models.DecimalField(_lazy("minimum HT"), max_digits=14, decimal_places=2, null=True, blank=True)
    maximum = models.DecimalField(_lazy("maximum HT"), max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ("schedule", "period")
        constraints = (models.UniqueConstraint(fields=["schedule", "period"], name="framework_amount_unique"),)

    def __str__(self) -> str:
        return self.period

    def bounds(self, contract: Contract) -> tuple[date, date] | None:
        """The days the amount covers (None: the whole term)."""
        if self.period == self.TERM:
            return None
        year = int(self.period)
        return date(year, 1, 1), date(year, 12, 31)


# -- price revision by index --------------------------------------------------------------------

class PriceIndex(models.Model):
    """A published price index (Syntec, ICT…) and its dated values."""

    code = models.CharField(_lazy("code"), max_length=40, unique=True)
    label = models.CharField(_lazy("libellé"), max_length=200)

    class Meta:
        ordering = ("code",)

    def __str__(self) -> str:
        return self.code

    def value_on(self, day: date) -> IndexValue | None:
        """The last value published by ``day``."""
        return self.values.filter(published_on__lte=day).order_by("-published_on").first()


class IndexValue(models.Model):
    index = models.ForeignKey(PriceIndex, on_delete=models.CASCADE, related_name="values")
    published_on = models.DateField(_lazy("publiée le"))
    value = models.DecimalField(_lazy("valeur"), max_digits=12, decimal_places=4)

    class Meta:
        ordering = ("index", "published_on")
        constraints = (models.UniqueConstraint(fields=["index", "published_on"], name="index_value_unique"),)

    def __str__(self) -> str:
        return f"{self.index_id} {self.published_on}: {self.value}"


class RevisionStatus(models.TextChoices):
    PROPOSED = "proposed", _lazy("Calculée, à approuver")
    APPROVED = "approved", _lazy("Approuvée")


@dataclass(frozen=True)
class RevisedPrice:
    code: str
    label: str
    before: Decimal
    after: Decimal


class PriceRevision(models.Model):
    """A revision P = P0 × (a + b × I/I0): computed, shown, then approved by the buyer manager,
    which makes a new schedule version (past prices are never edited)."""

    base = models.ForeignKey(PriceSchedule, on_delete=models.PROTECT, related_name="revisions",
                             verbose_name=_lazy("bordereau révisé"))
    index = models.ForeignKey(PriceIndex, on_delete=models.PROTECT, related_name="revisions")
    a = models.DecimalField(_lazy("part fixe a"), max_digits=6, decimal_places=4)
    b = models.DecimalField(_lazy("part indexée b"), max_digits=6, decimal_places=4)
    base_value = models.ForeignKey(IndexValue, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_lazy("I0"))
    new_value = models.ForeignKey(IndexValue, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_lazy("I"))
    effective_from = models.DateField(_lazy("prix révisés en vigueur le"))
    status = models.CharField(max_length=10, choices=RevisionStatus.choices, default=RevisionStatus.PROPOSED)
    computed_at = models.DateTimeField(default=clock.now)
    computed_by = models.ForeignKey(USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    result = models.OneToOneField(PriceSchedule, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="made_by_revision")

    class Meta:
        ordering = ("-computed_at",)

    def __str__(self) -> str:
        return f"{self.base} × {self.index_id} ({self.status})"

    @property
    def coefficient(self) -> Decimal:
        return self.a + self.b * self.new_value.value / self.base_value.value

    @classmethod
    def compute(cls, base: PriceSchedule, index: PriceIndex, *, a: Decimal, b: Decimal,
                base_day: date, new_day: date, effective_from: date,
                actor: User | None = None) -> PriceRevision:
        if actor is not None:
            access.require(actor, base.contract, Need.MANAGE_SCHEDULE)
        if abs(a + b - 1) > Decimal("0.0001"):
            raise _field_error("b", _("a + b doit valoir 1 (a = %(a)s, b = %(b)s).") % {"a": a, "b": b})
        i0, i1 = index.value_on(base_day), index.value_on(new_day)
        if i0 is None or i1 is None:
            raise _field_error("index", _("Aucune valeur de l’indice %(i)s publiée au %(d)s.")
                               % {"i": index.code, "d": base_day if i0 is None else new_day})
        if effective_from <= base.effective_from:
            raise _field_error("effective_from", _("Les prix révisés prennent effet après le %(d)s.")
                               % {"d": base.effective_from})
        return cls.objects.create(base=base, index=index, a=a, b=b, base_value=i0, new_value=i1,
                                  effective_from=effective_from, computed_by=actor)

    def prices(self) -> list[RevisedPrice]:
        """Each unit price before and after: P = P0 × (a + b × I/I0), to the cent."""
        k = self.coefficient
        return [RevisedPrice(u.code, u.label, u.unit_price,
                             (u.unit_price * k).quantize(CENT, rounding=ROUND_HALF_UP))
                for u in self.base.units.order_by("pk")]

    def approve(self, actor: User | None) -> PriceSchedule:
        with transaction.atomic():
            locked = PriceRevision.objects.select_for_update().get(pk=self.pk)
            if actor is not None:
                access.require(actor, locked.base.contract, Need.MANAGE_SCHEDULE)
            if locked.status == RevisionStatus.APPROVED:
                raise ValidationError(_("Cette révision est déjà approuvée."))
            revised = {p.code: p.after for p in locked.prices()}
            made = copy_schedule(locked.base, effective_from=locked.effective_from,
                                 label=_("%(label)s — révision %(index)s du %(day)s") % {
                                     "label": locked.base.label, "index": locked.index.code,
                                     "day": locked.new_value.published_on},
                                 prices=revised, actor=actor)
            locked.status, locked.approved_at, locked.approved_by, locked.result = (
                RevisionStatus.APPROVED, clock.now(), actor, made)
            locked.save()
        self.refresh_from_db()
        return made


def copy_schedule(base: PriceSchedule, *, effective_from: date, label: str,
                  prices: dict[str, Decimal], actor: User | None) -> PriceSchedule:
    """A new version of ``base`` with ``prices`` (by work-unit code); ``base`` is untouched."""
    contract = Contract.objects.select_for_update().get(pk=base.contract_id)
    last = PriceSchedule.objects.filter(contract=contract).aggregate(n=Max("version"))["n"] or 0
    made = PriceSchedule.objects.create(
        contract=contract, version=last + 1, label=label, effective_from=effective_from,
        calendar=base.calendar, currency=base.currency, demo_prices=base.demo_prices,
        ceiling_warning=base.ceiling_warning, source_name=base.source_name,
        source_sha256=base.source_sha256, loaded_by=actor)
    for lot in base.lots.all():
        Lot.objects.create(schedule=made, code=lot.code, label=lot.label)
    types = {}
    for kind in base.types.all():
        types[kind.pk] = WorkUnitType.objects.create(
            schedule=made, code=kind.code, label=kind.label, quote_days=kind.quote_days,
            execution_days=kind.execution_days, report_days=kind.report_days,
            orderers=kind.orderers, recurring=kind.recurring)
    for unit in base.units.order_by("pk"):
        WorkUnit.objects.create(schedule=made, lot=unit.lot, type=types[unit.type_id], code=unit.code,
                                label=unit.label, complexity=unit.complexity, unit=unit.unit,
                                unit_price=prices.get(unit.code, unit.unit_price))
    for amount in base.amounts.all():
        FrameworkAmount.objects.create(schedule=made, period=amount.period, minimum=amount.minimum,
                                       maximum=amount.maximum)
    return made


# -- orders ---------------------------------------------------------------------------------------

class Order(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="orders",
                                 verbose_name=_lazy("marché"))
    schedule = models.ForeignKey(PriceSchedule, on_delete=models.PROTECT, related_name="orders",
                                 verbose_name=_lazy("bordereau de prix"))
    number = models.PositiveIntegerField(_lazy("numéro"))
    type = models.ForeignKey(WorkUnitType, on_delete=models.PROTECT, related_name="orders",
                             verbose_name=_lazy("type d’unité d’œuvre"))
    title = models.CharField(_lazy("objet"), max_length=200)
    description = models.TextField(_lazy("expression du besoin"), blank=True)
    requester = models.ForeignKey(USER_MODEL, on_delete=models.PROTECT, related_name="requested_orders",
                                  verbose_name=_lazy("demandeur"))
    service = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="orders", verbose_name=_lazy("service demandeur"))
    state = models.CharField(_lazy("état"), max_length=20, choices=OrderState.choices, default=S.REQUESTED)
    commitment_number = models.CharField(_lazy("numéro d’engagement juridique"), max_length=60, blank=True)
    execution_days = models.PositiveIntegerField(_lazy("délai d’exécution (jours ouvrés)"), null=True, blank=True)
    quoted_days = models.PositiveIntegerField(_lazy("délai proposé au devis (jours ouvrés)"), null=True, blank=True)
    refaction = models.DecimalField(_lazy("réfaction HT"), max_digits=12, decimal_places=2, null=True, blank=True)
    refaction_reason = models.TextField(_lazy("motif de la réfaction"), blank=True)
    deferrals = models.PositiveIntegerField(_lazy("ajournements"), default=0)
    deferred_until = models.DateField(_lazy("nouvelle échéance (ajournement)"), null=True, blank=True)
    tickets = models.ManyToManyField("tickets.Ticket", blank=True, related_name="orders",
                                     verbose_name=_lazy("tickets liés"))
    audit = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="followers",
        verbose_name=_lazy("audit préalable"),
        help_text=_lazy("Une installation haute disponibilité est due 4 semaines après la commande ou, "
                        "si un audit la précède, 4 semaines après l’audit s’il est réalisé plus tard "
                        "(seed 000 §7.6.8)."))
    template = models.ForeignKey("RecurringOrder", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="orders")
    month = models.CharField(_lazy("mois (commande récurrente)"), max_length=7, blank=True)
    requested_at = models.DateTimeField(_lazy("demandé le"))
    signed_at = models.DateTimeField(_lazy("signé le"), null=True, blank=True)
    delivered_at = models.DateTimeField(_lazy("livré le"), null=True, blank=True)
    accepted_at = models.DateTimeField(_lazy("admis le"), null=True, blank=True)
    updated_at = models.DateTimeField(_lazy("modifié le"), auto_now=True)
    due_at = models.DateTimeField(_lazy("échéance la plus proche"), null=True, blank=True)
    risk_at = models.DateTimeField(_lazy("alerte la plus proche"), null=True, blank=True)
    breached = models.BooleanField(_lazy("délai dépassé"), default=False)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ("contract", "-number")
        verbose_name = _lazy("bon de commande")
        verbose_name_plural = _lazy("bons de commande")
        constraints = (
            models.UniqueConstraint(fields=["contract", "number"], name="order_number_unique"),
            models.UniqueConstraint(fields=["template", "month"], condition=Q(template__isnull=False),
                                    name="order_recurring_once"),
        )
        indexes = (models.Index(fields=["contract", "state", "requested_at"], name="order_state"),)

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    @property
    def reference(self) -> str:
        return f"BC-{self.contract.reference}-{self.number}"

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.lines.all()), Decimal("0"))

    @property
    def accepted_amount(self) -> Decimal:
        return self.amount - (self.refaction or Decimal("0"))

    def deferrals_by(self, instant: datetime) -> int:
        """Deferrals pronounced before ``instant`` (a past period's score never moves)."""
        return self.events.filter(kind=EventKind.DEFERRED, at__lt=instant).count()

    # -- creation ----------------------------------------------------------------------------

    @classmethod
    def request(cls, contract: Contract, *, actor: User, title: str, lines: Sequence[tuple[str, Decimal | int | str]],
                description: str = "", requester: User | None = None, tickets: Iterable[Any] = (),
                template: RecurringOrder | None = None, month: str = "", audit: Order | None = None) -> Order:
        """Request an order of ``lines`` (work-unit code, quantity) at the prices of the schedule
        in force today. Every line is of one work-unit type, which ``actor``'s roles must order."""
        access.require(actor, contract, Need.ORDER)
        now = clock.now()
        schedule = PriceSchedule.in_force(contract, now.date())
        if schedule is None:
            raise _field_error("lines", _("Aucun bordereau de prix en vigueur sur le marché %(ref)s.")
                               % {"ref": contract.reference})
        title = title.strip()
        if not title:
            raise _field_error("title", _("L’objet du bon de commande est obligatoire."))
        if not lines:
            raise _field_error("lines", _("Un bon de commande a au moins une ligne."))
        units = {u.code: u for u in schedule.units.select_related("type")}
        chosen: list[tuple[WorkUnit, Decimal]] = []
        for position, (code, quantity) in enumerate(lines, start=1):
            unit = units.get(code)
            if unit is None:
                raise _field_error("lines", _("Ligne %(n)s : unité d’œuvre inconnue du bordereau v%(v)s : "
                                              "%(code)s.") % {"n": position, "v": schedule.version, "code": code})
            try:
                amount = Decimal(str(quantity))
            except ArithmeticError:
                amount = Decimal("-1")
            if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
                raise _field_error("lines", _("Ligne %(n)s : quantité invalide : %(q)s (un nombre positif, "
                                              "au centième).") % {"n": position, "q": quantity})
            chosen.append((unit, amount))
        kinds = {unit.type_id for unit, _q in chosen}
        if len(kinds) > 1:
            raise _field_error("lines", _("Les lignes d’un bon de commande sont d’un seul type d’unité "
                                          "d’œuvre."))
        kind = chosen[0][0].type
        who = requester or actor
        order = cls(contract=contract, schedule=schedule, type=kind, title=title, description=description,
                    requester=who, service=getattr(getattr(who, "profile", None), "organisation", None),
                    requested_at=now, template=template, month=month,
                    execution_days=kind.execution_days)
        order.check_orderer(actor)
        if audit is not None:
            if audit.contract_id != contract.pk or not audit.type.report_days:
                raise _field_error("audit", _("%(ref)s n’est pas un audit de ce marché.") % {"ref": audit.reference})
            order.audit = audit
        linked = list(tickets)
        with transaction.atomic():
            Contract.objects.select_for_update().filter(pk=contract.pk).first()
            last = cls.objects.filter(contract=contract).aggregate(n=Max("number"))["n"]
            order.number = (last or 0) + 1
            order.save()
            for unit, quantity in chosen:
                OrderLine.objects.create(order=order, work_unit=unit, quantity=quantity,
                                         unit_price=unit.unit_price)
            order._record(actor, now, events.Requested(
                title=title, type=kind.code,
                lines=[(u.code, str(q), str(u.unit_price)) for u, q in chosen],
                template=template.pk if template else None,
                ticket=linked[0].pk if linked else None), after=S.REQUESTED)
            for ticket in linked:
                if ticket.contract_id != contract.pk:
                    raise _field_error("tickets", _("Le ticket %(t)s n’est pas de ce marché.") % {"t": ticket})
                order.tickets.add(ticket)
            order.recompute_clocks(now)
        return order

    def link_ticket(self, actor: User | None, ticket: Any) -> None:
        if ticket.contract_id != self.contract_id:
            raise _field_error("ticket", _("Le ticket %(t)s n’est pas de ce marché.") % {"t": ticket})
        with transaction.atomic():
            locked = self._locked(actor, Need.ORDER)
            locked.tickets.add(ticket)
            locked._record(actor, clock.now(), events.TicketLinked(ticket=ticket.pk))

    # -- who may order what ------------------------------------------------------------------

    def check_orderer(self, actor: User | None) -> None:
        """The work-unit type's orderers only (seed 000 §7.7); a requester only for their own
        service's orders."""
        if actor is None:
            return
        roles = access.roles_on(actor, self.contract)
        if not self.type.ordered_by(roles):
            raise access.NotAllowed(_("Votre rôle ne commande pas les unités d’œuvre « %(t)s ».")
                                    % {"t": self.type.label})

    def may_take(self, actor: User, taken: Step) -> bool:
        """Whether the page offers ``taken`` to ``actor`` (need, state and its own check)."""
        if not taken.allows(self.state) or not access.may(actor, self.contract, taken.need):
            return False
        if taken.check:
            try:
                getattr(self, taken.check)(actor)
            except (access.NotAllowed, ValidationError):
                return False
        return True

    def check_reported(self, actor: User | None) -> None:
        if not self.type.report_days:
            raise InvalidTransition(_("Les unités d’œuvre « %(t)s » n’ont pas de réalisation distincte "
                                      "de la livraison.") % {"t": self.type.label})

    # -- transitions: one row each in jalon.orders.workflow -------------------------------------

    def request_quote(self, actor: User | None, note: str = "") -> OrderEvent:
        def change(o: Order) -> EventData:
            if o.type.quote_days is None:
                raise InvalidTransition(_("Les unités d’œuvre « %(t)s » se commandent sans devis.")
                                        % {"t": o.type.label})
            o.state = S.QUOTE_REQUESTED
            return events.QuoteRequested(note=note)

        return self._transition(actor, step("request_quote"), change)

    def deliver_quote(self, actor: User | None, execution_days: int, note: str = "") -> OrderEvent:
        def change(o: Order) -> EventData:
            o._check_days("execution_days", execution_days, minimum=1)
            o.quoted_days = execution_days
            o.state = S.QUOTED
            return events.Quoted(execution_days=execution_days, note=note)

        return self._transition(actor, step("quote"), change)

    def sign(self, actor: User | None, commitment_number: str, execution_days: int = 0) -> OrderEvent:
        def change(o: Order) -> EventData:
            number = commitment_number.strip()
            if not number:
                raise _field_error("commitment_number", _("Le numéro d’engagement juridique est obligatoire."))
            o._check_days("execution_days", execution_days, minimum=0)
            days = execution_days or o.quoted_days or o.type.execution_days
            if not days:
                raise _field_error("execution_days", _("Le délai d’exécution du bon est obligatoire "
                                                       "(ni devis ni délai par défaut pour ce type)."))
            o.commitment_number, o.execution_days = number, days
            o.signed_at, o.state = clock.now(), S.SIGNED
            return events.Signed(commitment_number=number, execution_days=days)

        return self._transition(actor, step("sign"), change)

    def record_performed(self, actor: User | None, note: str = "") -> OrderEvent:
        def change(o: Order) -> EventData:
            if o.events.filter(kind=EventKind.PERFORMED).exists():
                raise InvalidTransition(_("La réalisation est déjà déclarée."))
            return events.Performed(note=note)

        event = self._transition(actor, step("perform"), change)
        for follower in self.followers.all():  # an installation due after this audit
            with transaction.atomic():
                Order.objects.select_for_update().filter(pk=follower.pk).first()
                follower.recompute_clocks(event.at)
        return event

    def add_deliverable(self, actor: User | None, file: UploadedFile) -> Deliverable:
        Deliverable.check_upload(file)
        now = clock.now()
        with transaction.atomic():
            locked = self._locked(actor, step("attach").need)
            if not step("attach").allows(locked.state):
                raise InvalidTransition(_("Le bon %(ref)s n’attend pas de livrable (« %(state)s »).")
                                        % {"ref": locked.reference, "state": locked.get_state_display()})
            stored = Deliverable.store(locked, actor, file)
            locked._record(actor, now, events.DeliverableAdded(
                deliverable=stored.pk, name=stored.original_name, sha256=stored.sha256))
        return stored

    def deliver(self, actor: User | None, note: str = "") -> OrderEvent:
        def change(o: Order) -> EventData:
            since = o.events.filter(kind__in=[EventKind.DELIVERED, EventKind.DEFERRED]).order_by("-at", "-pk").first()
            new = o.deliverables.all()
            if since is not None:
                new = new.filter(uploaded_at__gte=since.at)
            ids = list(new.values_list("pk", flat=True))
            if not ids:
                raise _field_error("file", _("Déposez au moins un livrable avant de livrer."))
            o.delivered_at, o.state = clock.now(), S.DELIVERED
            return events.Delivered(deliverables=ids, note=note)

        return self._transition(actor, step("deliver"), change)

    def admit(self, actor: User | None, note: str = "") -> OrderEvent:
        def change(o: Order) -> EventData:
            o.accepted_at, o.state = clock.now(), S.ADMITTED
            return events.Admitted(reason=note)

        return self._transition(actor, step("admit"), change)

    def admit_with_refaction(self, actor: User | None, amount: Decimal, reason: str) -> OrderEvent:
        def change(o: Order) -> EventData:
            value = Decimal(str(amount))
            if not value.is_finite() or value <= 0 or value > o.amount:
                raise _field_error("amount", _("La réfaction est un montant positif, au plus celui du bon "
                                               "(%(max)s).") % {"max": o.amount})
            if not reason.strip():
                raise _field_error("reason", _("Le motif de la réfaction est obligatoire."))
            o.refaction, o.refaction_reason = value.quantize(CENT), reason.strip()
            o.accepted_at, o.state = clock.now(), S.ADMITTED
            return events.Admitted(refaction=o.refaction, reason=o.refaction_reason)

        return self._transition(actor, step("admit_with_refaction"), change)

    def defer(self, actor: User | None, new_deadline: date, reason: str) -> OrderEvent:
        def change(o: Order) -> EventData:
            if new_deadline <= clock.now().date():
                raise _field_error("new_deadline", _("La nouvelle échéance est postérieure à aujourd’hui."))
            if not reason.strip():
                raise _field_error("reason", _("Le motif de l’ajournement est obligatoire."))
            o.deferrals += 1
            o.deferred_until, o.state = new_deadline, S.DEFERRED
            return events.Deferred(new_deadline=new_deadline, reason=reason.strip(), count=o.deferrals)

        return self._transition(actor, step("defer"), change)

    def reject(self, actor: User | None, reason: str) -> OrderEvent:
        def change(o: Order) -> EventData:
            if not reason.strip():
                raise _field_error("reason", _("Le motif du rejet est obligatoire."))
            o.state = S.REJECTED
            return events.Rejected(reason=reason.strip())

        return self._transition(actor, step("reject"), change)

    def record_service_done(self, actor: User | None, note: str = "") -> OrderEvent:
        def change(o: Order) -> EventData:
            o.state = S.SERVICE_DONE
            return events.ServiceDone(note=note)

        return self._transition(actor, step("service_done"), change)

    def cancel(self, actor: User | None, reason: str) -> OrderEvent:
        def change(o: Order) -> EventData:
            if not reason.strip():
                raise _field_error("reason", _("Le motif de l’annulation est obligatoire."))
            o.state = S.CANCELLED
            return events.Cancelled(reason=reason.strip())

        return self._transition(actor, step("cancel"), change)

    # -- machinery ---------------------------------------------------------------------------

    @staticmethod
    def _check_days(field: str, value: int, *, minimum: int) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= 400:
            raise _field_error(field, _("Un nombre de jours ouvrés entre %(min)s et 400.") % {"min": minimum})

    def _transition(self, actor: User | None, taken: Step, change: Callable[[Order], EventData]) -> OrderEvent:
        now = clock.now()
        with transaction.atomic():
            locked = self._locked(actor, taken.need)
            before = locked.state
            if not taken.allows(before):
                raise InvalidTransition(_("Action « %(action)s » impossible : le bon %(ref)s est « %(state)s ».")
                                        % {"action": taken.label, "ref": locked.reference,
                                           "state": locked.get_state_display()})
            if taken.check:
                getattr(locked, taken.check)(actor)
            payload = change(locked)
            locked.save()
            moved = locked.state != before
            event = locked._record(actor, now, payload, before=before if moved else "",
                                   after=locked.state if moved else "")
            locked.recompute_clocks(now)
        self.refresh_from_db()
        return event

    def _locked(self, actor: User | None, need: Need) -> Order:
        locked = Order.objects.select_for_update().select_related("contract", "type").get(pk=self.pk)
        if actor is not None:
            access.require(actor, locked.contract, need)
            if not Order.objects.visible_to(actor, locked.contract).filter(pk=locked.pk).exists():
                raise access.NotAllowed(_("Ce bon de commande n’est pas visible pour vous."))
        return locked

    def _record(self, actor: User | None, at: datetime, payload: EventData, *, before: str = "",
                after: str = "") -> OrderEvent:
        stored = payload.as_json()
        link = chain.append(OrderEvent, contract=self.contract_id, record=self.pk, kind=payload.kind,
                            actor=actor.pk if actor is not None else None, at=at, payload=stored,
                            state_from=before, state_to=after)
        return OrderEvent.objects.create(order=self, kind=payload.kind, actor=actor, at=at,
                                         state_from=before, state_to=after, payload=stored,
                                         contract_id=self.contract_id, seq=link.seq,
                                         previous=link.previous, digest=link.digest)

    # -- clocks --------------------------------------------------------------------------------

    def clock_states(self, now: datetime) -> list[ClockState]:
        from jalon.orders.clocks import order_clocks

        return order_clocks(self, now)

    def recompute_clocks(self, now: datetime) -> list[OrderClock]:
        states = self.clock_states(now)
        stored = {c.kind: c for c in self.clocks.all()}
        kept = []
        for state in states:
            row = stored.pop(state.kind, None) or OrderClock(order=self)
            row.record(state, now)
            row.save()
            kept.append(row)
        for gone in stored.values():
            gone.delete()
        running = [c for c in kept if c.is_running]
        self.due_at = min((c.due_at for c in running if c.due_at), default=None)
        self.risk_at = min((c.risk_at for c in running if c.risk_at), default=None)
        self.breached = any(c.breached for c in kept)
        Order.objects.filter(pk=self.pk).update(due_at=self.due_at, risk_at=self.risk_at, breached=self.breached)
        return kept


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    work_unit = models.ForeignKey(WorkUnit, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_lazy("unité d’œuvre"))
    quantity = models.DecimalField(_lazy("quantité"), max_digits=10, decimal_places=2)
    unit_price = models.DecimalField(_lazy("prix unitaire HT"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ("order", "pk")

    def __str__(self) -> str:
        return f"{self.work_unit_id} × {self.quantity}"

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)


class OrderEvent(AppendOnly):
    """The append-only history of an order, in its contract's hash chain."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField()
    state_from = models.CharField(max_length=20, blank=True)
    state_to = models.CharField(max_length=20, blank=True)
    payload = models.JSONField(default=dict)
    # the contract's hash chain (jalon.commitments.chain): rank, digest of the event before, own digest
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, null=True, related_name="+",
                                 editable=False)
    seq = models.PositiveBigIntegerField(_lazy("rang dans la chaîne"), null=True, editable=False)
    previous = models.CharField(max_length=64, blank=True, editable=False)
    digest = models.CharField(_lazy("empreinte"), max_length=64, blank=True, editable=False)

    refused_change = "L’historique d’un bon de commande ne se modifie pas."
    refused_delete = "L’historique d’un bon de commande ne se supprime pas."

    objects: ClassVar[models.Manager[OrderEvent]] = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ("order", "at", "pk")
        constraints = (models.UniqueConstraint(fields=["contract", "seq"], name="order_event_chain_rank"),)

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    @property
    def data(self) -> EventData:
        return events.PAYLOADS[self.kind].of(self.payload)


def deliverable_path(instance: Deliverable, filename: str) -> str:
    return f"deliverables/{instance.order.contract_id}/{instance.order_id}/{uuid.uuid4().hex}"


class Deliverable(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="deliverables")
    uploaded_by = models.ForeignKey(USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    file = models.FileField(upload_to=deliverable_path, max_length=255)
    original_name = models.CharField(_lazy("nom du fichier"), max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField(_lazy("taille (octets)"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_lazy("déposé le"), default=clock.now)

    class Meta:
        ordering = ("uploaded_at", "pk")
        verbose_name = _lazy("livrable")

    def __str__(self) -> str:
        return self.original_name

    @staticmethod
    def check_upload(upload: UploadedFile) -> None:
        limit = int(settings.JALON_ATTACHMENT_MAX_BYTES)
        if upload.size is None or upload.size > limit:
            raise _field_error("file", _("Fichier trop volumineux : %(size)s octets (maximum %(max)s).")
                               % {"size": upload.size, "max": limit})
        suffix = PurePath(upload.name or "").suffix.lower().lstrip(".")
        allowed = [e.lower() for e in settings.JALON_ATTACHMENT_EXTENSIONS]
        if suffix not in allowed:
            raise _field_error("file", _("Type de fichier refusé : « %(ext)s » (acceptés : %(ok)s).")
                               % {"ext": suffix or "—", "ok": ", ".join(allowed)})

    @classmethod
    def store(cls, order: Order, actor: User | None, upload: UploadedFile) -> Deliverable:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        name = PurePath(upload.name or "livrable").name[:255]
        found = cls(order=order, uploaded_by=actor, original_name=name,
                    content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
                    size=upload.size or 0, sha256=digest.hexdigest(), uploaded_at=clock.now())
        found.file.save(name, upload, save=False)
        found.save()
        return found


class OrderClock(commitments.AbstractClock):
    owner_field = "order"
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="clocks")

    objects: ClassVar[models.Manager[OrderClock]] = ClockQuerySet.as_manager()

    @property
    def shown_label(self) -> str:
        from jalon.orders.clocks import label

        return label(self.order, self.kind) or self.label

    class Meta:
        ordering = ("order", "kind")
        constraints = (models.UniqueConstraint(fields=["order", "kind"], name="order_clock_unique"),)
        indexes = (commitments.running_due_index("order_clock_running_due"),)

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"


class RecurringOrder(models.Model):
    """A monthly order made from a template (recurring work units: seed 002 UO 1, 3, 4, 6–10)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="recurring_orders")
    title = models.CharField(_lazy("objet"), max_length=200)
    lines = models.JSONField(_lazy("lignes"), help_text=_lazy("[[code, quantité], …]"))
    requester = models.ForeignKey(USER_MODEL, on_delete=models.PROTECT, related_name="+")
    commitment_number = models.CharField(_lazy("numéro d’engagement juridique"), max_length=60, blank=True,
                                         help_text=_lazy("Rempli : le bon du mois est signé dès sa création."))
    execution_days = models.PositiveIntegerField(_lazy("délai d’exécution (jours ouvrés)"), null=True, blank=True,
                                                 help_text=_lazy("Vide : le délai par défaut du type."))
    first_month = models.CharField(_lazy("premier mois"), max_length=7)
    last_month = models.CharField(_lazy("dernier mois"), max_length=7, blank=True)
    active = models.BooleanField(_lazy("actif"), default=True)

    class Meta:
        ordering = ("contract", "title")

    def __str__(self) -> str:
        return self.title

    def issue(self, month: str) -> Order | None:
        """The order of ``month`` (``YYYY-MM``), made once; None outside the template's months."""
        if not self.active or month < self.first_month or (self.last_month and month > self.last_month):
            return None
        if self.made(month):
            return None
        label = f"{self.title} — {month}"
        try:
            # one savepoint: the order of the month is made and signed together, or not at all;
            # another worker that made it first leaves the unique (template, month) to refuse this one
            with transaction.atomic():
                order = Order.request(self.contract, actor=self.requester, title=label,
                                      lines=[(str(c), str(q)) for c, q in self.lines], template=self,
                                      month=month)
                if self.commitment_number:
                    order.sign(self.requester, commitment_number=f"{self.commitment_number}-{month}",
                               execution_days=self.execution_days or 0)
        except IntegrityError:
            if self.made(month):
                return None
            raise
        return order

    def made(self, month: str) -> bool:
        return Order.objects.filter(template=self, month=month).exists()


def end_of_day(day: date, zone: str) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(zone))


def gauge_state(ordered: Decimal, maximum: Decimal | None, warning: Decimal) -> str:
    if maximum is None or maximum <= 0:
        return "none"
    if ordered > maximum:
        return "over"
    return "warning" if ordered >= maximum * warning else "ok"


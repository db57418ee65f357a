"""What the support package records beside the ledger (the ledger itself is the time entries
charged to it, ``tickets.TimeEntry``): the buyer's acknowledgement of a monthly statement,
frozen with the SHA-256 of its content, and the warning thresholds already crossed."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _lazy

from jalon.commitments.history import AppendOnly
from jalon.contracts.models import Contract
from jalon.lib import clock


class Acknowledgement(AppendOnly):
    """The buyer's acknowledgement of one monthly statement (seed 000 §7.2.2, "bilan mensuel"):
    who, when, and the statement as it was, frozen (its content and that content's SHA-256)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_lazy("mois"), help_text=_lazy("Premier jour du mois."))
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                        related_name="+", verbose_name=_lazy("par"))
    acknowledged_at = models.DateTimeField(_lazy("le"), default=clock.now)
    content = models.JSONField(_lazy("relevé"))
    sha256 = models.CharField(_lazy("empreinte SHA-256"), max_length=64)

    objects: ClassVar[models.Manager[Acknowledgement]] = models.Manager()

    class Meta:
        verbose_name = _lazy("relevé mensuel pris en compte")
        verbose_name_plural = _lazy("relevés mensuels pris en compte")
        constraints = (models.UniqueConstraint(fields=["contract", "month"], name="forfait_ack_once"),)

    def __str__(self) -> str:
        return f"{self.contract_id} {self.month:%Y-%m}"


class Alert(AppendOnly):
    """A warning threshold of the package crossed in a contract year: written once (the unique
    constraint), so that however many workers or requests see the crossing, one e-mail goes."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="+")
    year_first_day = models.DateField(_lazy("début de l’année du marché"))
    threshold = models.DecimalField(_lazy("seuil"), max_digits=5, decimal_places=3)
    crossed_at = models.DateTimeField(_lazy("franchi le"), default=clock.now)
    consumed_minutes = models.IntegerField(_lazy("consommé (minutes)"))
    allowance_days = models.FloatField(_lazy("jours du forfait"))

    objects: ClassVar[models.Manager[Alert]] = models.Manager()

    class Meta:
        ordering = ("-crossed_at",)
        verbose_name = _lazy("alerte de consommation du forfait")
        verbose_name_plural = _lazy("alertes de consommation du forfait")
        constraints = (models.UniqueConstraint(fields=["contract", "year_first_day", "threshold"],
                                               name="forfait_alert_once"),)

    def __str__(self) -> str:
        return f"{self.contract_id} {self.year_first_day} {self.threshold}"

    @classmethod
    def claim(cls, contract: Contract, year_first_day: date, threshold: float,
              consumed_minutes: int, allowance_days: float) -> Alert | None:
        """The new alert, or None when another request or worker already recorded it."""
        try:
            with transaction.atomic():  # a savepoint: the caller's transaction goes on
                return cls.objects.create(contract=contract, year_first_day=year_first_day,
                                          threshold=round(threshold, 3),
                                          consumed_minutes=consumed_minutes,
                                          allowance_days=allowance_days)
        except IntegrityError:
            return None

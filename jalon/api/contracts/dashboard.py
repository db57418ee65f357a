"""The dashboard figures (:mod:`jalon.dashboard.figures`) as the API shows them."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema
from pydantic import Field

from jalon.dashboard.figures import Dashboard


class DelayComplianceOut(Schema):
    clock: str
    label: str
    priority: str
    stopped: int = Field(description="Délais arrêtés dans la période.")
    on_time: int
    late: int
    on_time_percent: float | None
    mean_elapsed_seconds: float | None = Field(description="Durée ouvrée moyenne des délais "
                                                           "arrêtés, en secondes.")
    target_seconds: int | None = Field(description="Cible, si tous les délais de la ligne "
                                                   "avaient la même.")


class QualificationDelayOut(Schema):
    calendar: str | None
    count: int = Field(description="Tickets qualifiés pour la première fois dans la période.")
    mean_seconds: float | None = Field(description="Secondes ouvrées, de l’ouverture à la "
                                                   "première qualification.")
    median_seconds: float | None
    max_seconds: int | None


class VolumeOut(Schema):
    type: str
    criticality: str = Field(description="Vide pour un ticket sans criticité.")
    opened: int
    closed: int


class BacklogOut(Schema):
    at: datetime = Field(description="Fin de la période, ou maintenant si plus tôt.")
    count: int
    mean_age_days: float | None = Field(description="Jours calendaires.")
    mean_age_business_seconds: float | None
    oldest_opened_at: datetime | None
    calendar: str | None


class ReopenRateOut(Schema):
    resolved: int = Field(description="Tickets résolus dans la période.")
    reopened: int = Field(description="Parmi eux, ceux rouverts dans la période.")
    percent: float | None


class ClocksAtRiskOut(Schema):
    at: datetime
    at_risk: int = Field(description="Tickets dont un délai en cours a passé son seuil "
                                     "d’alerte sans dépasser sa cible.")
    overdue: int = Field(description="Tickets dont un délai en cours a dépassé sa cible.")


class ForfaitGaugeOut(Schema):
    minutes: int = Field(description="Temps imputé au forfait sur les jours de la période.")
    year_first_day: date = Field(description="Début de l’année du marché qui contient la fin "
                                             "de la période.")
    year_last_day: date
    year_minutes: int = Field(description="Temps imputé depuis le début de cette année du "
                                          "marché jusqu’à la fin de la période.")
    days: float | None = Field(description="« minutes » en jours du forfait ; absent si la "
                                           "convention n’a pas de section « forfait ».")
    year_days: float | None
    allowance_days: float | None = Field(description="Jours du forfait par année du marché.")
    remaining_days: float | None
    share_used: float | None = Field(description="Part du forfait annuel consommée (1 = tout).")
    warn_ratio: float | None = Field(description="Part à partir de laquelle l’acheteur est "
                                                 "alerté.")
    warn: bool = Field(description="La consommation a atteint le seuil d’alerte.")


class ProposalOut(Schema):
    proposal: str = Field(description="definitive, workaround ou evolution.")
    tickets: int


class DiagnosesOut(Schema):
    clock: str = Field(description="Le délai qui mesure le diagnostic (de la prise en charge au "
                                   "diagnostic rendu).")
    label: str
    due: int | None = Field(description="Maintenant : tickets pris en charge dont ce délai court.")
    delivered: int = Field(description="Tickets dont un diagnostic a été rendu dans la période.")
    on_time: int
    late: int = Field(description="Parmi eux, selon ce délai tel qu’il était à la fin de la "
                                  "période.")
    untimed: int = Field(description="Parmi eux, ceux que ce délai ne mesure pas.")
    proposals: list[ProposalOut] = Field(description="Tickets par proposition du diagnostic.")


class DashboardOut(Schema):
    contract: str
    period: str
    first_day: date
    last_day: date
    now: datetime
    delay_compliance: list[DelayComplianceOut]
    qualification_delay: QualificationDelayOut
    volumes: list[VolumeOut]
    backlog: BacklogOut
    reopen_rate: ReopenRateOut
    risk: ClocksAtRiskOut
    forfait: ForfaitGaugeOut
    diagnoses: DiagnosesOut | None = Field(
        description="Diagnostics des anomalies ; absent si la convention ne mesure pas le délai "
                    "de diagnostic.")

    @classmethod
    def of(cls, d: Dashboard) -> DashboardOut:
        return cls(
            contract=d.contract.slug, period=str(d.period), first_day=d.period.first_day,
            last_day=d.period.last_day, now=d.now,
            delay_compliance=[DelayComplianceOut.model_validate(r) for r in d.delay_compliance],
            qualification_delay=QualificationDelayOut.model_validate(d.qualification_delay),
            volumes=[VolumeOut.model_validate(v) for v in d.volumes],
            backlog=BacklogOut.model_validate(d.backlog),
            reopen_rate=ReopenRateOut.model_validate(d.reopen_rate),
            risk=ClocksAtRiskOut.model_validate(d.risk),
            forfait=ForfaitGaugeOut.model_validate(d.forfait),
            diagnoses=None if d.diagnoses is None else DiagnosesOut(
                clock=d.diagnoses.clock, label=d.diagnoses.label, due=d.diagnoses.due,
                delivered=d.diagnoses.delivered, on_time=d.diagnoses.on_time,
                late=d.diagnoses.late, untimed=d.diagnoses.untimed,
                proposals=[ProposalOut(proposal=p, tickets=n) for p, n in d.diagnoses.proposals]),
        )

"""The demo's scorecards, for any demo contract: the holder's manual measures, the last quarter
proposed by the holder and validated by the buyer (frozen, with its archive), the current quarter
in progress (measures entered, one contested by the buyer).

Works from the contract's members and convention only, so that every demo contract (AQUAREEL,
LADE, CD13…) gets the same story: ``load_scorecards(contract, now)``.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User

from jalon.accounts.models import Membership, Role
from jalon.contracts.models import Contract
from jalon.conventions.model import Convention, Indicator
from jalon.conventions.period import Period
from jalon.lib.clock import replaying
from jalon.scorecards.models import ManualMeasure, PeriodScorecard, computed_indicators
from jalon.scorecards.workflow import Status


def _member(contract: Contract, role: Role) -> User | None:
    found = Membership.objects.filter(contract=contract, role=role).select_related("user").order_by("pk").first()
    return found.user if found else None


def _value(rng: random.Random, indicator: Indicator) -> float:
    if indicator.unit == "%":
        return round(rng.uniform(92.0, 100.0), 1)
    return float(rng.randint(1, 4))


def _manual(convention: Convention, contract: Contract) -> list[Indicator]:
    computed = computed_indicators(contract)
    return [i for i in convention.indicators if i.kind == "measure" and i.id not in computed]


def _at(day: date, hour: int, tz: str) -> datetime:
    return datetime.combine(day, time(hour), ZoneInfo(tz))


def load_scorecards(contract: Contract, now: datetime, seed: int = 2026) -> None:
    """The last quarter validated, the current one in progress; nothing if already done."""
    version = contract.current_convention()
    holder, buyer = _member(contract, Role.HOLDER_MANAGER), _member(contract, Role.BUYER_MANAGER)
    done = (PeriodScorecard.objects.filter(contract=contract).exclude(status=Status.DRAFT).exists()
            or ManualMeasure.objects.filter(contract=contract).exists())
    if version is None or holder is None or buyer is None or done:
        return
    convention = version.parsed()
    tz = convention.contract.tz
    rng = random.Random(seed)
    current = Period.quarter_of(now.astimezone(ZoneInfo(tz)).date())
    last = Period.quarter_of(current.first_day - timedelta(days=1))
    manual = _manual(convention, contract)
    for quarter in (last, current):
        entered_on = quarter.last_day if quarter is last else now.astimezone(ZoneInfo(tz)).date()
        at = min(_at(entered_on, 9, tz), now)
        for indicator in manual:
            if indicator.frequency == "yearly" and quarter.last_day.month != 12:
                continue  # an annual indicator is scored in Q4 only
            with replaying(at):
                ManualMeasure.enter(holder, contract, indicator=indicator.id, period=str(quarter),
                                    value=_value(rng, indicator), source="Export de l’outil de supervision",
                                    comment="Mesure de démonstration")
    # the last quarter: proposed five days after its end, validated after one contest answered
    proposed = min(_at(last.last_day + timedelta(days=5), 10, tz), now)
    with replaying(proposed):
        for measure in ManualMeasure.objects.filter(contract=contract, period=str(last)):
            measure.review(buyer, "accepted")
        PeriodScorecard.act(holder, contract, last, "propose")
    first = next((i.id for i in convention.indicators if i.kind != "measure"), None)
    if first is not None:
        with replaying(proposed + timedelta(hours=2)):
            PeriodScorecard.act(buyer, contract, last, "review", indicator=first, verdict="contested",
                                comment="Deux tickets semblent comptés hors délai à tort.")
        with replaying(proposed + timedelta(hours=5)):
            PeriodScorecard.act(holder, contract, last, "answer", indicator=first,
                                comment="Les deux tickets ont été suspendus en attente du demandeur : "
                                        "voir leur historique.")
            PeriodScorecard.act(holder, contract, last, "propose")
        with replaying(proposed + timedelta(days=1)):
            PeriodScorecard.act(buyer, contract, last, "review", indicator=first, verdict="accepted",
                                comment="Vu l’historique, d’accord.")
    with replaying(min(proposed + timedelta(days=2), now)):
        PeriodScorecard.act(buyer, contract, last, "validate")
    # the current quarter: measures entered, one contested
    contested = ManualMeasure.objects.filter(contract=contract, period=str(current)).order_by("indicator").first()
    if contested is not None:
        with replaying(now):
            contested.review(buyer, "contested", "La source ne couvre pas le dernier mois.")

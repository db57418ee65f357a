"""What the period page shows, gathered once: frozen figures and evidence once validated (read
from the archive, nothing recomputed), else the engine's scorecard of the records now."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from jalon.accounts import access
from jalon.contracts.models import Contract
from jalon.conventions.period import Period
from jalon.scorecards import archive, compute
from jalon.scorecards.models import ManualMeasure, PeriodScorecard, ScorecardEvent, computed_indicators
from jalon.scorecards.workflow import STEPS, Status, Step
from jalon.tickets.models import Ticket

EVIDENCE_SHOWN = 300
"""Evidence rows on the page; the archive and the XLSX hold them all."""

DONE: dict[str, Callable[[], str]] = {
    "propose": lambda: _("Tableau de bord proposé à l’acheteur."),
    "review": lambda: _("Avis enregistré sur l’indicateur."),
    "answer": lambda: _("Réponse enregistrée."),
    "validate": lambda: _("Tableau de bord validé et figé : l’archive est disponible."),
    "correct": lambda: _("Correction ouverte : une nouvelle version est en brouillon."),
}
STATUS_BADGE = {Status.DRAFT: "info", Status.PROPOSED: "new", Status.CONTESTED: "warning",
                Status.VALIDATED: "success"}


@dataclass
class PeriodRow:
    period: Period
    status: str
    status_label: Any
    badge: str
    version: int
    archive_url: str | None


def period_rows(contract: Contract, today: date, now: datetime) -> list[PeriodRow]:
    periods = compute.scoring_periods(contract, today)
    PeriodScorecard.open_ended(contract, periods, today, now)
    stored: dict[str, PeriodScorecard] = {}
    validated: dict[str, PeriodScorecard] = {}
    for card in PeriodScorecard.objects.filter(contract=contract).defer("archive", "figures").order_by("version"):
        stored[card.period] = card
        if card.status == Status.VALIDATED:
            validated[card.period] = card
    rows = []
    for period in periods:
        found = stored.get(str(period))
        status = Status(found.status) if found else Status.DRAFT
        frozen = validated.get(str(period))
        rows.append(PeriodRow(period, status, status.label, STATUS_BADGE[status], found.version if found else 1,
                              compute.archive_url(frozen) if frozen else None))
    return rows


@dataclass
class IndicatorRow:
    data: dict[str, Any]
    origin: str
    review: ScorecardEvent | None
    depth: int = 0


@dataclass
class FamilyBlock:
    data: dict[str, Any]
    indicators: list[IndicatorRow]


@dataclass
class PeriodView:
    period: Period
    card: PeriodScorecard | None
    status: Status
    data: dict[str, Any]
    families: list[FamilyBlock]
    evidence_head: list[str]
    evidence: list[tuple[list[Any], str]]
    evidence_total: int
    measures: list[dict[str, Any]]
    computed: list[Any]
    events: list[ScorecardEvent]
    steps: list[Step]
    may_enter: bool
    may_review_measure: bool
    manual_indicators: list[tuple[str, str]]
    versions: list[PeriodScorecard] = field(default_factory=list)
    clocks: list[Any] = field(default_factory=list)


def evidence_heading(column: str) -> str:
    """The engine's evidence column (English, as in the files) in the reader's language."""
    names = {"ticket": _("Ticket"), "clock": _("Horloge"), "type": _("Type"), "priority": _("Priorité"),
             "start (UTC)": _("Début (UTC)"), "pauses": _("Pauses"), "stop (UTC)": _("Fin (UTC)"),
             "business minutes": _("Minutes ouvrées"), "target minutes": _("Cible (minutes ouvrées)"),
             "result": _("Résultat"), "window": _("Fenêtre")}
    return names.get(column, column)


def _rows(text: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.decode("utf-8"))))


def period_view(user: Any, contract: Contract, period: Period, now: datetime) -> PeriodView:
    card = PeriodScorecard.current(contract, period)
    status = Status(card.status) if card else Status.DRAFT
    data = compute.document(contract, period, now)
    live = None
    evidence_total: int | None = None
    if card is not None and card.frozen and card.shown:
        # frozen: the extract stored with the figures (jalon.scorecards.freeze.page_extract)
        head, body = card.shown["evidence_head"], card.shown["evidence"]
        evidence_total = int(card.shown["evidence_total"])
        measures: list[dict[str, Any]] = [dict(m) for m in card.shown["measures"]]
        computed: list[Any] = []
        origins = {(m.get("indicator", ""), m.get("item", "")): _("figée") for m in measures}
    elif card is not None and card.frozen and card.archive:  # frozen before the extract was stored
        with zipfile.ZipFile(io.BytesIO(bytes(card.archive))) as z:
            evidence_rows = _rows(z.read(archive.EVIDENCE))
            frozen_measures = _rows(z.read(archive.MEASURES))
        head, body = evidence_rows[0], evidence_rows[1:]
        measures = [dict(zip(frozen_measures[0], r, strict=False)) for r in frozen_measures[1:]]
        computed = []
        origins = {(m.get("indicator", ""), m.get("item", "")): _("figée") for m in measures}
    else:
        from jalon.conventions import report

        live = compute.score(contract, period, now)
        head = list(report.EVIDENCE_COLUMNS)
        body = [["" if v is None else str(v) for v in row] for row in report.evidence_rows(live.card)]
        measures = [{"indicator": m.indicator, "period": str(m.period), "value": m.value, "item": m.item,
                     "comment": m.comment} for m in live.measures if m.where.startswith("measure:")]
        computed = live.computed
        origins = dict(live.sources)
    manual = {(m.indicator, m.item, m.period): m for m in ManualMeasure.objects.filter(contract=contract)
              .prefetch_related("files")}
    for m in measures:
        row = manual.get((m["indicator"], m.get("item", ""), m["period"]))
        m["record"] = row
        m["source"] = row.source if row else ""
    references = [r[0] for r in body[:EVIDENCE_SHOWN]]
    pks = _ticket_pages(contract, references)
    evidence = [(r, pks.get(r[0], "")) for r in body[:EVIDENCE_SHOWN]]
    reviews = card.reviews() if card else {}
    families = []
    for family in data["families"]:
        rows: list[IndicatorRow] = []
        for indicator in family["indicators"]:
            _flatten(indicator, rows, reviews, origins, 0)
        families.append(FamilyBlock(family, rows))
    steps = [s for s in STEPS if status in s.sources and access.may(user, contract, s.need)]
    version = contract.current_convention()
    computed_ids = computed_indicators(contract)
    manual_indicators = [(i.id, i.label) for i in version.parsed().indicators
                         if i.kind == "measure" and i.id not in computed_ids] if version else []
    return PeriodView(
        period, card, status, data, families, [evidence_heading(h) for h in head], evidence,
        len(body) if evidence_total is None else evidence_total,
        measures, computed,
        list(card.events.select_related("actor")) if card else [], steps,
        access.may(user, contract, access.Need.ENTER_MEASURE) and status != Status.VALIDATED,
        access.may(user, contract, access.Need.REVIEW_MEASURE) and status != Status.VALIDATED,
        manual_indicators,
        list(PeriodScorecard.objects.filter(contract=contract, period=str(period)).defer("archive", "figures")),
        list(card.clocks.order_by("kind")) if card else [],
    )


def _flatten(indicator: dict[str, Any], rows: list[IndicatorRow], reviews: dict[str, ScorecardEvent],
             origins: dict[tuple[str, str], str], depth: int) -> None:
    if indicator["kind"] == "measure":
        found = sorted({v for (i, _item), v in origins.items() if i == indicator["id"]})
        origin = ", ".join(found) or _("aucune mesure")
    elif indicator["kind"] in ("composite",):
        origin = _("composé")
    else:
        origin = _("tickets et horloges")
    rows.append(IndicatorRow(indicator, origin, reviews.get(indicator["id"]), depth))
    for part in indicator.get("parts", []):
        _flatten(part, rows, reviews, origins, depth + 1)


def _ticket_pages(contract: Contract, references: list[str]) -> dict[str, str]:
    """Ticket reference (``AQR-2026-12``) → its page, for the evidence rows shown."""
    prefix = contract.reference + "-"
    numbers = {int(r[len(prefix):]) for r in references if r.startswith(prefix) and r[len(prefix):].isdigit()}
    found = Ticket.objects.filter(contract=contract, number__in=numbers).values_list("number", "pk")
    return {f"{prefix}{number}": reverse("ticket", args=[pk]) for number, pk in found}

"""What the period page shows, gathered once: frozen figures and evidence once validated (read
from the extract stored at the freeze, nothing recomputed), else the engine's scorecard of the
records now.

A frozen scorecard never changes, nor do its indicator tables and evidence: once rendered they
are kept in the shared cache (:func:`frozen_html`, keyed by the scorecard row and its archive's
digest, the language and the templates' own digest), so that a validated period's page costs a few small queries.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.cache import cache
from django.db.models import Prefetch
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jalon.accounts import access
from jalon.contracts.models import Contract
from jalon.conventions.period import Period
from jalon.scorecards import archive, compute
from jalon.scorecards.models import ManualMeasure, MeasureFile, PeriodScorecard, ScorecardEvent, computed_indicators
from jalon.scorecards.workflow import STEPS, Status, Step
from jalon.tickets.models import Ticket

EVIDENCE_SHOWN = 300
"""Evidence rows on the page; the archive and the XLSX hold them all."""

FROZEN_SECTIONS = {"families": "web/_scorecard_families.html", "evidence": "web/_scorecard_evidence.html"}
"""The parts of a frozen period's page rendered once and kept (:func:`frozen_html`)."""

FROZEN_SECONDS = 24 * 3600
"""How long they are kept: a day bounds how long a changed translation takes to show."""

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
class YearLinks:
    year: Period
    months: list[Period]


def other_periods(rows: list[PeriodRow], today: date) -> list[YearLinks]:
    """The years the scored periods cover and their months up to ``today``, most recent first:
    any period can be read (a month's penalties, a year's figures); the scored one is what the
    parties validate (D-60)."""
    if not rows:
        return []
    first = min(row.period.first_day for row in rows)
    last = min(max(row.period.last_day for row in rows), today)
    return [YearLinks(Period.parse(str(year)),
                      [Period.of_months(year, month, 1) for month in range(1, 13)
                       if first <= date(year, month, 1) <= last or (year, month) == (first.year, first.month)])
            for year in range(last.year, first.year - 1, -1)]


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
    evidence_body: SafeString
    evidence_shown: int
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
    frozen_html: dict[str, SafeString] | None = None
    """A frozen period's indicator tables and evidence, rendered (:func:`frozen_html`)."""


def evidence_headings(columns: list[str]) -> list[str]:
    """The engine's evidence columns (English, as in the files) in the reader's language."""
    names = {"ticket": _("Ticket"), "clock": _("Horloge"), "type": _("Type"), "priority": _("Priorité"),
             "start (UTC)": _("Début (UTC)"), "pauses": _("Pauses"), "stop (UTC)": _("Fin (UTC)"),
             "business minutes": _("Minutes ouvrées"), "target minutes": _("Cible (minutes ouvrées)"),
             "result": _("Résultat"), "window": _("Fenêtre")}
    return [names.get(column, column) for column in columns]


def _rows(text: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.decode("utf-8"))))


def period_view(user: Any, contract: Contract, period: Period, now: datetime) -> PeriodView:
    card = PeriodScorecard.current(contract, period)
    status = Status(card.status) if card else Status.DRAFT
    data = compute.document(contract, period, now)
    steps = [s for s in STEPS if status in s.sources and access.may(user, contract, s.need)]
    kept = cache.get(_frozen_key(card)) if card is not None and card.frozen else None
    if card is not None and card.frozen and card.shown:
        # frozen: the extract stored with the figures (jalon.scorecards.freeze.page_extract)
        head, body = card.shown["evidence_head"], card.shown["evidence"]
        evidence_total: int | None = int(card.shown["evidence_total"])
        measures: list[dict[str, Any]] = [dict(m) for m in card.shown["measures"]]
        computed: list[Any] = []
        origins = {(m.get("indicator", ""), m.get("item", "")): _("figée") for m in measures}
    elif card is not None and card.frozen and card.archive:  # frozen before the extract was stored
        with zipfile.ZipFile(io.BytesIO(bytes(card.archive))) as z:
            evidence_rows = _rows(z.read(archive.EVIDENCE))
            frozen_measures = _rows(z.read(archive.MEASURES))
        head, body, evidence_total = evidence_rows[0], evidence_rows[1:], None
        measures = [dict(zip(frozen_measures[0], r, strict=False)) for r in frozen_measures[1:]]
        computed = []
        origins = {(m.get("indicator", ""), m.get("item", "")): _("figée") for m in measures}
    else:
        from jalon.conventions import report

        live = compute.score(contract, period, now)
        head, evidence_total = list(report.EVIDENCE_COLUMNS), None
        body = [["" if v is None else str(v) for v in row] for row in report.evidence_rows(live.card)]
        measures = [{"indicator": m.indicator, "period": str(m.period), "value": m.value, "item": m.item,
                     "comment": m.comment} for m in live.measures if m.where.startswith("measure:")]
        computed = live.computed
        origins = dict(live.sources)
    files = Prefetch("files", MeasureFile.objects.defer("content"))  # the page links to them
    manual = {(m.indicator, m.item, m.period): m for m in ManualMeasure.objects.filter(contract=contract)
              .prefetch_related(files)}
    for m in measures:
        row = manual.get((m["indicator"], m.get("item", ""), m["period"]))
        m["record"] = row
        m["source"] = row.source if row else ""
    families: list[FamilyBlock] = []
    evidence = SafeString("")
    if kept is None:  # what the cache keeps of a frozen period, gathered only when it does not
        reviews = card.reviews() if card else {}
        for family in data["families"]:
            rows: list[IndicatorRow] = []
            for indicator in family["indicators"]:
                _flatten(indicator, rows, reviews, origins, 0)
            families.append(FamilyBlock(family, rows))
        shown = body[:EVIDENCE_SHOWN]
        evidence = evidence_body(shown, _ticket_pages(contract, [r[0] for r in shown]))
    version = contract.current_convention()
    computed_ids = computed_indicators(contract, version)
    manual_indicators = [(i.id, i.label) for i in version.parsed().indicators
                         if i.kind == "measure" and i.id not in computed_ids] if version else []
    view = PeriodView(
        period, card, status, data, families, evidence_headings(head), evidence,
        min(len(body), EVIDENCE_SHOWN), len(body) if evidence_total is None else evidence_total,
        measures, computed,
        list(card.events.select_related("actor")) if card else [], steps,
        access.may(user, contract, access.Need.ENTER_MEASURE) and status != Status.VALIDATED,
        access.may(user, contract, access.Need.REVIEW_MEASURE) and status != Status.VALIDATED,
        manual_indicators,
        list(PeriodScorecard.objects.filter(contract=contract, period=str(period)).defer("archive", "figures")),
        list(card.clocks.order_by("kind")) if card else [],
    )
    if card is not None and card.frozen:
        view.frozen_html = kept or frozen_html(card, contract, view)
    return view


def evidence_body(rows: list[list[str]], pages: dict[str, str]) -> SafeString:
    """The evidence table's rows, the ticket reference linking to its page: written here rather
    than by the template engine, which took most of the page's time for 300 rows of eleven cells."""
    def cells(row: list[str]) -> SafeString:
        first, rest = (row[0], row[1:]) if row else ("", [])
        url = pages.get(first, "")
        head = format_html('<td><a href="{}">{}</a></td>', url, first) if url else format_html("<td>{}</td>", first)
        return SafeString(head + format_html_join("", "<td>{}</td>", ((cell,) for cell in rest)))

    return format_html_join("", "<tr>{}</tr>", ((cells(row),) for row in rows))


def frozen_html(card: PeriodScorecard, contract: Contract, view: PeriodView) -> dict[str, SafeString]:
    """Render a frozen period's indicator tables and evidence, and keep them: the row they come
    from never changes (a correction is a new row). They hold no form: a validated scorecard
    takes no review."""
    context = {"contract": contract, "view": view}
    html = {name: SafeString(render_to_string(template, context)) for name, template in FROZEN_SECTIONS.items()}
    cache.set(_frozen_key(card), html, FROZEN_SECONDS)
    return html


def _frozen_key(card: PeriodScorecard) -> str:
    # the archive's digest too: a restored database may give a row number to another scorecard
    return f"scorecard-page:{card.pk}:{card.archive_sha256}:{get_language()}:{_templates_digest()}"


@functools.cache
def _templates_digest() -> str:
    """The frozen sections' templates, digested once per process: a deployment that changes them
    does not show pages rendered by the old ones."""
    sources = (get_template(name).template.source for name in FROZEN_SECTIONS.values())  # type: ignore[attr-defined]
    return hashlib.sha256("\0".join(sources).encode()).hexdigest()[:12]


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

"""Scorecard renderings: JSON (figures), XLSX and HTML (figures + one evidence row per clock)."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from jalon.conventions.clocks import ClockTable
from jalon.conventions.evaluate import FamilyResult, IndicatorResult, Scorecard

FORMAT = "jalon-scorecard/1"
EVIDENCE_COLUMNS = (
    "ticket",
    "clock",
    "type",
    "priority",
    "start (UTC)",
    "pauses",
    "stop (UTC)",
    "business minutes",
    "target minutes",
    "result",
)


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def indicator_dict(result: IndicatorResult) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": result.id,
        "label": result.label,
        "kind": result.kind,
        "unit": result.unit,
        "value": _round(result.value),
        "target": result.target,
        "met": result.met,
        "weight": result.weight,
        "evidence_count": result.evidence,
        "counted": result.counted,
    }
    if result.note is not None:
        data["note"] = _round(result.note)
        data["deducted"] = _round(result.deducted)
    if result.points is not None:
        data["penalty_points"] = _round(result.points)
        data["steps"] = _round(result.steps)
    if result.reason:
        data["reason"] = result.reason
    if result.windows and len(result.windows) > 1:
        data["windows"] = [
            {
                "period": w.period,
                "value": _round(w.value),
                "evidence_count": w.evidence,
                "penalty_points": _round(w.points),
            }
            for w in result.windows
        ]
    if result.per_item:
        data["items"] = {k: _round(v) for k, v in result.per_item.items()}
    if result.parts:
        data["parts"] = [indicator_dict(p) for p in result.parts]
    return data


def family_dict(family: FamilyResult) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": family.id,
        "label": family.label,
        "scoring": family.scoring,
        "weight": family.cost_share,
        "note": _round(family.note),
        "penalty_points": _round(family.points),
        "indicators": [indicator_dict(i) for i in family.indicators],
    }
    if family.item_notes:
        data["item_notes"] = {k: _round(v) for k, v in family.item_notes.items()}
    return data


def scorecard_dict(card: Scorecard) -> dict[str, Any]:
    conv = card.convention
    return {
        "format": FORMAT,
        "contract": {
            "id": conv.contract.id,
            "title": conv.contract.title,
            "buyer": conv.contract.buyer.name,
            "holder": conv.contract.holder.name,
        },
        "period": str(card.period),
        "convention": {"file": conv.path, "version": conv.version, "sha256": conv.sha256},
        "tickets": {
            "file": card.tickets.source if card.tickets is not None else None,
            "profile": card.profile,
            "count": len(card.tickets) if card.tickets is not None else 0,
        },
        "families": [family_dict(f) for f in card.families],
        "global_note": _round(card.global_note),
        "total_penalty_points": _round(card.total_points),
        "money": None if card.money is None else {"amount": round(card.money, 2), "currency": conv.scoring.currency},
        "bonus_malus": card.bonus_malus,
        "probation": card.probation,
        "clocks": {
            cid: {
                "count": len(t),
                "met": int((t.met() & ~t.running).sum()),
                "overrun": int((~t.met()).sum()),
                "running": int(t.running.sum()),
            }
            for cid, t in card.clocks.items()
        },
        "warnings": card.warnings,
    }


def _text(instant: np.datetime64) -> str:
    return "" if np.isnat(instant) else str(instant).replace("T", " ")


def evidence_rows(card: Scorecard) -> Iterator[tuple[Any, ...]]:
    """One row per clock: the figures behind every clock indicator, to check by hand."""
    if card.tickets is None:
        return
    conv = card.convention
    priorities = [p.id for p in conv.priorities]
    for table in card.clocks.values():
        yield from _clock_rows(card, table, priorities)


def _clock_rows(card: Scorecard, table: ClockTable, priorities: list[str]) -> Iterator[tuple[Any, ...]]:
    assert card.tickets is not None
    conv = card.convention
    pauses: dict[int, list[str]] = {}
    for owner, lo, hi in zip(table.pause_owner, table.pause_start, table.pause_end, strict=True):
        pauses.setdefault(int(owner), []).append(f"{_text(lo)} → {_text(hi)}")
    met = table.met()
    assert card.mapped is not None
    types = card.mapped.types[table.ticket]
    prios = card.mapped.priorities[table.ticket]
    for row in range(len(table)):
        ticket = int(table.ticket[row])
        result = "en cours" if table.running[row] else ("respecté" if met[row] else "dépassé")
        yield (
            str(card.tickets.ids[ticket]),
            table.definition.id,
            conv.types[types[row]] if types[row] >= 0 else "",
            priorities[prios[row]] if prios[row] >= 0 else "",
            _text(table.start[row]),
            "; ".join(pauses.get(row, [])),
            _text(table.stop[row]),
            round(int(table.elapsed[row]) / 60, 1),
            round(int(table.target[row]) / 60, 1),
            result,
        )


def write_xlsx(card: Scorecard, path: str | Path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)  # streams rows: the evidence sheet may hold millions
    summary = book.create_sheet("Synthèse")
    data = scorecard_dict(card)
    summary.append(["Contrat", data["contract"]["title"]])
    summary.append(["Période", data["period"]])
    summary.append(["Convention", f"{card.convention.path} v{card.convention.version}"])
    summary.append(["Empreinte (SHA-256)", card.convention.sha256])
    summary.append(["Note globale", data["global_note"]])
    summary.append(["Points de pénalité", data["total_penalty_points"]])
    if data["money"]:
        summary.append(["Montant", data["money"]["amount"], data["money"]["currency"]])
    summary.append(["Bonus / malus", data["bonus_malus"]])
    summary.append([])
    summary.append(["Famille", "Libellé", "Poids", "Note", "Points"])
    for family in card.families:
        summary.append([family.id, family.label, family.cost_share, _round(family.note), _round(family.points)])
    for family in card.families:
        sheet = book.create_sheet(family.id[:31])
        sheet.append(
            [
                "Indicateur",
                "Libellé",
                "Valeur",
                "Unité",
                "Cible",
                "Respecté",
                "Note",
                "Points",
                "Poids",
                "Preuves",
                "Remarque",
            ]
        )
        for result in family.indicators:
            for row in _flatten(result):
                sheet.append(row)
    evidence = book.create_sheet("Preuves")
    evidence.append(list(EVIDENCE_COLUMNS))
    for clock_row in evidence_rows(card):
        evidence.append(list(clock_row))
    book.save(str(path))


def _flatten(result: IndicatorResult, prefix: str = "") -> Iterator[list[Any]]:
    yield [
        prefix + result.id,
        result.label,
        _round(result.value),
        result.unit,
        result.target,
        result.met,
        _round(result.note),
        _round(result.points),
        result.weight,
        result.evidence,
        result.reason,
    ]
    for part in result.parts:
        yield from _flatten(part, prefix="  ")


def render_html(card: Scorecard) -> str:
    data = scorecard_dict(card)
    esc = html.escape
    out = [
        "<!doctype html><html lang='fr'><meta charset='utf-8'>",
        f"<title>{esc(data['contract']['title'])} — {esc(data['period'])}</title>",
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:2px 6px}</style>",
        f"<h1>{esc(data['contract']['title'])} — {esc(data['period'])}</h1>",
        f"<p>Convention {esc(card.convention.path)} v{esc(card.convention.version)}, "
        f"SHA-256 <code>{card.convention.sha256}</code></p>",
        f"<p>Note globale : {data['global_note']} — points de pénalité : "
        f"{data['total_penalty_points']} — bonus/malus : {esc(str(data['bonus_malus']))}</p>",
    ]
    head = (
        "Indicateur",
        "Libellé",
        "Valeur",
        "Unité",
        "Cible",
        "Respecté",
        "Note",
        "Points",
        "Poids",
        "Preuves",
        "Remarque",
    )
    for family in card.families:
        out.append(f"<h2>{esc(family.label)} — note {_round(family.note)}, points {_round(family.points)}</h2>")
        out.append(_table(head, (row for r in family.indicators for row in _flatten(r))))
    out.append("<h2>Preuves (une ligne par horloge)</h2>")
    out.append(_table(EVIDENCE_COLUMNS, evidence_rows(card)))
    out.append("</html>")
    return "\n".join(out)


def _table(head: tuple[str, ...], rows: Any) -> str:
    esc = html.escape
    parts = ["<table><tr>", *(f"<th>{esc(h)}</th>" for h in head), "</tr>"]
    for row in rows:
        cells = "".join(f"<td>{esc('' if v is None else str(v))}</td>" for v in row)
        parts.append(f"<tr>{cells}</tr>")
    parts.append("</table>")
    return "".join(parts)

"""Scorecard renderings: JSON (figures), XLSX and HTML (figures + one evidence row per clock)."""

from __future__ import annotations

import html
from collections.abc import Iterator
from itertools import chain, islice
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from jalon.conventions.clocks import ClockTable
from jalon.conventions.evaluate import FamilyResult, IndicatorResult, Scorecard
from jalon.conventions.period import Period

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
    "window",
)
"""The evidence's columns in the files (``evidence.csv`` of an archive, read back by ``verify``)."""
EVIDENCE_HEADINGS = ("Ticket", "Horloge", "Type", "Priorité", "Début (UTC)", "Pauses", "Fin (UTC)",
                     "Minutes ouvrées", "Cible (minutes ouvrées)", "Résultat", "Fenêtre")
"""The same columns as the French documents (XLSX, HTML) head them, units included."""


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
                "overrun": int((~t.met() & ~t.running).sum()),  # a running clock is not judged yet
                "running": int(t.running.sum()),
            }
            for cid, t in card.clocks.items()
        },
        "warnings": card.warnings,
    }


def _texts(instants: npt.NDArray[np.datetime64]) -> list[str]:
    """``YYYY-MM-DD HH:MM:SS`` per instant, ``""`` for NaT: converted as a column, not one by one."""
    texts = np.datetime_as_string(instants.astype("datetime64[s]"), unit="s").tolist()
    return ["" if text == "NaT" else text.replace("T", " ") for text in texts]


def evidence_rows(card: Scorecard) -> Iterator[tuple[Any, ...]]:
    """One row per clock as it stood at the period's end: the figures behind every clock
    indicator, to check by hand. A month inside the period judges its clocks as they stood at
    the month's end (D-08): a clock stopped in the month that stood otherwise at the period's end
    (reopened since) has one more row, with that month as its window."""
    if card.tickets is None:
        return
    conv = card.convention
    priorities = [p.id for p in conv.priorities]
    for table in card.clocks.values():
        yield from _clock_rows(card, table, priorities, str(card.period))
    tz = conv.contract.tz
    for window, tables in card.window_clocks.items():
        start, end = Period.parse(window).bounds(tz)
        for clock_id, table in tables.items():
            stopped = ~table.running & (table.stop >= start) & (table.stop < end)
            keep = stopped & _changed_since(table, card.clocks[clock_id])
            yield from _clock_rows(card, table, priorities, window, keep)


def _changed_since(table: ClockTable, final: ClockTable) -> npt.NDArray[np.bool_]:
    """Rows of ``table`` whose clock stands otherwise (or not at all) in ``final``."""
    row_of = dict(zip(final.ticket.tolist(), range(len(final)), strict=True))
    rows = np.array([row_of.get(ticket, -1) for ticket in table.ticket.tolist()], np.int64)
    found = rows >= 0
    same = np.zeros(len(table), bool)
    same[found] = (
        (table.stop[found] == final.stop[rows[found]])
        & (table.elapsed[found] == final.elapsed[rows[found]])
        & ~final.running[rows[found]]
    )
    return ~same


def _clock_rows(
    card: Scorecard,
    table: ClockTable,
    priorities: list[str],
    window: str,
    keep: npt.NDArray[np.bool_] | None = None,
) -> Iterator[tuple[Any, ...]]:
    assert card.tickets is not None
    assert card.mapped is not None
    conv = card.convention
    pauses: dict[int, list[str]] = {}
    spans = zip(table.pause_owner.tolist(), _texts(table.pause_start), _texts(table.pause_end), strict=True)
    for owner, lo, hi in spans:
        pauses.setdefault(owner, []).append(f"{lo} → {hi}")
    types = [conv.types[code] if code >= 0 else "" for code in card.mapped.types[table.ticket].tolist()]
    prios = [priorities[code] if code >= 0 else "" for code in card.mapped.priorities[table.ticket].tolist()]
    results = np.where(table.running, "en cours", np.where(table.met(), "respecté", "dépassé")).tolist()
    columns = zip(
        [str(ticket_id) for ticket_id in card.tickets.ids[table.ticket].tolist()],
        types,
        prios,
        _texts(table.start),
        _texts(table.stop),
        [round(seconds / 60, 1) for seconds in table.elapsed.tolist()],
        [round(seconds / 60, 1) for seconds in table.target.tolist()],
        results,
        strict=True,
    )
    clock = table.definition.id
    for row, (ticket, kind, priority, start, stop, elapsed, target, result) in enumerate(columns):
        if keep is None or keep[row]:
            pause = "; ".join(pauses.get(row, []))
            yield (ticket, clock, kind, priority, start, pause, stop, elapsed, target, result, window)


INDICATOR_COLUMNS = (
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


def write_xlsx(card: Scorecard, path: str | Path) -> None:
    from jalon.lib.xlsx import MAX_ROWS, XlsxWriter

    with XlsxWriter(path) as book:
        book.sheet("Synthèse", None, _summary_rows(card))
        for family in card.families:
            rows = (row for result in family.indicators for row in _flatten(result))
            book.sheet(family.id[:31], INDICATOR_COLUMNS, rows)
        # A sheet holds 1,048,576 rows: more clocks than that go on "Preuves 2", "Preuves 3"…
        evidence = evidence_rows(card)
        pending = next(evidence, None)
        part = 1
        while True:
            head = [] if pending is None else [pending]
            name = "Preuves" if part == 1 else f"Preuves {part}"
            book.sheet(name, EVIDENCE_HEADINGS, chain(head, islice(evidence, MAX_ROWS - 2)))
            pending = next(evidence, None)
            if pending is None:
                break
            part += 1


def _summary_rows(card: Scorecard) -> Iterator[list[Any]]:
    data = scorecard_dict(card)
    yield ["Contrat", data["contract"]["title"]]
    yield ["Période", data["period"]]
    yield ["Convention", f"{card.convention.path} v{card.convention.version}"]
    yield ["Empreinte (SHA-256)", card.convention.sha256]
    yield ["Note globale", data["global_note"]]
    yield ["Points de pénalité", data["total_penalty_points"]]
    if data["money"]:
        yield ["Montant", data["money"]["amount"], data["money"]["currency"]]
    yield ["Bonus / malus", data["bonus_malus"]]
    yield []
    yield ["Famille", "Libellé", "Poids", "Note", "Points"]
    for family in card.families:
        yield [family.id, family.label, family.cost_share, _round(family.note), _round(family.points)]


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
    head = INDICATOR_COLUMNS
    for family in card.families:
        out.append(f"<h2>{esc(family.label)} — note {_round(family.note)}, points {_round(family.points)}</h2>")
        out.append(_table(head, (row for r in family.indicators for row in _flatten(r))))
    out.append("<h2>Preuves (une ligne par horloge)</h2>")
    out.append(_table(EVIDENCE_HEADINGS, evidence_rows(card)))
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

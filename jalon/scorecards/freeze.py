"""Validating freezes a period: figures, the digest of every input, the archive.

Called by :meth:`PeriodScorecard.act` in the validating transaction, with the contract locked,
so that nothing the figures read changes in between.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from jalon.scorecards import archive
from jalon.scorecards.compute import Live, figures, score
from jalon.scorecards.models import MeasureFile, PeriodScorecard
from jalon.scorecards.pdf import scorecard_pdf
from jalon.scorecards.workflow import Status


def members(card: PeriodScorecard, live: Live, data: dict[str, Any]) -> dict[str, bytes]:
    tickets, events = archive.tickets_csv(live.card.tickets) if live.card.tickets is not None else (b"", b"")
    version = live.version
    out = {
        archive.FIGURES: archive.canonical(data),
        archive.TICKETS: tickets,
        archive.EVENTS: events,
        archive.MEASURES: archive.measures_csv(live.measures),
        archive.EVIDENCE: archive.evidence_csv(live.card),
        archive.CONVENTION_DIR + version.source_name: version.text.encode("utf-8"),
        archive.PDF: scorecard_pdf(dict(data, status=Status.VALIDATED, version=card.version)),
    }
    manual = [int(m.where.split(":", 1)[1]) for m in live.measures if m.where.startswith("measure:")]
    for f in MeasureFile.objects.filter(measure_id__in=manual).order_by("measure_id", "pk"):
        out[f"files/{f.measure_id}-{f.pk}-{f.name}"] = bytes(f.content)
    return out


SHOWN_ROWS = 300
"""Evidence rows a validated scorecard's page shows (the archive and the XLSX hold them all)."""


def page_extract(inputs: dict[str, bytes]) -> dict[str, Any]:
    """What the page of the validated scorecard shows besides the figures, taken from the frozen
    members themselves: the evidence's header, its first :data:`SHOWN_ROWS` rows and its count,
    and the frozen measures (as ``{column: value}``)."""
    import csv
    import io

    evidence = csv.reader(io.StringIO(inputs[archive.EVIDENCE].decode("utf-8")))
    head = next(evidence, [])
    rows, total = [], 0
    for row in evidence:
        if total < SHOWN_ROWS:
            rows.append(row)
        total += 1
    measures = list(csv.reader(io.StringIO(inputs[archive.MEASURES].decode("utf-8"))))
    return {"evidence_head": head, "evidence": rows, "evidence_total": total,
            "measures": [dict(zip(measures[0], r, strict=False)) for r in measures[1:]] if measures else []}


def freeze(card: PeriodScorecard, user: Any, now: datetime) -> None:
    live = score(card.contract, card.parsed_period, now)
    data = figures(live.card)
    inputs = members(card, live, data)
    manifest = {
        "contract": card.contract.slug, "period": card.period, "version": card.version,
        "convention": {"file": live.version.source_name, "number": live.version.number,
                       "version": live.convention.version, "sha256": live.version.sha256},
        "tickets_source": live.card.tickets.source if live.card.tickets is not None else "",
        "frozen_at": now.isoformat(), "frozen_by": getattr(user, "username", ""),
        "reason": card.reason,
    }
    blob = archive.build(manifest, inputs)
    card.status = Status.VALIDATED
    card.validated_at, card.validated_by = now, user
    card.convention_version = live.version
    card.figures = data
    card.shown = page_extract(inputs)
    card.digests = {name: archive.sha256(content) for name, content in sorted(inputs.items())}
    card.archive = blob
    card.archive_sha256 = hashlib.sha256(blob).hexdigest()
    card._freezing = True  # type: ignore[attr-defined]
    try:
        card.save()
    finally:
        card._freezing = False  # type: ignore[attr-defined]

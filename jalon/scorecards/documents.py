"""The scorecard's documents: XLSX (the engine's writer) and the engine's scorecard behind them."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.utils import timezone

from jalon.contracts.models import Contract
from jalon.conventions.evaluate import Scorecard
from jalon.conventions.period import Period
from jalon.scorecards import compute
from jalon.scorecards.archive import scorecard_from
from jalon.scorecards.models import PeriodScorecard
from jalon.scorecards.workflow import Status


def card_of(contract: Contract, period: Period) -> Scorecard:
    """The engine's scorecard: recomputed from the frozen archive's inputs once validated (the
    same figures: :func:`jalon.scorecards.archive.verify` checks it), else scored now."""
    frozen = (PeriodScorecard.objects.filter(contract=contract, period=str(period), status=Status.VALIDATED)
              .order_by("-version").first())
    if frozen is not None and frozen.archive:
        return scorecard_from(bytes(frozen.archive))
    return compute.score(contract, period, timezone.now()).card


def write_xlsx(contract: Contract, period: Period, out: str) -> None:
    """Numbers as numbers, the unit beside each value, one sheet per family, then the evidence."""
    from jalon.conventions import report

    report.write_xlsx(card_of(contract, period), out)


def xlsx_bytes(contract: Contract, period: Period) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scorecard.xlsx"
        write_xlsx(contract, period, str(path))
        return path.read_bytes()

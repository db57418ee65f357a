"""The early warnings of the support package (seed 000 §7.2.2, "alerte anticipée en cas
d'approche de la limite du forfait"; D-82): which thresholds a contract year has newly crossed.

:func:`new_crossings` records each crossing once (``Alert``'s unique constraint, in a savepoint),
so that however many requests or workers see it, only the first gets it back and sends the
e-mails (``jalon.messaging.notify.forfait_alerts``). The home page reads :func:`standing`.
"""

from __future__ import annotations

from datetime import date

from jalon.contracts.models import Contract
from jalon.forfait import ledger
from jalon.forfait.models import Alert


def new_crossings(contract: Contract, day: date) -> tuple[ledger.LedgerYear, list[Alert]]:
    """The ledger year holding ``day`` and the thresholds it crossed that no one recorded yet."""
    book = ledger.year_of(contract, day, with_lines=False)
    claimed = []
    for threshold in book.crossed():
        alert = Alert.claim(contract, book.year.first_day, threshold, book.consumed_minutes,
                            book.allowance_days or 0.0)
        if alert is not None:
            claimed.append(alert)
    return book, claimed


def standing(contract: Contract, today: date) -> ledger.LedgerYear | None:
    """Today's contract year when it has crossed a threshold (for the home page), else None."""
    book = ledger.year_of(contract, today, with_lines=False)
    return book if book.crossed() else None

"""The monthly statement of the support package (seed 000 §7.2.2, "bilan mensuel de
consommation"): each intervention charged in the month with its ticket, date, person and time,
the running total of the contract year and what remains; the buyer acknowledges it.

A statement is a plain dictionary (its *content*), built from the ledger while it is open and
read from the acknowledgement once acknowledged: the acknowledgement freezes it with the
SHA-256 of its canonical JSON, so the PDF and XLSX of an acknowledged month never change.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from jalon.accounts import access
from jalon.accounts.access import Need
from jalon.contracts.models import Contract
from jalon.forfait import ledger, render
from jalon.forfait.models import Acknowledgement
from jalon.lib import clock

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class StatementError(ValueError):
    """A month or a request the statement cannot answer; the message is for people."""


def parse_month(text: str) -> date:
    """``YYYY-MM`` as the month's first day."""
    found = MONTH.match(text.strip())
    if not found or not 1 <= int(found[2]) <= 12:
        raise StatementError(_("Mois attendu au format AAAA-MM : %(v)s.") % {"v": text})
    return date(int(found[1]), int(found[2]), 1)


def month_last_day(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def person_name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def build(contract: Contract, month: date) -> dict[str, Any]:
    """The statement of ``month`` as the ledger has it now."""
    last = month_last_day(month)
    book = ledger.year_of(contract, last, up_to=last)
    rows, opening = [], 0
    for line in book.lines:
        entry = line.entry
        if entry.spent_on < month:
            opening = line.running_minutes
            continue
        rows.append({
            "entry": entry.pk, "kind": entry.kind, "corrects": entry.corrects_id,
            "ticket": entry.ticket.reference, "ticket_title": entry.ticket.title,
            "date": entry.spent_on.isoformat(), "person": person_name(entry.person),
            "note": entry.note, "minutes": entry.minutes, "amount": book.amount(entry.minutes),
            "running_minutes": line.running_minutes, "running": book.amount(line.running_minutes),
            "remaining": _round(book.remaining_after(line.running_minutes)),
        })
    closing = book.consumed_minutes
    return {
        "contract": contract.slug, "contract_reference": contract.reference,
        "contract_name": contract.name, "month": f"{month:%Y-%m}",
        "year_first_day": book.year.first_day.isoformat(),
        "year_last_day": book.year.last_day.isoformat(),
        "unit": book.unit, "day_minutes": book.terms.day_minutes if book.terms else None,
        "allowance_days": _round(book.allowance_days), "carried_days": _round(book.carried_days),
        "opening_minutes": opening, "opening": book.amount(opening),
        "month_minutes": closing - opening,
        "month_amount": book.amount(closing - opening),
        "closing_minutes": closing, "closing": book.amount(closing),
        "remaining": _round(book.remaining_after(closing)),
        "lines": rows,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def digest(content: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a statement (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Statement:
    content: dict[str, Any]
    acknowledgement: Acknowledgement | None

    @property
    def frozen(self) -> bool:
        return self.acknowledgement is not None

    @property
    def sha256(self) -> str:
        return self.acknowledgement.sha256 if self.acknowledgement else digest(self.content)

    @property
    def acknowledged(self) -> dict[str, str] | None:
        ack = self.acknowledgement
        if ack is None:
            return None
        return {"by": person_name(ack.acknowledged_by),
                "at": date_format(localtime(ack.acknowledged_at), "DATETIME_FORMAT")}

    def render(self, fmt: str) -> bytes:
        """The statement as a ``pdf`` or ``xlsx`` file."""
        return render.render(fmt, self.content, self.sha256, self.acknowledged)

    def filename(self, fmt: str) -> str:
        return f"forfait-{self.content['contract']}-{self.content['month']}.{fmt}"


def of(contract: Contract, month: date) -> Statement:
    """The acknowledged statement as it was frozen, else the statement as the ledger has it."""
    ack = Acknowledgement.objects.filter(contract=contract, month=month).select_related(
        "acknowledged_by").first()
    if ack is not None:
        return Statement(ack.content, ack)
    return Statement(build(contract, month), None)


def acknowledge(actor: User, contract: Contract, month: date) -> Acknowledgement:
    """The buyer takes note of the month's statement: it is frozen as it is now."""
    access.require(actor, contract, Need.ACKNOWLEDGE_STATEMENT)
    if month_last_day(month) >= timezone.localdate(clock.now()):
        raise StatementError(_("Le relevé d’un mois se prend en compte une fois le mois terminé."))
    content = build(contract, month)
    try:
        with transaction.atomic():
            return Acknowledgement.objects.create(contract=contract, month=month, acknowledged_by=actor,
                                                  acknowledged_at=clock.now(), content=content,
                                                  sha256=digest(content))
    except IntegrityError:
        raise StatementError(_("Ce relevé a déjà été pris en compte.")) from None

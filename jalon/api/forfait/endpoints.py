"""``/contracts/{slug}/forfait``: the support package of a contract year (seed 000 §7.2), its
ledger (append-only; a correction is a reversal and a replacement), the monthly statements and
their acknowledgement by the buyer. Same rights as the pages (D-83)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from jalon.accounts.access import Need, get_contract_for, require
from jalon.api.auth import caller
from jalon.api.errors import ERRORS
from jalon.api.schemas import WriteSchema
from jalon.forfait import ledger, statement
from jalon.lib import clock
from jalon.tickets.models import Ticket, TimeEntry

router = Router(tags=["forfait"])


class ForfaitOut(Schema):
    year: str = Field(description="L’année du marché, « premier jour..dernier jour ».")
    year_first_day: date
    year_last_day: date
    unit: str = Field(description="« j » (jours du forfait) ou « h » sans section « forfait ».")
    day_minutes: int | None = Field(description="Minutes d’un jour du forfait.")
    allowance_days: float | None = Field(description="Jours de l’année, report compris.")
    carried_days: float = Field(description="Jours reportés de l’année précédente.")
    consumed_minutes: int
    consumed_days: float | None
    remaining_days: float | None
    share_used: float | None = Field(description="Part consommée (1 = tout).")
    thresholds_crossed: list[float] = Field(description="Seuils d’alerte atteints.")
    chargeable_types: list[str] | None = Field(description="Types imputables ; null : tous.")


class EntryOut(Schema):
    id: int
    kind: str = Field(description="entry, reversal (annulation) ou replacement (correction).")
    corrects: int | None = Field(description="La saisie que cette ligne corrige.")
    ticket: str
    ticket_id: int
    spent_on: date
    person: str
    minutes: int = Field(description="Négatif pour une annulation.")
    note: str
    created_at: datetime
    running_minutes: int = Field(description="Cumul de l’année après cette ligne.")
    running: float = Field(description="Cumul dans l’unité du forfait.")
    remaining_days: float | None


class CorrectionIn(WriteSchema):
    minutes: int = Field(ge=0, le=24 * 60, description="Temps corrigé ; 0 annule sans remplacer.")
    spent_on: date
    reason: str = Field(min_length=1, max_length=250)
    note: str = Field("", max_length=250)


class StatementOut(Schema):
    month: str
    sha256: str
    acknowledged: bool
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    content: dict[str, Any]


def _day(day: date | None) -> date:
    return day or timezone.localdate(clock.now())


def _entry(line: ledger.Line, book: ledger.LedgerYear) -> EntryOut:
    e = line.entry
    return EntryOut(id=e.pk, kind=e.kind, corrects=e.corrects_id, ticket=e.ticket.reference,
                    ticket_id=e.ticket_id, spent_on=e.spent_on, person=statement.person_name(e.person),
                    minutes=e.minutes, note=e.note, created_at=e.created_at,
                    running_minutes=line.running_minutes, running=book.amount(line.running_minutes),
                    remaining_days=book.remaining_after(line.running_minutes))


DAY = Query(None, description="Un jour de l’année du marché voulue (AAAA-MM-JJ) ; aujourd’hui par défaut.")


@router.get("/{slug}/forfait", response={200: ForfaitOut, **ERRORS},
            summary="Forfait de support : consommation de l’année du marché")
def get_forfait(request: HttpRequest, slug: str, day: date | None = DAY) -> ForfaitOut:
    contract = get_contract_for(caller(request), slug, need=Need.VIEW_FORFAIT)
    book = ledger.year_of(contract, _day(day), with_lines=False)
    return ForfaitOut(
        year=f"{book.year.first_day.isoformat()}..{book.year.last_day.isoformat()}",
        year_first_day=book.year.first_day, year_last_day=book.year.last_day, unit=book.unit,
        day_minutes=book.terms.day_minutes if book.terms else None,
        allowance_days=book.allowance_days, carried_days=book.carried_days,
        consumed_minutes=book.consumed_minutes, consumed_days=book.consumed_days,
        remaining_days=book.remaining_days, share_used=book.share_used,
        thresholds_crossed=list(book.crossed()),
        chargeable_types=list(book.terms.chargeable_types) if book.terms and book.terms.chargeable_types is not None
        else None)


@router.get("/{slug}/forfait/entries", response={200: list[EntryOut], **ERRORS},
            summary="Forfait de support : décompte de l’année (cumul et reste à chaque ligne)")
def list_entries(request: HttpRequest, slug: str, day: date | None = DAY) -> list[EntryOut]:
    contract = get_contract_for(caller(request), slug, need=Need.VIEW_FORFAIT)
    book = ledger.year_of(contract, _day(day))
    return [_entry(line, book) for line in book.lines]


@router.post("/{slug}/forfait/entries/{entry_id}/corrections", response={201: list[EntryOut], **ERRORS},
             summary="Corriger une saisie (annulation + remplacement ; la saisie reste)")
def correct_entry(request: HttpRequest, slug: str, entry_id: int, body: CorrectionIn) -> Status:
    user = caller(request)
    contract = get_contract_for(user, slug, need=Need.VIEW_FORFAIT)
    found = (TimeEntry.objects.filter(pk=entry_id, ticket__in=Ticket.objects.visible_to(user, contract))
             .select_related("ticket").first())
    if found is None:
        raise Http404(_("Saisie de temps introuvable."))
    require(user, contract, Need.CORRECT_TIME)
    made = found.ticket.correct_time(user, found, **body.model_dump())
    ids = {e.pk for e in made if e is not None}
    books = {b.year.first_day: b for b in (ledger.year_of(contract, d) for d in {found.spent_on, body.spent_on})}
    return Status(201, [_entry(line, book) for book in books.values() for line in book.lines if line.entry.pk in ids])

def _month(text: str) -> date:
    try:
        return statement.parse_month(text)
    except statement.StatementError as error:
        raise ValidationError({"month": [str(error)]}) from None


def _statement(found: statement.Statement) -> StatementOut:
    ack = found.acknowledgement
    return StatementOut(month=found.content["month"], sha256=found.sha256, acknowledged=ack is not None,
                        acknowledged_by=statement.person_name(ack.acknowledged_by) if ack else None,
                        acknowledged_at=ack.acknowledged_at if ack else None, content=found.content)


@router.get("/{slug}/forfait/statements/{month}", response={200: StatementOut, **ERRORS},
            summary="Relevé mensuel du forfait (figé une fois pris en compte)")
def get_statement(request: HttpRequest, slug: str, month: str) -> StatementOut:
    contract = get_contract_for(caller(request), slug, need=Need.VIEW_FORFAIT)
    return _statement(statement.of(contract, _month(month)))


@router.post("/{slug}/forfait/statements/{month}/acknowledgement", response={201: StatementOut, **ERRORS},
             summary="Prendre en compte le relevé d’un mois terminé (acheteur)")
def acknowledge_statement(request: HttpRequest, slug: str, month: str) -> Status:
    user = caller(request)
    contract = get_contract_for(user, slug, need=Need.ACKNOWLEDGE_STATEMENT)
    first = _month(month)
    try:
        statement.acknowledge(user, contract, first)
    except statement.StatementError as error:
        raise ValidationError({"month": [str(error)]}) from None
    return Status(201, _statement(statement.of(contract, first)))

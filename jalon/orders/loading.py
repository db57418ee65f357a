"""Loading price schedules and index values into the platform (the command and the demo)."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max

from jalon.accounts import access
from jalon.accounts.access import Need
from jalon.contracts.models import Contract
from jalon.orders.models import (
    FrameworkAmount,
    IndexValue,
    Lot,
    PriceIndex,
    PriceSchedule,
    WorkUnit,
    WorkUnitType,
)
from jalon.orders.schedulefile import ScheduleFileError, read_schedule


def load_schedule(text: str, source_name: str, *, actor: User | None = None,
                  contract: Contract | None = None) -> tuple[PriceSchedule, bool]:
    """The schedule of the file as a new version of its contract's schedule; the version that
    already holds this very file when it was loaded before (nothing is ever edited)."""
    parsed = read_schedule(text, source_name)
    if contract is None:
        contract = Contract.objects.filter(slug=parsed.contract).first()
        if contract is None:
            raise ScheduleFileError(source_name, 2, "schedule.contract", f"no contract {parsed.contract!r}")
    elif contract.slug != parsed.contract:
        raise ScheduleFileError(source_name, 2, "schedule.contract",
                                f"the file is for {parsed.contract!r}, not {contract.slug!r}")
    if actor is not None:
        access.require(actor, contract, Need.MANAGE_SCHEDULE)
    version = contract.current_convention()
    if version is not None and parsed.calendar not in version.parsed().calendars:
        raise ScheduleFileError(source_name, 1, "schedule.calendar",
                                f"the convention has no calendar {parsed.calendar!r} "
                                f"(it has {', '.join(version.parsed().calendars)})")
    digest = hashlib.sha256(text.encode()).hexdigest()
    with transaction.atomic():
        Contract.objects.select_for_update().filter(pk=contract.pk).first()
        known = PriceSchedule.objects.filter(contract=contract, source_sha256=digest,
                                             made_by_revision__isnull=True).first()
        if known is not None:
            return known, False
        last = PriceSchedule.objects.filter(contract=contract).aggregate(n=Max("version"))["n"] or 0
        schedule = PriceSchedule.objects.create(
            contract=contract, version=last + 1, label=parsed.label, effective_from=parsed.effective_from,
            calendar=parsed.calendar, currency=parsed.currency, demo_prices=parsed.demo_prices,
            ceiling_warning=parsed.ceiling_warning, source_name=source_name, source_sha256=digest,
            loaded_by=actor)
        Lot.objects.bulk_create(Lot(schedule=schedule, code=c, label=label) for c, label in parsed.lots)
        types = {row.code: WorkUnitType.objects.create(
            schedule=schedule, code=row.code, label=row.label, quote_days=row.quote_days,
            execution_days=row.execution_days, report_days=row.report_days, orderers=row.orderers,
            recurring=row.recurring) for row in parsed.types}
        WorkUnit.objects.bulk_create(
            WorkUnit(schedule=schedule, lot=u.lot, type=types[u.type], code=u.code, label=u.label,
                     complexity=u.complexity, unit=u.unit, unit_price=u.price) for u in parsed.units)
        FrameworkAmount.objects.bulk_create(
            FrameworkAmount(schedule=schedule, period=a.period, minimum=a.minimum, maximum=a.maximum)
            for a in parsed.amounts)
    return schedule, True


def load_index(code: str, label: str, rows: list[tuple[date, Decimal]]) -> tuple[PriceIndex, int]:
    """Add published values to an index (a value already published for a date is kept: a
    published value is never changed). Returns the index and the number of values added."""
    with transaction.atomic():
        index, _created = PriceIndex.objects.get_or_create(code=code, defaults={"label": label or code})
        known = set(index.values.values_list("published_on", flat=True))
        new = [IndexValue(index=index, published_on=d, value=v) for d, v in rows if d not in known]
        IndexValue.objects.bulk_create(new)
    return index, len(new)

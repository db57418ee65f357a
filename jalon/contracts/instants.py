"""The one range check of every instant and day the platform accepts (web forms, API, domain).

An instant is refused, with a message naming its field, when its time-zone offset lies beyond
±15:59 (what PostgreSQL stores), when it falls outside the contract's dates (or, for a contract
without dates, before :setting:`JALON_EARLIEST_DAY`), and, for a fact already past (a phone call
received, time spent), when it lies in the future. The domain methods run these checks before
they write anything; the pages and the API answer their message on the field at fault.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from jalon.lib import clock

if TYPE_CHECKING:
    from jalon.contracts.models import Contract

MAX_OFFSET = timedelta(hours=15, minutes=59)
"""PostgreSQL's limit on a time-zone offset (``timestamptz`` input)."""


def _error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def check_offset(field: str, value: datetime) -> datetime:
    """``value`` itself when its offset is storable and it converts to UTC; the instant, made
    aware in the platform's zone, when it had no offset."""
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_OFFSET:
        raise _error(field, _("Décalage horaire hors limites (%(offset)s) : au plus ±15:59.")
                     % {"offset": value.strftime("%z")})
    try:
        aware = value if offset is not None else timezone.make_aware(value)
        aware.astimezone(UTC)
    except (OverflowError, ValueError):
        raise _error(field, _("Instant hors limites : %(value)s.") % {"value": value.isoformat()}) from None
    return aware


def earliest_day(contract: Contract | None) -> date:
    floor = date.fromisoformat(str(settings.JALON_EARLIEST_DAY))
    if contract is not None and contract.starts_on is not None:
        return max(floor, contract.starts_on)
    return floor


def check_instant(field: str, value: datetime, contract: Contract | None, *, past: bool = True,
                  now: datetime | None = None) -> datetime:
    """``value`` (made aware) if it lies within ``contract``'s dates and, for a ``past`` fact,
    not after now; a :class:`ValidationError` on ``field`` otherwise."""
    value = check_offset(field, value)
    shown = date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT") if value.year > 1 else value.isoformat()
    first = earliest_day(contract)
    if value < timezone.make_aware(datetime.combine(first, time.min)):
        raise _error(field, _("%(value)s est avant le %(first)s, début du marché.")
                     % {"value": shown, "first": date_format(first, "SHORT_DATE_FORMAT")})
    if contract is not None and contract.ends_on is not None and value >= timezone.make_aware(
            datetime.combine(contract.ends_on + timedelta(days=1), time.min)):
        raise _error(field, _("%(value)s est après le %(last)s, fin du marché.")
                     % {"value": shown, "last": date_format(contract.ends_on, "SHORT_DATE_FORMAT")})
    now = now or clock.now()
    if past and value > now + timedelta(seconds=int(settings.JALON_CLOCK_SKEW_SECONDS)):
        raise _error(field, _("%(value)s est dans le futur.") % {"value": shown})
    return value


def check_day(field: str, value: date, contract: Contract | None, *, past: bool = True,
              now: datetime | None = None) -> date:
    """``value`` if it lies within ``contract``'s dates and, for a ``past`` fact, not after
    today; a :class:`ValidationError` on ``field`` otherwise."""
    shown = date_format(value, "SHORT_DATE_FORMAT") if value.year >= 1000 else value.isoformat()
    first = earliest_day(contract)
    if value < first:
        raise _error(field, _("%(value)s est avant le %(first)s, début du marché.")
                     % {"value": shown, "first": date_format(first, "SHORT_DATE_FORMAT")})
    if contract is not None and contract.ends_on is not None and value > contract.ends_on:
        raise _error(field, _("%(value)s est après le %(last)s, fin du marché.")
                     % {"value": shown, "last": date_format(contract.ends_on, "SHORT_DATE_FORMAT")})
    if past and value > timezone.localdate(now or clock.now()):
        raise _error(field, _("%(value)s est dans le futur.") % {"value": shown})
    return value

"""Monthly recurring orders: each active template's order of the month, made once (the
``jalon orders recurring`` command, run daily by cron or a scheduler: each run makes what is
still missing for the month, so running it again is harmless)."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError

from jalon.lib import clock
from jalon.orders.models import Order, RecurringOrder

log = logging.getLogger(__name__)


def issue_all(month: str = "") -> list[Order]:
    """The orders made for ``month`` (``YYYY-MM``, this month by default); a template that can no
    longer be ordered (a unit gone from the schedule in force) is logged and skipped."""
    month = month or clock.now().strftime("%Y-%m")
    made = []
    for template in RecurringOrder.objects.filter(active=True).select_related("contract", "requester"):
        try:
            order = template.issue(month)
        except ValidationError as error:
            log.warning("recurring order %s (%s) not issued for %s: %s", template.pk, template.title, month,
                        "; ".join(error.messages))
            continue
        if order is not None:
            made.append(order)
    return made

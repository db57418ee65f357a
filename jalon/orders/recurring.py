"""Monthly recurring orders: each active template's order of the month, made once.

Two ways run it: the periodic task ``recurring_orders`` of every ``jalon run_worker`` (every hour,
:mod:`jalon.messaging.tasks`), and the command ``jalon orders recurring --month YYYY-MM`` (cron,
or by hand to catch up a past month). Each run makes what is still missing for the month, so
running it again is harmless; two runs at once make one order per template and month, whatever
the number of workers: the unique constraint ``order_recurring_once`` refuses the second.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.utils import timezone

from jalon.lib import clock
from jalon.orders.models import Order, RecurringOrder

log = logging.getLogger(__name__)


def issue_all(month: str = "") -> list[Order]:
    """The orders made for ``month`` (``YYYY-MM``, this month by default); a template that can no
    longer be ordered (a unit gone from the schedule in force) is logged and skipped."""
    month = month or timezone.localdate(clock.now()).strftime("%Y-%m")
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

"""``PATCH /tickets/{id}``: rewording a ticket's title or description.

The tickets app has no domain method for this yet (see the report to the lead), so it lives
here, written the way the app's own methods are: lock the row, check the role and the state,
change, and trace the change in the history. Rewording is part of qualifying the request, so it
takes the qualifying role; a closed ticket is not reworded.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jalon.accounts import access
from jalon.accounts.access import Need
from jalon.tickets.models import InvalidTransition, Ticket, TicketEvent, TicketState

EDITED = "edited"
"""Event kind of a rewording; ``EventKind`` does not name it yet."""


def reword(ticket: Ticket, actor: Any, *, title: str | None, description: str | None) -> Ticket:
    if title is None and description is None:
        raise ValidationError(_("Rien à modifier : indiquez « title » ou « description »."))
    if title is not None and not title.strip():
        raise ValidationError({"title": [_("L’objet du ticket est obligatoire.")]})
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().select_related("contract").get(pk=ticket.pk)
        access.require(actor, locked.contract, Need.QUALIFY)
        if locked.state == TicketState.CLOSED:
            raise InvalidTransition(_("Le ticket %(ref)s est clos : il ne se modifie plus.")
                                    % {"ref": locked.reference})
        changes = {name: value for name, value in (("title", title and title.strip()),
                                                   ("description", description))
                   if value is not None and value != getattr(locked, name)}
        if changes:
            for name, value in changes.items():
                setattr(locked, name, value)
            locked.save(update_fields=[*changes, "updated_at"])
            TicketEvent.objects.create(ticket=locked, kind=EDITED, actor=actor,
                                       at=timezone.now(), payload=changes)
    return locked

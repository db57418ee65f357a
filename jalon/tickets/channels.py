"""The channel a declared request came in by (``Ticket.channel``), decided once for the page
and the API; mail intake declares ``mail`` itself.

Level 1 and the buyer manager, who declare on behalf of a member after a phone call or a mail,
say which channel it came by; anyone else declares on the portal. A phone call traced at the
opening (the urgent channel: ticket + call) makes it a phone request unless the channel is said
(D-48). Conventions select on it: LADE's S7 counts phone incidents, S8a-c portal ones
(seed 002 L6495-6524).
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jalon.accounts import access
from jalon.accounts.access import Need
from jalon.contracts.models import Contract
from jalon.tickets.workflow import Channel


def default_channel(phone_call_at: datetime | None) -> Channel:
    """Portal, or phone when a phone call is traced with the declaration."""
    return Channel.PORTAL if phone_call_at is None else Channel.PHONE


def declared_channel(contract: Contract, actor: User, channel: str | None,
                     phone_call_at: datetime | None) -> str:
    """The channel of a request ``actor`` declares: ``channel`` if given (only level 1 and the
    buyer manager may name one other than the default), else :func:`default_channel`."""
    default = default_channel(phone_call_at)
    if not channel or channel == default:
        return default
    if channel not in Channel.values:
        raise ValidationError({"channel": [_("Canal inconnu : %(v)s (attendu : %(ok)s).")
                                           % {"v": channel, "ok": ", ".join(Channel.values)}]})
    if not access.may(actor, contract, Need.OPEN_ON_BEHALF):
        raise ValidationError({"channel": [_("Seuls le niveau 1 et le responsable acheteur indiquent "
                                             "le canal d’une demande ; la vôtre arrive par le "
                                             "canal « %(default)s ».") % {"default": default.label}]})
    return channel

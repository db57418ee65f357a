"""Who receives which notice: addresses only, taken from the contract's roles."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User

from jalon.accounts.models import Role, members_of
from jalon.commitments.registry import Audience, Party
from jalon.contracts.models import Contract
from jalon.messaging.models import HolderMailbox
from jalon.tickets.models import Ticket

BUYER_SIDE = (Role.BUYER_MANAGER, Role.LEVEL1_AGENT)
HOLDER_SIDE = (Role.HOLDER_MANAGER, Role.HOLDER_TECHNICIAN)


def unique_addresses(addresses: Iterable[str]) -> list[str]:
    """Drop blanks and repeats (case-insensitive), keeping the first spelling and the order."""
    seen: set[str] = set()
    kept: list[str] = []
    for address in addresses:
        key = address.strip().lower()
        if key and key not in seen:
            seen.add(key)
            kept.append(address.strip())
    return kept


def address_of(user: User | None) -> list[str]:
    if user is None or not user.is_active or not user.email:
        return []
    return [user.email]


def members_with(contract: Contract, roles: Iterable[Role]) -> list[str]:
    users = members_of(contract, roles=roles).exclude(email="").order_by("pk")
    return unique_addresses(users.values_list("email", flat=True))


def managers(contract: Contract) -> list[str]:
    """The buyer's managers, then the holder's: who hears of the support package's and the
    framework maximum's alerts."""
    return unique_addresses([*members_with(contract, (Role.BUYER_MANAGER,)),
                             *members_with(contract, (Role.HOLDER_MANAGER,))])


def holder_side(contract: Contract) -> list[str]:
    """The holder's shared mailbox if the contract has one, else its managers and technicians."""
    mailbox = HolderMailbox.objects.filter(contract=contract).first()
    return [mailbox.address] if mailbox else members_with(contract, HOLDER_SIDE)


def buyer_side(contract: Contract) -> list[str]:
    return members_with(contract, BUYER_SIDE)


def of_party(contract: Contract, party: Party) -> list[str]:
    return buyer_side(contract) if party is Party.BUYER else holder_side(contract)


def for_audience(contract: Contract, audience: Audience) -> list[str]:
    """The addresses of a clock notice's audience, as a registered record names it."""
    people = [address for person in audience.people for address in address_of(person)]
    parties = [*audience.parties, *(() if people else audience.parties_if_nobody)]
    return unique_addresses([*(a for p in parties for a in of_party(contract, p)), *people])


def for_urgent_opening(ticket: Ticket) -> list[str]:
    return holder_side(ticket.contract)


def for_resolution(ticket: Ticket) -> list[str]:
    """The requester (told of the resolution, and of a wait on them)."""
    return address_of(ticket.requester)

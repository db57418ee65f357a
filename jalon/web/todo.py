"""What each person must do now: the home page's counts, each linking to the list behind it.

A small registry in the pages' layer. Each record area registers its items once, at import
(tickets in :mod:`jalon.web.tickets.todo`; orders, deliverables, minutes, actions, scorecards and
measures in :mod:`jalon.web.records_todo`; both imported by :class:`jalon.web.apps.WebConfig`)::

    from jalon.web import todo

    todo.register(todo.Todo(
        key="orders-to-validate", label=_lazy("Bons de commande à valider"),
        roles=frozenset({Role.BUYER_MANAGER}), section=todo.Section.VALIDATE,
        count=lambda user, contract, now: ...,            # None: not applicable on this contract
        url=lambda user, contract: reverse(...) + "?state=proposed"))

An item is shown to whoever has one of its ``roles`` on the contract; its count and its link
must select the same records (the tickets' items count through the list's own filters).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _lazy

from jalon.accounts import access
from jalon.accounts.access import Viewer
from jalon.accounts.models import Role
from jalon.contracts.models import Contract


class Section(models.TextChoices):
    """Where an item sits on the home page, in this order."""

    HANDLE = "handle", _lazy("À traiter")
    ANSWER = "answer", _lazy("À vous de répondre")
    DEADLINES = "deadlines", _lazy("Délais à surveiller")
    VALIDATE = "validate", _lazy("À valider")


@dataclass(frozen=True)
class Todo:
    key: str
    label: str | Promise
    roles: frozenset[Role]
    count: Callable[[Viewer, Contract, datetime], int | None]
    """How many records wait on ``user`` now; None when the item does not apply to the contract."""
    url: Callable[[Viewer, Contract], str]
    """The list of exactly those records."""
    section: Section = Section.HANDLE
    hint: str | Promise = ""
    tone: str = "info"
    """The badge's colour when the count is not zero: ``info``, ``warning`` or ``error``."""
    order: int = 100


_REGISTRY: dict[str, Todo] = {}


def register(item: Todo) -> Todo:
    """Add ``item`` (its key once: registering it again replaces it)."""
    _REGISTRY[item.key] = item
    return item


def registered() -> list[Todo]:
    sections = list(Section)
    return sorted(_REGISTRY.values(), key=lambda t: (sections.index(t.section), t.order, t.key))


@dataclass(frozen=True)
class Due:
    """One item of one person's home, on one contract."""

    todo: Todo
    count: int
    url: str

    @property
    def badge(self) -> str:
        """The DSFR badge modifier: the item's tone when something waits, grey otherwise."""
        return f"fr-badge--{self.todo.tone}" if self.count else ""


@dataclass(frozen=True)
class SectionDue:
    section: Section
    items: list[Due]


def due_for(user: Viewer, contract: Contract, now: datetime) -> list[SectionDue]:
    """The items that apply to ``user``'s roles on ``contract``, with their counts, by section."""
    roles = access.roles_on(user, contract)
    found: dict[Section, list[Due]] = {}
    for item in registered():
        if not roles & item.roles:
            continue
        count = item.count(user, contract, now)
        if count is None:
            continue
        found.setdefault(item.section, []).append(Due(item, count, item.url(user, contract)))
    return [SectionDue(section, items) for section, items in found.items()]

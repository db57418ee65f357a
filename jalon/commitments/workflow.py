"""What every record's workflow table is made of (tickets, orders, meetings, deliverables).

Each step's input is a frozen dataclass of its domain method's keyword arguments
(:class:`StepInput`). What a field means beyond its type is said once, with ``Annotated``
(:class:`Text`, :class:`Choice`, :class:`Member`, :class:`Described`); the API's generated
schemas, the forms and the checks read it through :func:`input_fields`. A record app keeps its
own states, events and table of steps, and imports these from here rather than copying them.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Annotated, Any

from django.db import models

from jalon.accounts.models import Role


@dataclasses.dataclass(frozen=True)
class Text:
    """Text of at most ``max_length`` characters."""

    max_length: int
    description: str = ""


@dataclasses.dataclass(frozen=True)
class Choice:
    """One of ``choices`` ("" where the field has that default: not given)."""

    choices: type[models.TextChoices]
    description: str = ""


@dataclasses.dataclass(frozen=True)
class Member:
    """A person who must be an active member of the record's contract, with one of ``roles``
    when given (None: nobody). The API names them by username, under ``api_name``; the page
    offers the members who qualify."""

    description: str
    api_name: str = ""
    roles: frozenset[Role] | None = None


@dataclasses.dataclass(frozen=True)
class Described:
    """A value whose type says enough, with its description and, for numbers, its bounds."""

    description: str
    minimum: int | None = None
    maximum: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class StepInput:
    """The keyword arguments of a step's domain method."""

    def arguments(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


@dataclasses.dataclass(frozen=True)
class InputField:
    """One field of a step's input, as the API and the forms read it."""

    name: str
    type: Any
    """The type without its annotations (``str``, ``User | None``, ``date``…)."""
    required: bool
    default: Any
    meaning: Text | Choice | Member | Described | None


def input_fields(kind: type[StepInput]) -> list[InputField]:
    """The fields of a step's input, in order, with what their annotations say."""
    hints = typing.get_type_hints(kind, include_extras=True)
    found = []
    for field in dataclasses.fields(kind):
        hint = hints[field.name]
        meaning = None
        if typing.get_origin(hint) is Annotated:
            hint, meaning = typing.get_args(hint)[0], typing.get_args(hint)[1]
        required = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        found.append(InputField(field.name, hint, required, None if required else field.default, meaning))
    return found

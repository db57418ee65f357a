"""What the API reads and writes of contracts. Writes refuse unknown fields (``extra="forbid"``).

ninja resolves these annotations at run time: every type named here is imported for real.
"""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema
from pydantic import Field

from jalon.accounts.models import Role
from jalon.contracts.models import Contract


class ContractOut(Schema):
    slug: str
    reference: str
    name: str
    buyer: str
    holder: str
    starts_on: date | None
    ends_on: date | None
    roles: list[Role] = Field(description="Vos rôles sur ce marché.")

    @classmethod
    def of(cls, contract: Contract, roles: frozenset[Role] | list[Role]) -> ContractOut:
        return cls(slug=contract.slug, reference=contract.reference, name=contract.name,
                   buyer=contract.buyer.name, holder=contract.holder.name,
                   starts_on=contract.starts_on, ends_on=contract.ends_on,
                   roles=sorted(roles))


class NamedValue(Schema):
    id: str
    label: str


class ConventionOut(Schema):
    number: int = Field(description="Version chargée sur la plateforme (1, 2…).")
    version: str = Field(description="Version écrite dans le fichier de convention.")
    loaded_at: datetime
    types: list[str]
    priorities: list[NamedValue]
    urgencies: list[str]
    impacts: list[str]
    lots: list[str]
    clocks: list[NamedValue]


class ContractDetailOut(ContractOut):
    convention: ConventionOut | None

"""What every part of the API shares: the strict base of request bodies. Each area's schemas are
in its package (``jalon.api.tickets.schemas``, ``jalon.api.contracts.schemas``).

ninja resolves annotations at run time: every type named in a schema is imported for real.
"""

from __future__ import annotations

from ninja import Schema
from pydantic import ConfigDict


class WriteSchema(Schema):
    model_config = ConfigDict(extra="forbid")

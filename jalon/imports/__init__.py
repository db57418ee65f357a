"""Read other tools' ticket exports (ServiceNow, GLPI, EasyVista, Matrix42/OCEAN) into a
:class:`TicketSet`. Pure Python and numpy: no Django, no clock reads."""

from __future__ import annotations

from jalon.imports.problems import ExportError, RowProblem
from jalon.imports.profiles import EASYVISTA, GLPI, OCEAN, PROFILES, SERVICENOW, Profile
from jalon.imports.reader import ImportResult, ImportStats, describe, read_export
from jalon.imports.ticketset import TicketSet

__all__ = [
    "EASYVISTA",
    "GLPI",
    "OCEAN",
    "PROFILES",
    "SERVICENOW",
    "ExportError",
    "ImportResult",
    "ImportStats",
    "Profile",
    "RowProblem",
    "TicketSet",
    "describe",
    "read_export",
]

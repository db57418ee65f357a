"""A buyer auditing the outsourcer scores an export of the holder's own tool (issue 12: "A buyer
auditing an outsourcer can also score an uploaded export, with the import profiles").

The same engine as ``jalon scorecard --convention … --tickets EXPORT --profile P`` (the file to
file command, :mod:`jalon.conventions.scorecard_cli`): the export is read by
:func:`jalon.imports.read_export` with one of the shipped import profiles the contract's
convention maps (ServiceNow, GLPI, EasyVista, OCEAN), then scored by
:func:`jalon.conventions.evaluate.evaluate` with the convention's current version. Nothing is
stored on the contract: an audit is a computation on someone's file, not the period's scorecard,
which the platform scores from its own records and both parties validate (D-145).

Every problem comes back as text naming the file, the line or row and the column; nothing is
raised to the page.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from jalon.contracts.models import Contract
from jalon.conventions.errors import ConventionError, InputError
from jalon.conventions.evaluate import Scorecard, evaluate
from jalon.conventions.period import Period, PeriodError

SUFFIXES = (".csv", ".txt", ".xlsx", ".csv.gz", ".csv.xz", ".csv.bz2", ".gz")
"""The files an audit reads: CSV (compressed or not) and XLSX, as the import reader does."""


@dataclass
class Audit:
    """One scoring of an uploaded export: the engine's scorecard and what it said on the way."""

    card: Scorecard | None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows_read: int = 0

    @property
    def data(self) -> dict[str, Any]:
        """The figures as the file-to-file command writes them (JSON types only)."""
        from jalon.conventions import report

        assert self.card is not None
        found: dict[str, Any] = json.loads(json.dumps(report.scorecard_dict(self.card)))
        return found


def profiles(contract: Contract) -> list[str]:
    """The import profiles an audit of this contract may use: the shipped ones
    (:data:`jalon.imports.profiles.PROFILES`) that the contract's convention maps to its own
    values (a profile the convention does not map would read nothing it knows)."""
    from jalon.imports.profiles import PROFILES

    version = contract.current_convention()
    if version is None:
        return []
    return [name for name in version.parsed().profiles if name in PROFILES]


def upload_error(name: str, size: int | None) -> str | None:
    """Why an uploaded file is refused before it is read (its name, its size), if it is."""
    limit = int(settings.JALON_AUDIT_UPLOAD_MAX_MB)
    if not name.lower().endswith(SUFFIXES):
        return f"{name}: expected a CSV or XLSX export (.csv, .csv.gz, .xlsx)"
    if size is not None and size > limit * 1024 * 1024:
        return f"{name}: {size / 1024 / 1024:.1f} MiB, more than the {limit} MiB an upload may weigh"
    if not size:
        return f"{name}: the file is empty"
    return None


def score_export(contract: Contract, name: str, chunks: Any, profile: str, period_text: str,
                 *, skip_bad_rows: bool = False) -> Audit:
    """Score ``period_text`` of the export ``name`` (its bytes in ``chunks``, an iterable) read
    with ``profile``, against the contract's current convention."""
    from jalon.imports import ExportError, read_export

    version = contract.current_convention()
    if version is None:
        return Audit(None, [f"{contract.reference}: no service convention is loaded for this contract"])
    try:
        period = Period.parse(period_text.strip())
    except (PeriodError, ValueError) as error:
        return Audit(None, [f"period: {error}"])
    if profile not in profiles(contract):
        return Audit(None, [f"profile: {profile!r} is not an import profile of {version.source_name} "
                            f"({', '.join(profiles(contract)) or 'none'})"])
    convention = version.parsed()
    safe = Path(name).name or "export.csv"
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / safe
            with path.open("wb") as out:
                for chunk in chunks:
                    out.write(chunk)
            result = read_export(path, profile, tz=convention.contract.tz,
                                 on_error="skip" if skip_bad_rows else "fail",
                                 max_bytes=int(settings.JALON_AUDIT_EXPANDED_MAX_MB) * 1024 * 1024)
            card = evaluate(convention, result.tickets, [], period, profile, "skip" if skip_bad_rows else "fail")
    except ExportError as error:
        return Audit(None, [str(problem) for problem in error.problems])
    except (ConventionError, InputError) as error:
        return Audit(None, [e.replace(str(Path(folder)) + "/", "") for e in error.errors])
    except (ValueError, KeyError, OSError, UnicodeDecodeError) as error:
        return Audit(None, [f"{safe}: {str(error).strip(chr(39) + chr(34))}"])
    warnings = [str(problem) for problem in result.problems] + list(card.warnings)
    return Audit(card, [], warnings, result.stats.rows_read)

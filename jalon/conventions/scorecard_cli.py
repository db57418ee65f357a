"""``jalon scorecard``: score one period of a ticket export against a convention.

    jalon scorecard --convention FILE --tickets EXPORT --profile servicenow [--measures FILE]
                    --period 2026-Q1|2026-03|2026|2026-01-15..2026-02-14 [--format json|xlsx|html] [--out PATH]
                    [--on-error fail|skip]

Bad input prints one line per problem (file, line or row, field) and exits with status 2.
``--on-error fail`` (the default) scores nothing when a row of the export cannot be read or
mapped; ``skip`` leaves such rows and tickets out and lists them as warnings.
"""

from __future__ import annotations

import argparse
import json
import sys

from jalon.conventions.errors import ConventionError, InputError
from jalon.conventions.evaluate import Scorecard, evaluate
from jalon.conventions.loader import load
from jalon.conventions.measures import Measure, check_measures, load_measures
from jalon.conventions.model import Convention
from jalon.conventions.period import Period
from jalon.imports.ticketset import TicketSet

BAD_INPUT = 2


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="jalon scorecard", description="Tableau de bord d'une période.")
    p.add_argument("--convention", required=True, metavar="FILE")
    p.add_argument("--tickets", metavar="EXPORT", help="export de tickets (sans: mesures seules)")
    p.add_argument("--profile", help="profil d'import (servicenow, glpi, easyvista, ocean…)")
    p.add_argument("--measures", metavar="FILE", help="mesures manuelles (CSV ou YAML)")
    p.add_argument("--period", required=True, help="2026-Q1, 2026-03, 2026 ou 2026-01-15..2026-02-14")
    p.add_argument("--format", choices=("json", "xlsx", "html"), default="json")
    p.add_argument("--out", metavar="PATH", help="fichier de sortie (défaut: sortie standard)")
    p.add_argument("--on-error", choices=("fail", "skip"), default="fail",
                   help="fail (défaut) : rien n'est calculé si une ligne est illisible ; skip : elle est écartée")
    return p


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    if args.format == "xlsx" and not args.out:
        return _fail(["--out: the xlsx format needs an output file"])
    try:
        card = _score(args)
    except (ConventionError, InputError) as error:
        return _fail(error.errors)
    except OSError as error:
        return _fail([f"{error.filename}: cannot read: {error.strerror}"])
    except (ValueError, KeyError) as error:
        return _fail([str(error).strip("'\"")])
    _write(card, args.format, args.out)
    for warning in card.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def _score(args: argparse.Namespace) -> Scorecard:
    try:
        period = Period.parse(args.period)
    except ValueError as error:
        raise InputError([f"--period: {error}"]) from None
    convention = load(args.convention)
    measures = _measures(convention, args.measures)
    tickets, skipped = _tickets(convention, args) if args.tickets else (None, [])
    card = evaluate(convention, tickets, measures, period, args.profile, args.on_error)
    card.warnings[:0] = skipped
    return card


def _measures(convention: Convention, path: str | None) -> list[Measure]:
    if path is None:
        return []
    measures = load_measures(path)
    errors = check_measures(convention, measures)
    if errors:
        raise InputError(errors)
    return measures


def _tickets(convention: Convention, args: argparse.Namespace) -> tuple[TicketSet, list[str]]:
    """The export read by :func:`jalon.imports.read_export`, and the rows it left out."""
    profile = args.profile or next(iter(convention.profiles))
    if profile not in convention.profiles:
        known = ", ".join(convention.profiles)
        raise InputError([f"--profile: {convention.path} has no profile {profile!r} ({known})"])
    from jalon.imports import ExportError, read_export

    try:
        # local times of the export are read in the contract's zone
        result = read_export(args.tickets, profile, tz=convention.contract.tz, on_error=args.on_error)
    except ExportError as error:
        raise InputError([str(problem) for problem in error.problems]) from None
    return result.tickets, [str(problem) for problem in result.problems]


def _write(card: Scorecard, form: str, out: str | None) -> None:
    from jalon.conventions import report

    if form == "xlsx":
        assert out is not None
        report.write_xlsx(card, out)
        return
    text = (
        json.dumps(report.scorecard_dict(card), ensure_ascii=False, indent=2)
        if form == "json"
        else report.render_html(card)
    )
    if out:
        with open(out, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    else:
        sys.stdout.write(text + "\n")


def _fail(errors: list[str]) -> int:
    for line in errors:
        print(f"error: {line}", file=sys.stderr)
    return BAD_INPUT

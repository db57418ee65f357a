"""``jalon calendar``: business-time arithmetic from the command line.

    jalon calendar deadline --hours "mon-fri 08:00-18:00" --holidays FR --start ISO --minutes 600
    jalon calendar elapsed  --hours "…" --holidays FR-57 --start ISO --end ISO [--pause ISO/ISO …]
    jalon calendar batch < in.csv > out.csv
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from jalon.businesstime.batch import COLUMNS, run_batch
from jalon.businesstime.calendar import Calendar, Pause
from jalon.businesstime.duration import BusinessDay, Duration
from jalon.businesstime.errors import CalendarError
from jalon.businesstime.instants import format_instant, parse_instant

# engine field -> the option that carries it, so that messages name what the user typed
OPTION_OF_FIELD = {"hours": "--hours", "holidays": "--holidays", "closures": "--closed", "tz": "--tz",
                   "start": "--start", "end": "--end", "duration": "--minutes",
                   "business_day": "--business-day"}


def main(argv: list[str]) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "batch":
            report = run_batch(sys.stdin.buffer, sys.stdout.buffer, sys.stderr, tz=args.tz)
            if report.failed:
                print(f"{report.failed} of {report.rows} rows failed", file=sys.stderr)
            return 1 if report.failed else 0
        calendar = Calendar.build(args.hours, args.holidays, args.closed, args.tz)
        print(_deadline(args, calendar) if args.command == "deadline" else _elapsed(args, calendar))
    except CalendarError as error:
        option = OPTION_OF_FIELD.get(error.field, error.field)
        print(f"jalon calendar {args.command}: error: {option}: {error.reason}", file=sys.stderr)
        return 2
    return 0


def _deadline(args: argparse.Namespace, calendar: Calendar) -> str:
    start = _instant(args.start, calendar, "start")
    given = [name for name in ("minutes", "duration", "days") if getattr(args, name) is not None]
    if len(given) != 1:
        raise CalendarError("duration", "give exactly one of --minutes, --duration or --days")
    rule = BusinessDay.parse(args.business_day) if args.business_day else None
    if args.minutes is not None:
        duration = Duration.minutes(args.minutes)
    elif args.days is not None:
        duration = Duration.business_days(args.days, rule)
    else:
        duration = Duration.parse(args.duration, rule=rule)
    due = calendar.deadline(start, duration, _pauses(args.pause, calendar))
    return format_instant(int(due.timestamp()), calendar.zone)


def _elapsed(args: argparse.Namespace, calendar: Calendar) -> str:
    if args.end is None:
        raise CalendarError("end", "required")
    start, end = _instant(args.start, calendar, "start"), _instant(args.end, calendar, "end")
    seconds = calendar.elapsed(start, end, _pauses(args.pause, calendar))
    return str(seconds // 60)


def _instant(text: str, calendar: Calendar, field: str) -> datetime:
    return datetime.fromtimestamp(parse_instant(text, calendar.zone, field), calendar.zone)


def _pauses(texts: list[str], calendar: Calendar) -> list[Pause]:
    pauses = []
    for text in texts:
        halves = text.split("/")
        if len(halves) != 2:
            raise CalendarError("--pause", f"{text!r} is not ISO/ISO")
        begin, end = (_instant(half, calendar, "--pause") for half in halves)
        if end < begin:
            raise CalendarError("--pause", f"{text!r} ends before it starts")
        pauses.append((begin, end))
    return pauses


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jalon calendar", description="Délais et durées ouvrés.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (("deadline", "l'échéance d'un délai ouvré"), ("elapsed", "le temps ouvré écoulé")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--hours", required=True, metavar="SPEC",
                         help='horaires, ex. "mon-fri 08:00-12:00,14:00-18:00; sat 09:00-12:00" ou 24/7')
        sub.add_argument("--holidays", default="FR", metavar="CODE", help="none, FR ou FR-57 (défaut FR)")
        sub.add_argument("--closed", action="append", default=[], metavar="YYYY-MM-DD",
                         help="jour de fermeture (répétable)")
        sub.add_argument("--tz", default="Europe/Paris", help="fuseau horaire (défaut Europe/Paris)")
        sub.add_argument("--start", required=True, metavar="ISO", help="instant ISO 8601, ex. 2026-05-13T16:00+02:00")
        sub.add_argument("--pause", action="append", default=[], metavar="ISO/ISO",
                         help="intervalle de suspension (répétable)")
        if name == "deadline":
            sub.add_argument("--minutes", type=int, help="durée en minutes ouvrées")
            sub.add_argument("--duration", help='durée écrite, ex. "4h", "2 jours ouvrés"')
            sub.add_argument("--days", type=int, help="durée en jours ouvrés")
            sub.add_argument("--business-day", metavar="RULE",
                             help="un jour ouvré = same_time (même heure N jours plus tard) ou une durée fixe, ex. 10h")
        else:
            sub.add_argument("--end", metavar="ISO", help="fin de l'intervalle, ISO 8601")
    batch = commands.add_parser("batch", help="calcul en masse : CSV sur l'entrée standard, CSV en sortie",
                                description="Colonnes : " + ",".join(COLUMNS) + " ; ajoute result et error.")
    batch.add_argument("--tz", default="Europe/Paris", help="fuseau horaire (défaut Europe/Paris)")
    return parser

"""The ``jalon`` console command.

Calculation commands (``calendar``, ``convention``, ``scorecard``) work file to file and start
without Django, so that scripts calling them stay fast. Every other word is handed to Django's
management commands: ``jalon migrate``, ``jalon runserver``, ``jalon demo``…
"""

from __future__ import annotations

import importlib
import os
import sys

# command word -> module exposing ``main(argv: list[str]) -> int``
STANDALONE_COMMANDS = {
    "calendar": "jalon.businesstime.cli",
    "convention": "jalon.conventions.cli",
    "scorecard": "jalon.conventions.scorecard_cli",
}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:2] == ["scorecard", "verify"]:
        # checks a frozen scorecard's archive with the engine alone: no database
        from jalon.scorecards import archive

        return archive.main(args[2:])
    platform_scorecard = args[:1] == ["scorecard"] and any(
        a == "--contract" or a.startswith("--contract=") for a in args[1:])
    if args and args[0] in STANDALONE_COMMANDS and not platform_scorecard:
        module = importlib.import_module(STANDALONE_COMMANDS[args[0]])
        status: int = module.main(args[1:])
        return status
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jalon.settings")
    from django.core.management import execute_from_command_line

    if not args or args[0] in {"-h", "--help", "help"}:
        print(
            "usage: jalon <command> [options]\n\n"
            "Calculs sans base de données :\n"
            "  calendar   délais et durées ouvrés (deadline, elapsed, batch)\n"
            "  convention vérifier des fichiers de convention de service\n"
            "  scorecard  tableau de bord trimestriel depuis un export de tickets\n"
            "  scorecard verify ARCHIVE  vérifier l'archive d'un tableau de bord validé\n\n"
            "Plateforme : scorecard --contract SLUG --period P  tableau de bord depuis la base\n"
            "Plateforme (commandes Django) : migrate, demo, runserver, createsuperuser, …\n"
            "  jalon help <commande> pour l'aide d'une commande Django."
        )
        if len(args) > 1:
            execute_from_command_line(["jalon", "help", *args[1:]])
        return 0
    execute_from_command_line(["jalon", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``jalon convention check FILE...``: load each convention file and print every problem."""

from __future__ import annotations

import argparse
import sys

from jalon.conventions.errors import ConventionError
from jalon.conventions.loader import load

BAD_INPUT = 2


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="jalon convention", description="Conventions de service.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="vérifier des fichiers de convention")
    check.add_argument("files", nargs="+", metavar="FILE")
    args = parser.parse_args(argv)
    return _check(args.files)


def _check(files: list[str]) -> int:
    status = 0
    for path in files:
        try:
            convention = load(path)
        except ConventionError as error:
            for line in error.errors:
                print(line, file=sys.stderr)
            status = BAD_INPUT
            continue
        print(
            f"{path}: ok — {convention.contract.id} v{convention.version}, "
            f"{len(convention.clocks)} clocks, {len(convention.indicators)} indicators, "
            f"sha256 {convention.sha256[:12]}"
        )
    return status

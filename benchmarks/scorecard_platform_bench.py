"""A quarter's scorecard computed from PostgreSQL, against the same computation on an export of
the same tickets (issue 12: ≤ 20 s and ≤ 2 GB for 1,000,000 tickets).

Run: ``.venv/bin/python benchmarks/scorecard_platform_bench.py [--database jalon_bench] [--period 2026-Q3]``
after ``benchmarks/platform_data.py`` has loaded the database.

Each measure runs in a fresh process (its peak resident memory is that of the computation
alone), ``--runs`` times; the median time and the largest peak are printed:

* **platform** — ``jalon.scorecards.compute.score``: the contract's tickets and their history
  read from PostgreSQL (``tickets_to_ticketset``), then ``conventions.evaluate``;
* **export** — the same tickets and history written once to CSV (the archive's
  ``inputs/tickets.csv`` and ``inputs/events.csv``), read back and scored by the same engine.

Both must give the same figures: the script checks it. The platform reads only the tickets that
can weigh on the period (``conventions.evaluate.reads``: not closed before its earliest window);
``--check-all`` also scores every ticket of the contract opened before the period's end, once, and
checks the figures are the same (what leaving the others out would lose, at this size).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.platform_data import DATABASE, setup_django  # noqa: E402

SLUG = "aquareel"
SECONDS_TARGET, BYTES_TARGET = 20.0, 2 * 1024**3


def peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run_platform(database: str, period: str) -> dict[str, object]:
    setup_django(database)
    from django.utils import timezone

    from jalon.contracts.models import Contract
    from jalon.conventions.period import Period
    from jalon.scorecards import compute

    contract = Contract.objects.get(slug=SLUG)
    began = time.perf_counter()
    live = compute.score(contract, Period.parse(period), timezone.now())
    seconds = time.perf_counter() - began
    return {"seconds": seconds, "peak": peak_bytes(), "tickets": len(live.card.tickets or []),
            "figures": compute.figures(live.card)}


def run_all(database: str, period: str) -> dict[str, object]:
    """The engine on every ticket opened before the period's end, none left out."""
    setup_django(database)
    from django.utils import timezone

    from jalon.contracts.models import Contract
    from jalon.conventions.evaluate import evaluate
    from jalon.conventions.period import Period
    from jalon.conventions.platform import PLATFORM_PROFILE
    from jalon.scorecards import compute
    from jalon.tickets.export import tickets_to_ticketset
    from jalon.tickets.models import Ticket

    contract = Contract.objects.get(slug=SLUG)
    chosen = Period.parse(period)
    live = compute.score(contract, chosen, timezone.now())
    began = time.perf_counter()
    _start, end = chosen.datetime_bounds(live.convention.contract.tz)
    tickets = tickets_to_ticketset(Ticket.objects.filter(contract=contract, opened_at__lt=end), source=PLATFORM_PROFILE)
    card = evaluate(live.convention, tickets, live.measures, chosen, PLATFORM_PROFILE)
    seconds = time.perf_counter() - began
    return {"seconds": seconds, "peak": peak_bytes(), "tickets": len(tickets), "figures": compute.figures(card)}


def write_export(database: str, period: str, folder: Path) -> None:
    setup_django(database)
    from django.utils import timezone

    from jalon.contracts.models import Contract
    from jalon.conventions.period import Period
    from jalon.scorecards import archive, compute

    contract = Contract.objects.get(slug=SLUG)
    live = compute.score(contract, Period.parse(period), timezone.now())
    assert live.card.tickets is not None
    tickets, events = archive.tickets_csv(live.card.tickets)
    (folder / "tickets.csv").write_bytes(tickets)
    (folder / "events.csv").write_bytes(events)
    (folder / "measures.csv").write_bytes(archive.measures_csv(live.measures))
    (folder / live.version.source_name).write_text(live.version.text, encoding="utf-8")
    (folder / "convention.name").write_text(live.version.source_name, encoding="utf-8")


def run_export(folder: Path, period: str) -> dict[str, object]:
    from jalon.conventions import report
    from jalon.conventions.evaluate import evaluate
    from jalon.conventions.loader import load
    from jalon.conventions.period import Period
    from jalon.conventions.platform import PLATFORM_PROFILE
    from jalon.scorecards import archive

    began = time.perf_counter()
    name = (folder / "convention.name").read_text(encoding="utf-8")
    convention = load(folder / name)
    tickets = archive.read_tickets((folder / "tickets.csv").read_bytes(), (folder / "events.csv").read_bytes(),
                                   PLATFORM_PROFILE)
    measures = archive.read_measures((folder / "measures.csv").read_bytes())
    card = evaluate(convention, tickets, measures, Period.parse(period), PLATFORM_PROFILE)
    seconds = time.perf_counter() - began
    figures = json.loads(json.dumps(report.scorecard_dict(card)))
    figures["convention"]["file"] = name
    return {"seconds": seconds, "peak": peak_bytes(), "tickets": len(tickets), "figures": figures}


def child(argv: list[str]) -> dict[str, object]:
    done = subprocess.run([sys.executable, __file__, *argv], capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(done.stderr)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--period", default=None, help="default: the last quarter over")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--check-all", action="store_true",
                        help="also score every ticket opened before the period's end and compare")
    parser.add_argument("--child", choices=("platform", "export", "all"), help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.period is None:
        from datetime import date, timedelta

        from jalon.conventions.period import Period

        args.period = str(Period.quarter_of(Period.quarter_of(date.today()).first_day - timedelta(days=1)))
    if args.child == "platform":
        print(json.dumps(run_platform(args.database, args.period)))
        return
    if args.child == "all":
        print(json.dumps(run_all(args.database, args.period)))
        return
    if args.child == "export":
        print(json.dumps(run_export(Path(args.folder), args.period)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_export(args.database, args.period, folder)
        common = ["--database", args.database, "--period", args.period]
        platform = [child([*common, "--child", "platform"]) for _ in range(args.runs)]
        export = [child([*common, "--child", "export", "--folder", str(folder)]) for _ in range(args.runs)]
    same = platform[0]["figures"] == export[0]["figures"]
    print(f"scorecard {args.period} of {SLUG}: {platform[0]['tickets']} tickets read; same figures: {same}")
    for name, runs in (("platform (PostgreSQL)", platform), ("export (CSV)", export)):
        seconds = statistics.median(float(r["seconds"]) for r in runs)  # type: ignore[arg-type]
        peak = max(int(r["peak"]) for r in runs)  # type: ignore[call-overload]
        ok = seconds <= SECONDS_TARGET and peak <= BYTES_TARGET
        print(f"  {name:22} median {seconds:7.2f} s   peak {peak / 1024**2:8.0f} MiB   "
              f"{'OK' if ok else 'OVER'} (≤ {SECONDS_TARGET:.0f} s, ≤ 2 GiB)")
    ratio = statistics.median(float(r["seconds"]) for r in platform) / max(  # type: ignore[arg-type]
        statistics.median(float(r["seconds"]) for r in export), 1e-9)  # type: ignore[arg-type]
    print(f"  platform / export: {ratio:.2f}")
    if not same:
        raise SystemExit("the platform and the export gave different figures")
    if args.check_all:
        everything = child(["--database", args.database, "--period", args.period, "--child", "all"])
        whole = _scored(everything["figures"]) == _scored(platform[0]["figures"])
        print(f"  every ticket ({everything['tickets']}): {float(everything['seconds']):.2f} s, "  # type: ignore[arg-type]
              f"peak {int(everything['peak']) / 1024**2:.0f} MiB; same figures: {whole}")  # type: ignore[call-overload]
        if not whole:
            raise SystemExit("leaving out the tickets closed before the period changed its figures")


def _scored(figures: object) -> object:
    """What the period is judged on: the indicators, families, notes, points and money (not the
    summary of the tickets and clocks read, which counts what was read)."""
    keys = ("families", "global_note", "total_penalty_points", "money", "bonus_malus", "probation")
    return {key: figures[key] for key in keys}  # type: ignore[index]


if __name__ == "__main__":
    main()

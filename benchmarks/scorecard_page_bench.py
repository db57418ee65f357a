"""A validated scorecard's page under 20 clients (issue 12: p95 ≤ 150 ms with 20 clients).

Run: ``.venv/bin/python benchmarks/scorecard_page_bench.py [--database jalon_bench] [--period 2026-Q3]``
after ``benchmarks/platform_data.py`` (or on any database with the AQUAREEL contract, the demo's).

If the period has no validated scorecard yet, the holder's manager proposes it and the buyer's
manager validates it (``PeriodScorecard.act``, which freezes the figures, the page's extract and
the archive): the time and peak memory of that freeze are printed. Then gunicorn serves the
platform as in ``benchmarks/platform_bench.py`` (sync workers, cache in Redis, 3 s of warm-up)
and ``--clients`` clients log in as the buyer's manager and ask for the period's page
``/marches/aquareel/bilans/<period>/``, in the two modes of that benchmark: *users* (a pause of
mean ``--think`` between requests: the target is judged here) and *saturation* (no pause: the
throughput).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.platform_bench import (  # noqa: E402
    BUYER,
    SLUG,
    Request,
    hammer,
    load,
    login,
    prepare_cast,
    server,
    show,
    verdict,
)
from benchmarks.platform_data import DATABASE, setup_django  # noqa: E402

PAGE_TARGET = 0.150
HOLDER = "chefdeprojet"


def validated(period: str) -> None:
    """Propose and validate ``period`` unless a validated version exists; print what it cost."""
    from django.contrib.auth.models import User

    from jalon.contracts.models import Contract
    from jalon.conventions.period import Period
    from jalon.scorecards.models import PeriodScorecard
    from jalon.scorecards.workflow import Status

    contract = Contract.objects.get(slug=SLUG)
    chosen = Period.parse(period)
    if PeriodScorecard.objects.filter(contract=contract, period=period, status=Status.VALIDATED).exists():
        print(f"{period}: already validated")
        return
    current = PeriodScorecard.current(contract, chosen)
    began = time.perf_counter()
    if current is None or current.status in (Status.DRAFT, Status.CONTESTED):
        PeriodScorecard.act(User.objects.get(username=HOLDER), contract, chosen, "propose")
    proposed = time.perf_counter()
    card = PeriodScorecard.act(User.objects.get(username=BUYER), contract, chosen, "validate")
    done = time.perf_counter()
    size = len(bytes(card.archive or b""))
    print(f"{period}: proposed in {proposed - began:.1f} s, validated (frozen) in {done - proposed:.1f} s; "
          f"archive {size / 1024**2:.1f} MiB; peak RSS of this process "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB  ({load()})", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--period", default=None, help="default: the last quarter over")
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--modes", default="users,saturation")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    args = parser.parse_args(argv)
    if args.database in ("jalon", "test_jalon"):
        raise SystemExit("--database: use a database of your own, not the platform's")
    setup_django(args.database)
    from jalon.conventions.period import Period
    from jalon.tickets.models import Ticket

    if args.period is None:
        args.period = str(Period.quarter_of(Period.quarter_of(date.today()).first_day - timedelta(days=1)))
    total = Ticket.objects.filter(contract__slug=SLUG).count()
    print(f"validated scorecard page: {SLUG} {args.period}, {total:,} tickets in {args.database}, "
          f"{args.clients} clients, {args.workers} gunicorn workers, {os.cpu_count()} cores, "
          f"{datetime.now():%Y-%m-%d %H:%M}  ({load()})", flush=True)
    validated(args.period)
    cast = prepare_cast()
    verdicts = []
    page = Request("validated page", f"/marches/{SLUG}/bilans/{args.period}/")
    with server(args.database, args.workers) as port:
        user = login(port, "/connexion/", BUYER, cast.password)
        for mode in args.modes.split(","):
            think = {"users": args.think, "saturation": 0.0}[mode]
            print(f"== {mode}: {args.clients} clients" + (f", pausing {think:g} s on average" if think else ""))
            found = show("validated scorecard page", *hammer(user, [page], args.clients, args.duration, think),
                         target=PAGE_TARGET)
            verdicts.append((f"page ({mode})", found.p95 <= PAGE_TARGET and not found.errors))
    print("summary: " + ", ".join(f"{name} {verdict(ok)}" for name, ok in verdicts) + f"  ({load()})")


if __name__ == "__main__":
    main()

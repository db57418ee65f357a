"""Business-time engine: Jalon's vectorised engine against the pure-Python ``businesstimedelta``.

Run: ``.venv/bin/python benchmarks/businesstime_bench.py [--pairs 1000000] [--peer-sample 5000]``

Prints medians (of ``--repeat`` runs) for 1,000,000 ``elapsed`` pairs and 1,000,000 ``deadline``
computations on a FR 08:00-18:00 calendar over 5 years, the peer's time on a sample of the same
pairs scaled to the same count, their ratio, and checks that both engines agree on the sample.
Then it times ``jalon calendar batch`` on two generated CSVs of ``--batch-rows`` rows (wall time
and peak memory of the process tree): one on a plain window, one on a lunch-break window
(``"mon-fri 08:00-12:00,14:00-18:00"``, which CSV must quote). Targets: ≤ 0.2 s per million,
batch ≤ 5 s and ≤ 1 GB, quoted or not.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jalon.businesstime import Calendar  # noqa: E402

PARIS = ZoneInfo("Europe/Paris")
PEER_ZONE = "Europe/Paris"  # businesstimedelta wants a pytz zone (its dependency)
FIRST = datetime(2022, 1, 1, tzinfo=PARIS)
SPAN = 5 * 365 * 86400


def pairs(count: int, seed: int = 42) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    base = int(FIRST.timestamp())
    starts = base + rng.integers(0, SPAN - 60 * 86400, count) // 60 * 60
    ends = starts + rng.integers(0, 30 * 86400, count) // 60 * 60
    minutes = rng.integers(1, 60 * 600, count)
    return starts.astype(np.int64), ends.astype(np.int64), (minutes * 60).astype(np.int64)


def median_time(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        begin = time.perf_counter()
        function()
        times.append(time.perf_counter() - begin)
    return statistics.median(times)


def peer_rules():
    import businesstimedelta
    import holidays
    import pytz

    zone = pytz.timezone(PEER_ZONE)
    workday = businesstimedelta.WorkDayRule(
        start_time=datetime.min.time().replace(hour=8), end_time=datetime.min.time().replace(hour=18),
        working_days=[0, 1, 2, 3, 4], tz=zone,
    )
    closed = businesstimedelta.HolidayRule(holidays.country_holidays("FR", years=range(2021, 2029)), tz=zone)
    return businesstimedelta, businesstimedelta.Rules([workday, closed])


def run_engine(args: argparse.Namespace) -> None:
    calendar = Calendar.build("mon-fri 08:00-18:00", "FR")
    starts, ends, seconds = pairs(args.pairs)
    calendar.elapsed_seconds(starts[:10], ends[:10])  # build the 5-year timeline once, as a server would
    elapsed = median_time(lambda: calendar.elapsed_seconds(starts, ends), args.repeat)
    deadline = median_time(lambda: calendar.deadline_seconds(starts, seconds), args.repeat)

    module, rules = peer_rules()
    sample = min(args.peer_sample, args.pairs)
    as_dt = [datetime.fromtimestamp(int(s), PARIS) for s in starts[:sample]]
    as_end = [datetime.fromtimestamp(int(e), PARIS) for e in ends[:sample]]
    begin = time.perf_counter()
    peer_elapsed = [rules.difference(s, e).timedelta.total_seconds() for s, e in zip(as_dt, as_end, strict=True)]
    peer_elapsed_time = (time.perf_counter() - begin) * args.pairs / sample
    begin = time.perf_counter()
    peer_due = [
        s + module.BusinessTimeDelta(rules, seconds=int(d)) for s, d in zip(as_dt, seconds[:sample], strict=True)
    ]
    peer_deadline_time = (time.perf_counter() - begin) * args.pairs / sample

    ours = calendar.elapsed_seconds(starts[:sample], ends[:sample])
    our_due = calendar.deadline_seconds(starts[:sample], seconds[:sample])
    agree_elapsed = sum(int(a) == int(b) for a, b in zip(ours, peer_elapsed, strict=True))
    # the peer ends a duration that runs out at closing time at the next opening; compare elapsed
    agree_due = sum(
        calendar.elapsed(s, p) == d for s, p, d in zip(as_dt, peer_due, seconds[:sample], strict=True)
    )
    exact_due = sum(int(o) == int(p.timestamp()) for o, p in zip(our_due, peer_due, strict=True))

    print(f"calendar: FR mon-fri 08:00-18:00, 5 years; {args.pairs:,} pairs; median of {args.repeat} runs")
    print(f"elapsed   jalon {elapsed:8.3f} s   businesstimedelta {peer_elapsed_time:8.1f} s (from {sample:,})"
          f"   ratio x{peer_elapsed_time / elapsed:,.0f}   target ≤ 0.2 s: {'ok' if elapsed <= 0.2 else 'MISSED'}")
    print(f"deadline  jalon {deadline:8.3f} s   businesstimedelta {peer_deadline_time:8.1f} s (from {sample:,})"
          f"   ratio x{peer_deadline_time / deadline:,.0f}   target ≤ 0.2 s: {'ok' if deadline <= 0.2 else 'MISSED'}")
    print(f"agreement on the sample: elapsed {agree_elapsed}/{sample}; peer deadlines with the exact "
          f"business time {agree_due}/{sample}, same instant {exact_due}/{sample}")


PLAIN_WINDOW = "mon-fri 08:00-18:00"
LUNCH_WINDOW = "mon-fri 08:00-12:00,14:00-18:00"  # the comma makes csv.writer quote it


def write_batch_csv(path: Path, rows: int, window: str = PLAIN_WINDOW) -> None:
    starts, ends, seconds = pairs(rows, seed=7)
    zone_text = [datetime.fromtimestamp(int(s), PARIS).isoformat(timespec="minutes") for s in starts]
    end_text = [datetime.fromtimestamp(int(e), PARIS).isoformat(timespec="minutes") for e in ends]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "window", "holidays", "closures", "op", "start", "end", "duration_min", "pauses"])
        for i in range(rows):
            if i % 2:
                writer.writerow([i, window, "FR", "", "elapsed", zone_text[i], end_text[i], "", ""])
            else:
                writer.writerow([i, window, "FR", "", "deadline", zone_text[i], "", seconds[i] // 60, ""])


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants (Linux /proc), in KB."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
    return total


def run_batch(args: argparse.Namespace, window: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "in.csv", Path(folder) / "out.csv"
        write_batch_csv(source, args.batch_rows, window)
        walls, cpus, peaks = [], [], []
        for _ in range(args.batch_repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            with source.open() as stdin, target.open("w") as stdout:
                begin = time.perf_counter()
                child = subprocess.Popen([sys.executable, "-m", "jalon", "calendar", "batch"], stdin=stdin,
                                         stdout=stdout, env={**os.environ, "PYTHONPATH": str(ROOT)})
                peak = 0
                while child.poll() is None:  # the whole process tree: the batch may fork workers
                    peak = max(peak, tree_rss_kb(child.pid))
                    time.sleep(0.02)
                walls.append(time.perf_counter() - begin)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            peaks.append(peak / 1024)
        with target.open() as handle:
            lines = sum(1 for _ in handle) - 1
    wall, peak_mb = statistics.median(walls), max(peaks)
    kind = "quoted" if '"' in source_head(window) else "plain"
    print(f"batch {kind:6} {args.batch_rows:,} rows: median wall {wall:.2f} s (cpu {statistics.median(cpus):.2f} s) of "
          f"{args.batch_repeat}, peak RSS of the process tree {peak_mb:.0f} MB, {lines:,} rows out   "
          f"targets ≤ 5 s, ≤ 1024 MB: {'ok' if wall <= 5 and peak_mb <= 1024 else 'MISSED'}   "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


def source_head(window: str) -> str:
    """How the window is written in the CSV (quoted when it holds a comma)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([window])
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--peer-sample", type=int, default=5_000)
    parser.add_argument("--batch-rows", type=int, default=1_000_000)
    parser.add_argument("--batch-repeat", type=int, default=3)
    args = parser.parse_args()
    run_engine(args)
    if args.batch_rows:
        run_batch(args, PLAIN_WINDOW)
        run_batch(args, LUNCH_WINDOW)


if __name__ == "__main__":
    main()

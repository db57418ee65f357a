"""The platform under load: list, dashboard and ticket creation on 1,000,000 tickets in PostgreSQL.

Run: ``.venv/bin/python benchmarks/platform_bench.py [--duration 30] [--clients 20]`` after
``benchmarks/platform_data.py`` (``make bench-platform`` runs both).

Starts the app with gunicorn on loopback (``benchmarks/platform_gunicorn.py``: ``gunicorn
jalon.wsgi``, sync workers, the cache in Redis as in production), logs in as the buyer manager
(session cookie) and gives the same person an API token, then drives it with ``--clients``
concurrent clients (threads, each with its own ``http.client`` connection), in two ways:

* **20 users**: each client pauses between two requests, a random time of mean ``--think``
  (1 s: someone clicking through filters as fast as they read). Latency is what a person waits
  for while 19 others work: the targets are judged here.
* **saturation**: no pause, one request after another. Latency is then the queue in front of
  the two cores (clients ÷ throughput, whatever the code); the figure that matters is the
  throughput, printed with the peer's and with a floor measured in the same run (the cheapest
  authenticated API call, ``GET /api/v1/contracts``: what the stack costs before any work).

* (a) the ticket list page ``/marches/aquareel/tickets/`` and ``GET /api/v1/tickets`` with the
  usual filters (open + priority, at risk, breached, search on a station code, sort by due date);
  the peer, Django's admin changelist of tickets (the generic tool the product replaces, at the
  same page size), is driven the same way on the filters it has, next to the list page on the
  same filters;
* (b) the dashboard page and ``GET /api/v1/contracts/aquareel/dashboard`` on the current quarter;
  the peer is the obvious computation, a Python loop over the quarter's tickets recomputing each
  one's clocks (``Ticket.clocks_at``), timed on a sample and scaled to the quarter, against
  ``jalon.dashboard.figures.dashboard`` in this process;
* (c) ``Ticket.open`` with its clocks in this process (``--creations`` times), and ``POST
  /api/v1/tickets`` one after another; the peer is a bare ``Ticket.objects.create`` (one
  INSERT: no history, no clocks, no lock), what a generic CRUD tool does.

Targets: list p95 ≤ 150 ms, dashboard p95 ≤ 500 ms with 20 concurrent users; creation median
≤ 30 ms.
The machine is shared: the load average is printed with every figure. The tickets created are
deleted at the end, so that every run measures the same data.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.platform_data import DATABASE, database_url, setup_django  # noqa: E402

SLUG = "aquareel"
CACHE_URL = os.environ.get("JALON_BENCH_CACHE_URL", "redis://127.0.0.1:6379/7")
LIST_TARGET, DASHBOARD_TARGET, CREATE_TARGET = 0.150, 0.500, 0.030
BUYER = "acheteur"
ADMIN = "bench-admin"


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


# --- HTTP ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Request:
    label: str
    path: str
    method: str = "GET"
    body: bytes | None = None


@dataclass
class Result:
    label: str
    seconds: float
    status: int


@dataclass
class Session:
    port: int
    headers: dict[str, str] = field(default_factory=dict)

    def send(self, conn: http.client.HTTPConnection, request: Request) -> tuple[int, bytes]:
        headers = dict(self.headers)
        if request.body is not None:
            headers["Content-Type"] = "application/json"
        conn.request(request.method, request.path, body=request.body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()


def cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    found = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def login(port: int, path: str, username: str, password: str) -> Session:
    """Log in through the form, as a browser does; the session carries the cookies."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path)
    page = conn.getresponse()
    jar = cookies(page)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.read())
    if token is None or "csrftoken" not in jar:
        raise SystemExit(f"login: no CSRF token on {path}")
    form = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token[1].decode(),
                      "next": "/"})
    conn.request("POST", path, body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={jar['csrftoken']}"})
    answer = conn.getresponse()
    answer.read()
    jar.update(cookies(answer))
    if answer.status != 302 or "sessionid" not in jar:
        raise SystemExit(f"login: {username} refused on {path} ({answer.status})")
    return Session(port, {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())})


WARMUP_SECONDS = 3.0
"""Each scenario first runs this long unmeasured, at saturation, so that every gunicorn worker has
parsed the convention, compiled its templates and rendered its filter forms: the figures are
those of a platform in service, not of five processes' first requests."""


def hammer(session: Session, requests: list[Request], clients: int, duration: float, think: float,
           ) -> tuple[list[Result], float, dict[str, float]]:
    """``clients`` threads send ``requests`` round robin for ``duration`` seconds, after a warm-up
    (:data:`WARMUP_SECONDS`); every result, the wall time and the CPU each side used
    (:func:`cpu_used`)."""
    for request in requests:  # each answers, or says why
        status, body = session.send(http.client.HTTPConnection("127.0.0.1", session.port, timeout=120), request)
        if status not in (200, 201):  # measured anyway: every answer counts as an error
            print(f"    {request.label}: HTTP {status} on {request.path}: {body[:200]!r}")
    if WARMUP_SECONDS:
        drive(session, requests, clients, WARMUP_SECONDS, 0.0)
    before = cpu_used()
    results, wall = drive(session, requests, clients, duration, think)
    after = cpu_used()
    # per process: one that ended meanwhile (a database connection closed after CONN_MAX_AGE)
    # took its time with it, and must not count as negative time
    return results, wall, {side: sum(seconds - before.get(side, {}).get(pid, 0.0)
                                     for pid, seconds in processes.items())
                           for side, processes in after.items()}


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_used() -> dict[str, dict[int, float]]:
    """CPU seconds used so far by each process of the benchmark's gunicorn (master and workers),
    of PostgreSQL, by this process (the client threads) and by the whole machine (as pid 0), read
    from ``/proc`` (Linux; empty elsewhere). Where the two cores go is what saturation is about."""
    proc = Path("/proc")
    if not (proc / "stat").exists():
        return {}
    used: dict[str, dict[int, float]] = {"workers": {}, "postgres": {}, "clients": {0: sum(os.times()[:2])},
                                         "machine": {}}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:  # ended meanwhile
            continue
        name, rest = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        seconds = (int(rest[11]) + int(rest[12])) / CLOCK_TICKS  # utime, stime
        if b"platform_gunicorn.py" in command:
            used["workers"][int(entry.name)] = seconds
        elif name == "postgres":
            used["postgres"][int(entry.name)] = seconds
    busy = (proc / "stat").read_text().split("\n", 1)[0].split()[1:]
    used["machine"][0] = sum(int(x) for i, x in enumerate(busy) if i not in (3, 4)) / CLOCK_TICKS  # not idle, iowait
    return used


def drive(session: Session, requests: list[Request], clients: int, duration: float, think: float,
          ) -> tuple[list[Result], float]:
    results: list[Result] = []
    lock = threading.Lock()
    stop_at = 0.0

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", session.port, timeout=120)
        mine: list[Result] = []
        rng = random.Random(offset)
        turn = offset
        while time.perf_counter() < stop_at:
            request = requests[turn % len(requests)]
            turn += 1
            began = time.perf_counter()
            try:
                status, _body = session.send(conn, request)
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
            mine.append(Result(request.label, time.perf_counter() - began, status))
            if think:
                time.sleep(rng.uniform(0, 2 * think))
        conn.close()
        with lock:
            results.extend(mine)

    began = time.perf_counter()
    stop_at = began + duration
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - began


@dataclass
class Stats:
    p50: float
    p95: float
    p99: float
    count: int
    errors: int
    rate: float


def stats(results: list[Result], wall: float) -> Stats:
    seconds = [r.seconds for r in results]
    errors = sum(1 for r in results if r.status not in (200, 201))
    return Stats(quantile(seconds, 0.5), quantile(seconds, 0.95), quantile(seconds, 0.99), len(results), errors,
                 len(results) / wall)


def show(title: str, results: list[Result], wall: float, cpu: dict[str, float],
         target: float | None = None) -> Stats:
    s = stats(results, wall)
    line = (f"  {title:<34} p50 {s.p50 * 1000:7.1f} ms  p95 {s.p95 * 1000:7.1f} ms  p99 {s.p99 * 1000:7.1f} ms  "
            f"{s.rate:6.1f} req/s  errors {s.errors}/{s.count}")
    if target is not None:
        line += f"  [p95 ≤ {target * 1000:.0f} ms: {verdict(s.p95 <= target and not s.errors)}]"
    print(line + f"  ({load()})", flush=True)
    if cpu and s.count:
        each = {side: seconds * 1000 / s.count for side, seconds in cpu.items()}
        other = each["machine"] - each["workers"] - each["postgres"] - each["clients"]
        print(f"      CPU per request: workers {each['workers']:.1f} ms, PostgreSQL {each['postgres']:.1f} ms, "
              f"clients {each['clients']:.1f} ms, rest of the machine {other:.1f} ms; "
              f"cores busy {cpu['machine'] / wall:.2f} of {os.cpu_count()}")
    labels = sorted({r.label for r in results})
    if len(labels) > 1:
        for label in labels:
            mine = [r.seconds for r in results if r.label == label]
            print(f"      {label:<30} p50 {quantile(mine, 0.5) * 1000:7.1f} ms  p95 "
                  f"{quantile(mine, 0.95) * 1000:7.1f} ms  n {len(mine)}")
    return s


# --- the server ------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(database: str, workers: int) -> Iterator[int]:
    port = free_port()
    # As in production with several workers: the cache (dashboard figures, sessions) in Redis,
    # emptied first so that every run starts cold.
    redis.Redis.from_url(CACHE_URL).flushdb()
    env = {**os.environ, "DATABASE_URL": database_url(database), "JALON_BENCH_BIND": f"127.0.0.1:{port}",
           "JALON_BENCH_WORKERS": str(workers), "JALON_CACHE_URL": CACHE_URL}
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen([str(gunicorn), "-c", str(ROOT / "benchmarks" / "platform_gunicorn.py"),
                                "jalon.wsgi"], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


# --- the cast --------------------------------------------------------------------------------

@dataclass
class Cast:
    password: str
    admin_password: str
    token: str
    contract: Any
    requester: Any
    buyer: Any


def prepare_cast() -> Cast:
    """Known passwords for the buyer manager and an admin superuser, and an API token."""
    from django.contrib.auth.models import User

    from jalon.api.models import ApiToken
    from jalon.contracts.models import Contract

    password, admin_password = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    buyer = User.objects.get(username=BUYER)
    buyer.set_password(password)
    buyer.save()
    admin, _ = User.objects.get_or_create(username=ADMIN, defaults={"is_staff": True, "is_superuser": True})
    admin.set_password(admin_password)
    admin.save()
    _token, clear = ApiToken.issue(buyer, "platform benchmark")
    return Cast(password, admin_password, clear, Contract.objects.get(slug=SLUG),
                User.objects.get(username="demandeur"), buyer)


def search_term() -> str:
    """A station code from a recent ticket title: what someone looks a request up by."""
    from jalon.tickets.models import Ticket

    title = Ticket.objects.filter(contract__slug=SLUG).order_by("-opened_at").values_list("title", flat=True)[500]
    found = re.search(r"station (\w+)", title)
    return found[1] if found else title.split()[0]


# --- (a) lists -------------------------------------------------------------------------------

def list_requests(term: str) -> tuple[list[Request], list[Request]]:
    page = f"/marches/{SLUG}/tickets/?"
    api = f"/api/v1/tickets?contract={SLUG}&limit=25&"
    web = [
        Request("open + priority", page + "state=active&priority=majeur"),
        Request("at risk", page + "at_risk=1"),
        Request("breached", page + "breached=1"),
        Request("search", page + "q=" + quote(term)),
        Request("open, by due date", page + "state=active&sort=due"),
    ]
    rest = [
        Request("open + priority", api + "state=in_progress&priority=majeur"),
        Request("at risk", api + "at_risk=true"),
        Request("breached", api + "breached=true"),
        Request("search", api + "q=" + quote(term)),
        Request("open, by update", api + "state=in_progress&sort=-updated_at"),
    ]
    return web, rest


def peer_requests(term: str, contract_id: int) -> tuple[list[Request], list[Request]]:
    """The filters the admin has, on both: a state and a priority, a search."""
    page = f"/marches/{SLUG}/tickets/?"
    admin = f"/admin/tickets/ticket/?contract__id__exact={contract_id}&"
    return ([Request("state + priority", page + "state=in_progress&priority=majeur"),
             Request("search", page + "q=" + quote(term))],
            [Request("state + priority", admin + "state__exact=in_progress&priority__exact=majeur"),
             Request("search", admin + "q=" + quote(term))])


# --- (b) dashboard ---------------------------------------------------------------------------

def quarter_now() -> tuple[int, int]:
    from django.utils import timezone

    today = timezone.localdate()
    return today.year, (today.month - 1) // 3 + 1


def naive_dashboard_seconds(contract: Any, sample: int) -> tuple[float, int, int]:
    """The dashboard the obvious way, on ``sample`` of the quarter's tickets: each ticket read,
    its clocks recomputed from its history, every figure summed in Python. Returns the time
    scaled to the whole quarter, the sample and the quarter's ticket count."""
    from django.db.models import Q
    from django.utils import timezone

    from jalon.conventions.period import Period
    from jalon.tickets.models import Ticket

    now = timezone.now()
    year, quarter = quarter_now()
    start, end = Period.parse(f"{year}-Q{quarter}").datetime_bounds("Europe/Paris")
    touching = Ticket.objects.filter(contract=contract, opened_at__lt=end).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=start) | Q(resolved_at__gte=start))
    ids = list(touching.values_list("pk", flat=True))
    picked = random.Random(7).sample(ids, min(sample, len(ids)))
    began = time.perf_counter()
    compliance: dict[tuple[str, str], list[int]] = {}
    opened = backlog = resolved = reopened = at_risk = overdue = 0
    for ticket in Ticket.objects.filter(pk__in=picked).select_related("convention_version"):
        states = ticket.clocks_at(now)
        for state in states:
            if state.stopped_at is not None and start <= state.stopped_at < end:
                row = compliance.setdefault((state.kind, ticket.priority), [0, 0])
                row[0] += 1
                row[1] += int(not state.breached)
        opened += int(start <= ticket.opened_at < end)
        done = ticket.resolved_at or ticket.closed_at
        backlog += int(done is None or done >= min(end, now))
        if ticket.resolved_at is not None and start <= ticket.resolved_at < end:
            resolved += 1
            reopened += int(ticket.reopen_count > 0)
        running = [s for s in states if s.started_at and s.stopped_at is None and s.due_at]
        overdue += int(any(s.due_at < now for s in running if s.due_at))
        at_risk += int(any(s.risk_at and s.risk_at <= now for s in running))
    elapsed = time.perf_counter() - began
    return elapsed * len(ids) / max(len(picked), 1), len(picked), len(ids)


def figures_seconds(contract: Any, reader: Any, repeat: int) -> float:
    """``figures.dashboard`` computed from the database each time (the cache emptied first)."""
    from django.core.cache import cache
    from django.utils import timezone

    from jalon.conventions.period import Period
    from jalon.dashboard import figures
    from jalon.tickets.models import Ticket

    year, quarter = quarter_now()
    period = Period.parse(f"{year}-Q{quarter}")
    times = []
    for _ in range(repeat):
        cache.clear()
        began = time.perf_counter()
        figures.dashboard(contract, period, timezone.now(), tickets=Ticket.objects.visible_to(reader, contract))
        times.append(time.perf_counter() - began)
    return statistics.median(times)


# --- (c) creation ----------------------------------------------------------------------------

def time_each(count: int, action: Callable[[int], Any]) -> list[float]:
    times = []
    for i in range(count):
        began = time.perf_counter()
        action(i)
        times.append(time.perf_counter() - began)
    return times


def create_in_process(cast: Cast, count: int) -> tuple[list[float], list[float]]:
    from django.db.models import Max
    from django.utils import timezone

    from jalon.tickets.models import Ticket

    contract = cast.contract
    domain = time_each(count, lambda i: Ticket.open(
        contract, actor=cast.requester, type="anomalie", title=f"Banc d'essai : demande {i}",
        description="Créée par benchmarks/platform_bench.py.", site="SCV", lot="TMA"))
    version = contract.current_convention()

    def bare(i: int) -> None:
        last = Ticket.objects.filter(contract=contract).aggregate(n=Max("number"))["n"] or 0
        Ticket.objects.create(contract=contract, convention_version=version, number=last + 1, type="anomalie",
                              title=f"Banc d'essai : ligne {i}", requester=cast.requester, site="SCV", lot="TMA",
                              opened_at=timezone.now())

    return domain, time_each(count, bare)


def create_over_api(cast: Cast, port: int, count: int) -> tuple[list[float], int]:
    session = Session(port, {"Authorization": f"Bearer {cast.token}"})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    errors = 0

    def post(i: int) -> None:
        nonlocal errors
        body = json.dumps({"contract": SLUG, "type": "anomalie", "title": f"Banc d'essai : API {i}",
                           "site": "SCV", "lot": "TMA"}).encode()
        status, _ = session.send(conn, Request("create", "/api/v1/tickets", "POST", body))
        errors += status != 201

    return time_each(count, post), errors


def forget_created(first_new: int) -> int:
    """Delete the benchmark's own tickets (ids above ``first_new``), so runs stay comparable.
    History rows of real tickets are never deleted; these were created seconds ago by this run."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE tickets_ticket SET list_clock_id = NULL WHERE id > %s", [first_new])
        for table in ("tickets_ticketevent", "tickets_clock"):
            cursor.execute(f"DELETE FROM {table} WHERE ticket_id > %s", [first_new])
        cursor.execute("DELETE FROM tickets_ticket WHERE id > %s", [first_new])
        return int(cursor.rowcount)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


# --- main ------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> None:
    global WARMUP_SECONDS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per measured scenario")
    parser.add_argument("--peer-duration", type=float, default=15.0, help="seconds per peer scenario")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--think", type=float, default=1.0,
                        help="mean pause of a user between two requests, in seconds")
    parser.add_argument("--warmup", type=float, default=WARMUP_SECONDS,
                        help="unmeasured seconds at saturation before each scenario")
    parser.add_argument("--modes", default="users,saturation",
                        help="users (with --think), saturation (no pause), or both")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--creations", type=int, default=200)
    parser.add_argument("--dashboard-sample", type=int, default=1000)
    parser.add_argument("--only", default="abc", help="scenarios to run among a, b, c")
    args = parser.parse_args(argv)
    WARMUP_SECONDS = args.warmup
    if args.database in ("jalon", "test_jalon"):
        raise SystemExit("--database: use a database of your own, not the platform's")
    setup_django(args.database)
    from jalon.tickets.models import Ticket

    total = Ticket.objects.count()
    if total == 0:
        raise SystemExit(f"{args.database} has no tickets: run benchmarks/platform_data.py first")
    first_new = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    cast = prepare_cast()
    term = search_term()
    print(f"platform benchmark: {total:,} tickets in {args.database}, {args.clients} clients, "
          f"{args.workers} gunicorn workers, {os.cpu_count()} cores, modes {args.modes} (think {args.think} s), "
          f"{datetime.now():%Y-%m-%d %H:%M}  ({load()})", flush=True)
    verdicts: list[tuple[str, bool]] = []
    try:
        with server(args.database, args.workers) as port:
            user = login(port, "/connexion/", BUYER, cast.password)
            token = Session(port, {"Authorization": f"Bearer {cast.token}"})
            for mode in args.modes.split(","):
                think = {"users": args.think, "saturation": 0.0}[mode]
                print(f"== {mode}: {args.clients} clients, " + (
                    f"pausing {think:g} s on average between requests" if think else "no pause"))
                if mode == "saturation":
                    show("floor: GET /api/v1/contracts", *hammer(token, [Request("floor", "/api/v1/contracts")],
                                                                 args.clients, args.duration / 2, 0))
                if "a" in args.only:
                    verdicts += [(f"{name} ({mode})", ok) for name, ok in
                                 run_lists(args, user, token, port, cast, term, think, peer=mode == "saturation")]
                if "b" in args.only:
                    verdicts += [(f"{name} ({mode})", ok) for name, ok in
                                 run_dashboards(args, user, token, think)]
            if "b" in args.only:
                run_dashboard_peer(args, cast)
            if "c" in args.only:
                verdicts += run_creations(args, cast, port)
    finally:
        removed = forget_created(first_new)
        if removed:
            print(f"removed the {removed} tickets this run created")
    print("summary: " + ", ".join(f"{name} {verdict(ok)}" for name, ok in verdicts) + f"  ({load()})")


def run_lists(args: argparse.Namespace, user: Session, token: Session, port: int, cast: Cast,
              term: str, think: float, *, peer: bool) -> list[tuple[str, bool]]:
    print(f"(a) ticket list, {args.duration:.0f} s each, search term {term!r}")
    web, rest = list_requests(term)
    page = show("list page /marches/…/tickets/", *hammer(user, web, args.clients, args.duration, think),
                target=LIST_TARGET)
    api = show("API GET /api/v1/tickets", *hammer(token, rest, args.clients, args.duration, think),
               target=LIST_TARGET)
    if peer:
        print(f"    peer: Django admin changelist, same filters, same page size, {args.peer_duration:.0f} s each")
        admin = login(port, "/admin/login/", ADMIN, cast.admin_password)
        same, generic = peer_requests(term, cast.contract.pk)
        ours = show("list page (admin's filters)", *hammer(user, same, args.clients, args.peer_duration, think))
        theirs = show("admin changelist", *hammer(admin, generic, args.clients, args.peer_duration, think))
        print(f"    ratio admin / list page: p50 {theirs.p50 / ours.p50:.1f}×, p95 {theirs.p95 / ours.p95:.1f}×, "
              f"throughput {ours.rate / theirs.rate:.1f}×")
    return [("list page", page.p95 <= LIST_TARGET and not page.errors),
            ("API list", api.p95 <= LIST_TARGET and not api.errors)]


def run_dashboards(args: argparse.Namespace, user: Session, token: Session, think: float) -> list[tuple[str, bool]]:
    year, quarter = quarter_now()
    print(f"(b) dashboard, {year}-Q{quarter}, {args.duration:.0f} s each")
    page = show("dashboard page", *hammer(user, [Request("dashboard", f"/marches/{SLUG}/tableau-de-bord/?"
                                                          f"period=quarter&quarter={year}-T{quarter}")],
                                          args.clients, args.duration, think), target=DASHBOARD_TARGET)
    api = show("API dashboard", *hammer(token, [Request("dashboard", f"/api/v1/contracts/{SLUG}/dashboard?"
                                                        f"period={year}-Q{quarter}")],
                                        args.clients, args.duration, think), target=DASHBOARD_TARGET)
    return [("dashboard page", page.p95 <= DASHBOARD_TARGET and not page.errors),
            ("API dashboard", api.p95 <= DASHBOARD_TARGET and not api.errors)]


def run_dashboard_peer(args: argparse.Namespace, cast: Cast) -> None:
    figures = figures_seconds(cast.contract, cast.buyer, 3)
    naive, sample, count = naive_dashboard_seconds(cast.contract, args.dashboard_sample)
    print(f"(b) figures.dashboard in process, computed (not cached): median {ms(figures)}  ({load()})")
    print(f"    peer: Python loop over the quarter's {count:,} tickets (clocks_at each), timed on {sample:,}, "
          f"scaled: {naive:.1f} s  ratio {naive / figures:.0f}×  ({load()})")


def run_creations(args: argparse.Namespace, cast: Cast, port: int) -> list[tuple[str, bool]]:
    print(f"(c) creation, {args.creations} tickets each, one after another")
    domain, bare = create_in_process(cast, args.creations)
    over_api, errors = create_over_api(cast, port, args.creations)
    for title, times in (("Ticket.open (event + clocks)", domain), ("peer: Ticket.objects.create", bare),
                         ("POST /api/v1/tickets", over_api)):
        print(f"  {title:<34} median {ms(statistics.median(times))}  p95 {ms(quantile(times, 0.95))}  "
              f"({load()})")
    median = statistics.median(domain)
    print(f"    ratio Ticket.open / bare insert: {median / statistics.median(bare):.1f}×; "
          f"[median ≤ {CREATE_TARGET * 1000:.0f} ms: {verdict(median <= CREATE_TARGET)}]  API errors {errors}")
    return [("creation", median <= CREATE_TARGET),
            ("API creation", statistics.median(over_api) <= CREATE_TARGET and not errors)]


if __name__ == "__main__":
    main()

"""The task queue (huey) and Jalon's background tasks.

One machine: a SQLite file under DATA_DIR, no extra server. Several machines: set
``JALON_TASKS_REDIS_URL`` and run ``jalon run_worker`` on each. Every worker's scheduler enqueues
the periodic tasks; each tick runs once, on whichever worker claims it first
(:mod:`~jalon.messaging.periodic`). The queue may still deliver a task twice: exactly-once
notices come from the conditional updates in the database (:mod:`~jalon.messaging.clockwatch`,
:mod:`~jalon.messaging.outbox`, :mod:`~jalon.messaging.intake`), not from the queue.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import close_old_connections, connection, connections
from huey import Huey, RedisHuey, SqliteHuey, crontab

from jalon.governance import jobs as governance_jobs
from jalon.lib import clock
from jalon.messaging import clockwatch, imap, meteo, outbox
from jalon.messaging.periodic import StampsTicks, TickClaims, claims_for, once_per_tick
from jalon.orders import recurring
from jalon.tickets.history import publish_heads

P = ParamSpec("P")
R = TypeVar("R")


class JalonRedisHuey(StampsTicks, RedisHuey):
    pass


class JalonSqliteHuey(StampsTicks, SqliteHuey):
    pass


def build_huey(redis_url: str | None = None, immediate: bool | None = None,
               name: str = "jalon") -> Huey:
    url = settings.JALON_TASKS_REDIS_URL if redis_url is None else redis_url
    now = settings.JALON_TASKS_IMMEDIATE if immediate is None else immediate
    # Results are never read: storing them would only fill the queue's storage.
    if url:
        return JalonRedisHuey(name, url=url, immediate=now, results=False)
    path = settings.JALON_TASKS_SQLITE_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    return JalonSqliteHuey(name, filename=str(path), immediate=now, results=False)


def with_fresh_connections(huey: Huey, job: Callable[P, R]) -> Callable[P, R]:
    """Drop stale database connections around each task, as a long-lived worker must; never
    inside a transaction (immediate mode in a request or a test runs in the caller's)."""

    def refresh() -> None:
        if not huey.immediate and not connection.in_atomic_block:
            close_old_connections()

    @functools.wraps(job)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        refresh()
        try:
            return job(*args, **kwargs)
        finally:
            refresh()

    return run


def flush_outbox() -> int:
    return outbox.send_due()


def scan_clocks() -> int:
    # Each notice it queues asks for a flush after its commit (notify.send_soon).
    return clockwatch.scan_clocks()


def poll_mail() -> int:
    return imap.poll_all()


def send_meteo() -> int:
    # once a day per contract: the MeteoSend row is the claim (jalon/messaging/meteo.py)
    return meteo.send_due(clock.now())


def governance_tick() -> int:
    return governance_jobs.run(clock.now())


def recurring_orders() -> int:
    # this month's order of every active template, once: the unique (template, month) decides
    return len(recurring.issue_all())


@dataclass(frozen=True)
class Tasks:
    flush_outbox: Any
    scan_clocks: Any
    poll_mail: Any
    flush_outbox_periodically: Any
    publish_history_heads: Any
    send_meteo: Any
    governance: Any
    recurring_orders: Any


def periodic(huey: Huey, claims: TickClaims, name: str, minutes: int,
             job: Callable[[], int]) -> Any:
    """``job`` every ``minutes`` minutes (from the hour), once per tick across all consumers."""
    every = crontab(minute="*" if minutes == 1 else f"*/{minutes}")
    body = once_per_tick(claims, name, minutes, job)
    # tick_minutes becomes an attribute of the task class, read by StampsTicks.read_periodic.
    return huey.periodic_task(every, name=name, tick_minutes=minutes)(
        with_fresh_connections(huey, body))


def register(huey: Huey) -> Tasks:
    """Bind Jalon's tasks to ``huey`` (the tests bind them to a Redis-backed instance too)."""
    claims = claims_for(huey)
    # Each worker thread closes its own database connections as it stops.
    huey.on_shutdown("close_database_connections")(connections.close_all)
    return Tasks(
        flush_outbox=huey.task(name="flush_outbox")(with_fresh_connections(huey, flush_outbox)),
        scan_clocks=periodic(huey, claims, "scan_clocks", 1, scan_clocks),
        poll_mail=periodic(huey, claims, "poll_mail", settings.JALON_IMAP_POLL_MINUTES, poll_mail),
        flush_outbox_periodically=periodic(huey, claims, "flush_outbox_periodic", 1, flush_outbox),
        # each finished day's head of every contract's history chain (jalon.tickets.history)
        publish_history_heads=periodic(huey, claims, "publish_history_heads", 60, publish_heads),
        send_meteo=periodic(huey, claims, "send_meteo", 1, send_meteo),
        governance=periodic(huey, claims, "governance", 15, governance_tick),
        recurring_orders=periodic(huey, claims, "recurring_orders", 60, recurring_orders),
    )


huey = build_huey()
tasks = register(huey)

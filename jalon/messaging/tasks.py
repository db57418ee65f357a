"""The task queue (huey) and Jalon's background tasks.

One machine: a SQLite file under DATA_DIR, no extra server. Several machines: set
``JALON_TASKS_REDIS_URL`` and run ``jalon run_worker`` on each. The queue may deliver a task
twice or run the periodic ones on every worker: exactly-once notices come from the conditional
updates in the database (:mod:`~jalon.messaging.clockwatch`, :mod:`~jalon.messaging.outbox`,
:mod:`~jalon.messaging.intake`), not from the queue.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, connections
from huey import Huey, RedisHuey, SqliteHuey, crontab

from jalon.messaging import clockwatch, imap, outbox


def build_huey(redis_url: str | None = None, immediate: bool | None = None,
               name: str = "jalon") -> Huey:
    url = settings.JALON_TASKS_REDIS_URL if redis_url is None else redis_url
    now = settings.JALON_TASKS_IMMEDIATE if immediate is None else immediate
    # Results are never read: storing them would only fill the queue's storage.
    if url:
        return RedisHuey(name, url=url, immediate=now, results=False)
    path = settings.JALON_TASKS_SQLITE_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(path), immediate=now, results=False)


def with_fresh_connections(huey: Huey, job: Callable[[], int]) -> Callable[[], int]:
    """Drop stale database connections around each task, as a long-lived worker must; never
    inside a transaction (immediate mode in a request or a test runs in the caller's)."""

    def refresh() -> None:
        if not huey.immediate and not connection.in_atomic_block:
            close_old_connections()

    @functools.wraps(job)
    def run() -> int:
        refresh()
        try:
            return job()
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


@dataclass(frozen=True)
class Tasks:
    flush_outbox: Any
    scan_clocks: Any
    poll_mail: Any
    flush_outbox_periodically: Any


def register(huey: Huey) -> Tasks:
    """Bind Jalon's tasks to ``huey`` (the tests bind them to a Redis-backed instance too)."""
    every_minute = crontab(minute="*")
    polling = crontab(minute=f"*/{settings.JALON_IMAP_POLL_MINUTES}")
    # Each worker thread closes its own database connections as it stops.
    huey.on_shutdown("close_database_connections")(connections.close_all)
    return Tasks(
        flush_outbox=huey.task(name="flush_outbox")(with_fresh_connections(huey, flush_outbox)),
        scan_clocks=huey.periodic_task(every_minute, name="scan_clocks")(
            with_fresh_connections(huey, scan_clocks)),
        poll_mail=huey.periodic_task(polling, name="poll_mail")(
            with_fresh_connections(huey, poll_mail)),
        flush_outbox_periodically=huey.periodic_task(every_minute, name="flush_outbox_periodic")(
            with_fresh_connections(huey, flush_outbox)),
    )


huey = build_huey()
tasks = register(huey)

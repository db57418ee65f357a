"""Periodic tasks run once per tick, however many consumers schedule them.

Every ``jalon run_worker`` has a scheduler that enqueues the periodic tasks each minute, so with
k consumers sharing a Redis queue each tick is enqueued k times. Running all of them was harmless
(notices are claimed by conditional UPDATEs) but wasteful, and asking operators to keep the
scheduler on one machine only (``--no-periodic`` on the others) left nothing scanning when that
machine was down. Instead, every scheduler enqueues, and the first copy of a tick to start claims
it; the other copies see the claim, log it at debug level and return without doing the work.

The tick is the minute the scheduler saw, truncated to the task's period
(:class:`StampsTicks` writes it into the task's kwargs as ``scheduled_for`` when it enqueues):
not the time the task runs, so a copy that waits behind other tasks, or a scheduler that fires
later in the same minute, still lands on the claim of the first. A task enqueued by hand (no
``scheduled_for``) is not a tick and always runs.

The claim is atomic and seen by every consumer of the queue:

- Redis queue: ``SET key token NX EX ttl`` on the queue's own Redis connection.
- SQLite queue (one machine, any number of worker threads or processes): a row of
  :class:`~jalon.messaging.models.PeriodicTick`, whose unique constraint lets one INSERT through;
  expired rows are deleted at each claim. It works the same on SQLite and PostgreSQL.

A claim lasts :data:`PERIODS_KEPT` periods, long after every copy of its tick has left the
queue, then expires (Redis) or is pruned (database), so the storage does not grow.

Why not huey's ``lock_task``: it keys on the task name, not the tick, and deletes its key when the
body ends, so it prevents two copies from *overlapping* but not a second copy that starts after
the first finished from running the same tick again (the usual case: copies enqueued seconds
apart, a body that takes milliseconds). Its lock has no expiry either on this huey's storages:
``SqliteStorage.put_if_empty`` refuses a TTL and ``RedisStorage.put_if_empty`` needs hash-field
TTLs (Redis 7.4 or later), so a worker killed mid-task would leave the lock until someone flushes
it. The SQLite storage's ``put_if_empty`` would give the atomic insert, but with no TTL its keys
could only be pruned with SQL on huey's private table, hence the Django table.

A body that raises releases its claim (then the error goes to huey's log as before): a copy of
the same tick that has not started yet, from another consumer, may run it. The periodic bodies
are safe to repeat (conditional UPDATEs, unique Message-IDs), so a second attempt after a
failure on one machine is failover, not a duplicate. Nothing else retries a failed tick: the next
tick catches up anyway. A worker killed mid-body keeps its claim until it expires, and that tick
is skipped, as it would be with a single consumer.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from django.db import IntegrityError, transaction
from django.utils import timezone
from huey.storage import RedisStorage

from jalon.messaging.models import PeriodicTick

logger = logging.getLogger(__name__)

SCHEDULED_FOR = "scheduled_for"
PERIODS_KEPT = 5


def tick_of(timestamp: datetime, minutes: int) -> datetime:
    """The start of the ``minutes``-long period holding ``timestamp`` (naive UTC, as huey's
    scheduler gives it, or aware), counted within the hour as ``crontab(minute="*/N")`` does."""
    start = timestamp.replace(minute=timestamp.minute - timestamp.minute % minutes, second=0,
                              microsecond=0)
    return start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)


class StampsTicks:
    """Mixed into the Huey class: the scheduler stamps each periodic task declaring
    ``tick_minutes`` with the tick it is enqueued for."""

    utc: bool

    def read_periodic(self, timestamp: datetime | None) -> list[Any]:
        if timestamp is None:
            timestamp = self._get_timestamp()  # type: ignore[attr-defined]
        tasks: list[Any] = super().read_periodic(timestamp)  # type: ignore[misc]
        # huey gives naive UTC, or naive local time when built with utc=False.
        seen = timestamp.astimezone() if not self.utc and timestamp.tzinfo is None else timestamp
        for task in tasks:
            minutes = getattr(task, "tick_minutes", None)
            if minutes:
                task.kwargs[SCHEDULED_FOR] = tick_of(seen, minutes).isoformat()
        return tasks


class TickClaims(Protocol):
    def claim(self, task: str, tick: datetime, ttl: timedelta) -> str | None:
        """Take (task, tick) and return a token, or None if it is already taken."""

    def release(self, task: str, tick: datetime, token: str) -> None:
        """Give back a claim taken with ``token`` (no-op if it expired and someone else has it)."""


class RedisTickClaims:
    # Delete the key only if it still holds our token (it may have expired and been retaken).
    RELEASE = ("if redis.call('get', KEYS[1]) == ARGV[1] then "
               "return redis.call('del', KEYS[1]) else return 0 end")

    def __init__(self, conn: Any, queue: str) -> None:
        self.conn = conn
        self.prefix = f"huey.tick.{queue}."
        self._release = conn.register_script(self.RELEASE)

    def key(self, task: str, tick: datetime) -> str:
        return f"{self.prefix}{task}.{tick:%Y-%m-%dT%H:%MZ}"

    def claim(self, task: str, tick: datetime, ttl: timedelta) -> str | None:
        token = uuid.uuid4().hex
        taken = self.conn.set(self.key(task, tick), token, nx=True,
                              ex=max(1, int(ttl.total_seconds())))
        return token if taken else None

    def release(self, task: str, tick: datetime, token: str) -> None:
        self._release(keys=[self.key(task, tick)], args=[token])


class DatabaseTickClaims:
    def __init__(self, queue: str) -> None:
        self.queue = queue

    def claim(self, task: str, tick: datetime, ttl: timedelta) -> str | None:
        now = timezone.now()
        PeriodicTick.objects.filter(expires_at__lte=now).delete()
        token = uuid.uuid4().hex
        try:
            with transaction.atomic():  # a savepoint when called inside a transaction
                PeriodicTick.objects.create(queue=self.queue, task=task, tick=tick, token=token,
                                            expires_at=now + ttl)
        except IntegrityError:
            return None
        return token

    def release(self, task: str, tick: datetime, token: str) -> None:
        PeriodicTick.objects.filter(queue=self.queue, task=task, tick=tick, token=token).delete()


def claims_for(huey: Any) -> TickClaims:
    """Redis claims for a Redis queue, seen by every machine; database claims otherwise."""
    if isinstance(huey.storage, RedisStorage):
        return RedisTickClaims(huey.storage.conn, huey.storage.name)
    return DatabaseTickClaims(huey.name)


def once_per_tick(claims: TickClaims, name: str, minutes: int,
                  job: Callable[[], int]) -> Callable[..., int | None]:
    """``job`` as a periodic task body that runs once per (name, tick) across all consumers."""
    ttl = timedelta(minutes=minutes * PERIODS_KEPT)

    @functools.wraps(job)
    def run(scheduled_for: str | None = None) -> int | None:
        if scheduled_for is None:  # enqueued by hand, not by a scheduler: not a tick
            return job()
        tick = datetime.fromisoformat(scheduled_for)
        token = claims.claim(name, tick, ttl)
        if token is None:
            logger.debug("%s: tick %s already claimed by another consumer, skipped",
                         name, scheduled_for)
            return None
        try:
            return job()
        except BaseException:
            try:
                claims.release(name, tick, token)
            except Exception:
                logger.exception("%s: could not release tick %s", name, scheduled_for)
            raise

    return run

"""Periodic tasks scheduled by every consumer run once per tick (jalon.messaging.periodic).

Each test plays the consumers' schedulers with huey's own ``Scheduler.enqueue_periodic_tasks``
at chosen instants, then lets the consumers take the copies from the shared queue; the task
bodies (clock scan, outbox flush, mail poll) are mocks that count their runs.
"""

from __future__ import annotations

import os
import tempfile
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.db import connection
from django.test import TestCase, TransactionTestCase, override_settings
from huey import Huey
from huey.consumer import Scheduler

from jalon.governance import jobs as governance_jobs
from jalon.messaging import clockwatch, imap, meteo, outbox
from jalon.messaging.models import PeriodicTick
from jalon.messaging.periodic import (
    SCHEDULED_FOR,
    DatabaseTickClaims,
    RedisTickClaims,
    TickClaims,
    tick_of,
)
from jalon.messaging.tasks import JalonRedisHuey, JalonSqliteHuey, Tasks, build_huey, register
from jalon.messaging.tests.base import at, delete_tick_keys

REDIS_URL = os.environ.get("JALON_TEST_REDIS_URL", "")
NEEDS_REDIS = pytest.mark.skipif(not REDIS_URL, reason="needs a Redis server: set "
                                 "JALON_TEST_REDIS_URL (CI sets redis://127.0.0.1:6379/15)")


def utc(hour: int, minute: int, second: int = 0) -> datetime:
    """Monday 11 May 2026 in naive UTC, as huey's scheduler reads its clock."""
    return datetime(2026, 5, 11, hour, minute, second)


def schedule(machine: Huey, now: datetime | None) -> None:
    """What a consumer's scheduler does once a minute (``None``: it reads the clock)."""
    Scheduler(machine, stop_flag=None, interval=1, periodic=True).enqueue_periodic_tasks(now)


class TickTest(TestCase):
    def test_the_tick_is_the_scheduled_minute_truncated_to_the_period(self) -> None:
        assert tick_of(utc(11, 7, 42), 1) == datetime(2026, 5, 11, 11, 7, tzinfo=UTC)
        assert tick_of(utc(11, 7, 42), 5) == datetime(2026, 5, 11, 11, 5, tzinfo=UTC)
        assert tick_of(datetime(2026, 5, 11, 13, 7, 42, tzinfo=UTC), 60) == datetime(
            2026, 5, 11, 13, 0, tzinfo=UTC)

    def test_the_scheduler_stamps_each_periodic_task_with_its_tick(self) -> None:
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        machine = JalonSqliteHuey("jalon", filename=f"{directory.name}/tasks.sqlite3",
                                  immediate=False, results=False)
        register(machine)
        stamps = {task.name: task.kwargs for task in machine.read_periodic(utc(11, 5, 59))}
        assert stamps == {name: {SCHEDULED_FOR: "2026-05-11T11:05:00+00:00"}
                          for name in ("scan_clocks", "poll_mail", "flush_outbox_periodic", "send_meteo")}
        assert [t.name for t in machine.read_periodic(utc(11, 6, 0))] == [
            "scan_clocks", "flush_outbox_periodic", "send_meteo"]  # the mail poll runs every 5 minutes
        stamps = {task.name: task.kwargs for task in machine.read_periodic(utc(11, 15, 30))}
        assert stamps["governance"] == {SCHEDULED_FOR: "2026-05-11T11:15:00+00:00"}  # every 15 minutes


class PeriodicTicks:
    """The scenarios, played on a Redis queue and on the default SQLite queue."""

    queue_class: type
    name: str

    def new_machine(self) -> Huey:
        raise NotImplementedError

    def claims(self) -> TickClaims:
        raise NotImplementedError

    def assert_expires(self, claims: TickClaims, task: str, tick: datetime,
                       ttl: timedelta) -> None:
        raise NotImplementedError

    def setUp(self) -> None:
        super().setUp()  # type: ignore[misc]
        self.name = f"jalon-test-{uuid.uuid4().hex}"
        self.scan = mock.Mock(return_value=0)
        self.flush = mock.Mock(return_value=0)
        self.poll = mock.Mock(return_value=0)
        self.meteo = mock.Mock(return_value=0)
        self.governance = mock.Mock(return_value=0)
        self.heads = mock.Mock(return_value=0)
        self.recurring = mock.Mock(return_value=[])
        recurring = mock.patch("jalon.messaging.tasks.recurring.issue_all", self.recurring)
        recurring.start()
        self.addCleanup(recurring.stop)  # type: ignore[attr-defined]
        heads = mock.patch("jalon.messaging.tasks.publish_heads", self.heads)
        heads.start()
        self.addCleanup(heads.stop)  # type: ignore[attr-defined]
        for module, body, double in ((clockwatch, "scan_clocks", self.scan),
                                     (outbox, "send_due", self.flush),
                                     (imap, "poll_all", self.poll),
                                     (meteo, "send_due", self.meteo),
                                     (governance_jobs, "run", self.governance)):
            patcher = mock.patch.object(module, body, double)
            patcher.start()
            self.addCleanup(patcher.stop)  # type: ignore[attr-defined]

    def consumers(self, count: int = 2) -> list[tuple[Huey, Tasks]]:
        """``count`` consumers of one queue, as on as many machines (or worker processes)."""
        machines = [self.new_machine() for _ in range(count)]
        assert all(isinstance(m, self.queue_class) for m in machines)
        return [(machine, register(machine)) for machine in machines]

    def run_queue(self, consumers: list[tuple[Huey, Tasks]]) -> int:
        """The consumers take turns at the queue until it is empty; returns the tasks run."""
        done = 0
        while consumers[0][0].pending_count():
            machine = consumers[done % len(consumers)][0]
            machine.execute(machine.dequeue())
            done += 1
        return done

    def runs(self) -> tuple[int, int, int]:
        return self.scan.call_count, self.flush.call_count, self.poll.call_count

    def test_two_consumers_scheduling_the_same_minute_run_each_task_once(self) -> None:
        (a, _), (b, _) = consumers = self.consumers()
        schedule(a, utc(11, 0, 1))
        schedule(b, utc(11, 0, 59))  # its scheduler fires later in the same minute
        # scan, flush, météo and (minute 0) mail poll, governance, history heads and recurring
        # orders, twice
        assert a.pending_count() == 14
        with at(datetime(2026, 5, 11, 11, 1, 30, tzinfo=UTC)):  # run after the minute changed
            assert self.run_queue(consumers) == 14
        assert self.runs() == (1, 1, 1)
        assert (self.meteo.call_count, self.governance.call_count, self.heads.call_count,
                self.recurring.call_count) == (1, 1, 1, 1)

    def test_a_copy_run_minutes_later_behind_a_backlog_is_still_skipped(self) -> None:
        (a, _), (b, _) = consumers = self.consumers()
        schedule(a, utc(11, 0, 1))
        with at(datetime(2026, 5, 11, 11, 0, 2, tzinfo=UTC)):
            self.run_queue(consumers)
        schedule(b, utc(11, 0, 30))
        with at(datetime(2026, 5, 11, 11, 3, 0, tzinfo=UTC)):
            assert self.run_queue(consumers) == 7
        assert self.runs() == (1, 1, 1)

    def test_a_later_minute_runs_again(self) -> None:
        (a, _), (b, _) = consumers = self.consumers()
        for minute in (0, 1, 5):
            with at(datetime(2026, 5, 11, 11, minute, 0, tzinfo=UTC)):
                schedule(a, None)  # the scheduler reads the clock, as in a real consumer
                schedule(b, None)
                self.run_queue(consumers)
        assert self.runs() == (3, 3, 2)  # the mail poll at minutes 0 and 5 only

    def test_a_failed_tick_is_released_for_a_copy_not_yet_started(self) -> None:
        self.scan.side_effect = [RuntimeError("database unreachable"), 0]
        (a, _), (b, _), (c, _) = consumers = self.consumers(3)
        schedule(a, utc(11, 1, 1))
        schedule(b, utc(11, 1, 20))
        with self.assertLogs("huey", "ERROR") as logs:  # type: ignore[attr-defined]
            assert self.run_queue(consumers) == 6
        assert "Unhandled exception in task" in logs.output[0]
        assert self.runs() == (2, 1, 0)  # a's scan failed, b's copy ran it
        schedule(c, utc(11, 1, 40))  # once a copy succeeded, the tick is taken for good
        self.run_queue(consumers)
        assert self.runs() == (2, 1, 0)

    def test_a_skipped_copy_is_logged_at_debug_level(self) -> None:
        (a, _), (b, _) = consumers = self.consumers()
        schedule(a, utc(11, 2))
        schedule(b, utc(11, 2, 30))
        with self.assertLogs("jalon.messaging.periodic", "DEBUG") as logs:  # type: ignore[attr-defined]
            self.run_queue(consumers)
        assert sorted(logs.output) == [
            f"DEBUG:jalon.messaging.periodic:{name}: tick 2026-05-11T11:02:00+00:00 already "
            "claimed by another consumer, skipped" for name in ("flush_outbox_periodic",
                                                                "scan_clocks", "send_meteo")]

    def test_tasks_enqueued_by_hand_are_not_ticks_and_always_run(self) -> None:
        (_, tasks_a), (_, tasks_b) = consumers = self.consumers()
        tasks_a.scan_clocks()
        tasks_b.scan_clocks()
        tasks_a.flush_outbox()
        tasks_b.flush_outbox()
        assert self.run_queue(consumers) == 4
        assert self.runs() == (2, 2, 0)

    def test_a_claim_expires_after_a_few_periods(self) -> None:
        claims = self.claims()
        tick = datetime(2026, 5, 11, 11, 0, tzinfo=UTC)
        with at(tick):
            assert claims.claim("scan_clocks", tick, timedelta(minutes=5)) is not None
            assert claims.claim("scan_clocks", tick, timedelta(minutes=5)) is None
            assert claims.claim("scan_clocks", tick + timedelta(minutes=1),
                                timedelta(minutes=5)) is not None
        self.assert_expires(claims, "scan_clocks", tick, timedelta(minutes=5))


@NEEDS_REDIS
class RedisPeriodicTicksTest(PeriodicTicks, TestCase):
    queue_class = JalonRedisHuey

    def new_machine(self) -> Huey:
        machine = build_huey(redis_url=REDIS_URL, immediate=False, name=self.name)
        self.addCleanup(machine.storage.flush_all)
        self.addCleanup(delete_tick_keys, machine)
        return machine

    def claims(self) -> TickClaims:
        storage = self.new_machine().storage
        return RedisTickClaims(storage.conn, storage.name)

    def assert_expires(self, claims: TickClaims, task: str, tick: datetime,
                       ttl: timedelta) -> None:
        assert isinstance(claims, RedisTickClaims)
        key = claims.key(task, tick)
        assert key == f"huey.tick.{self.name.replace('-', '')}.scan_clocks.2026-05-11T11:00Z"
        assert 0 < claims.conn.ttl(key) <= ttl.total_seconds()

    def test_each_task_keeps_its_claims_for_five_of_its_periods(self) -> None:
        (a, _), (b, _) = consumers = self.consumers()
        schedule(a, utc(11, 0))
        schedule(b, utc(11, 0))
        self.run_queue(consumers)
        conn, prefix = a.storage.conn, f"huey.tick.{a.storage.name}."
        ttls = {key.decode().removeprefix(prefix): conn.ttl(key)
                for key in conn.scan_iter(match=f"{prefix}*")}
        assert sorted(ttls) == ["flush_outbox_periodic.2026-05-11T11:00Z", "governance.2026-05-11T11:00Z",
                                "poll_mail.2026-05-11T11:00Z", "publish_history_heads.2026-05-11T11:00Z",
                                "recurring_orders.2026-05-11T11:00Z", "scan_clocks.2026-05-11T11:00Z",
                                "send_meteo.2026-05-11T11:00Z"]
        assert 240 < ttls["scan_clocks.2026-05-11T11:00Z"] <= 300
        assert 1440 < ttls["poll_mail.2026-05-11T11:00Z"] <= 1500  # every 5 minutes

    def test_consumers_claiming_at_the_same_instant_get_one_claim(self) -> None:
        claims = self.claims()
        tick, won = datetime(2026, 5, 11, 11, 0, tzinfo=UTC), []
        start = threading.Barrier(8)

        def claim() -> None:
            start.wait()
            won.append(claims.claim("scan_clocks", tick, timedelta(minutes=5)))

        threads = [threading.Thread(target=claim) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len([token for token in won if token]) == 1


class SqlitePeriodicTicksTest(PeriodicTicks, TestCase):
    """The default queue: a SQLite file shared by the worker threads or processes of one
    machine; the claims are rows of the Django database."""

    queue_class = JalonSqliteHuey

    def setUp(self) -> None:
        super().setUp()
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.path = Path(directory.name) / "tasks.sqlite3"

    def new_machine(self) -> Huey:
        with override_settings(JALON_TASKS_SQLITE_PATH=self.path):
            return build_huey(redis_url="", immediate=False, name=self.name)

    def claims(self) -> TickClaims:
        return DatabaseTickClaims(self.name)

    def assert_expires(self, claims: TickClaims, task: str, tick: datetime,
                       ttl: timedelta) -> None:
        rows = PeriodicTick.objects.filter(queue=self.name, task=task)
        assert [r.expires_at for r in rows.order_by("tick")] == [tick + ttl, tick + ttl]
        later = tick + ttl + timedelta(minutes=1)
        with at(later):  # every claim first deletes the expired rows, of any task and tick
            assert claims.claim("poll_mail", later, ttl) is not None
        assert list(PeriodicTick.objects.filter(queue=self.name).values_list("task", flat=True)) \
            == ["poll_mail"]

    def test_claims_of_another_queue_do_not_count(self) -> None:
        tick = datetime(2026, 5, 11, 11, 0, tzinfo=UTC)
        assert self.claims().claim("scan_clocks", tick, timedelta(minutes=5)) is not None
        other = DatabaseTickClaims(f"other-{self.name}")
        assert other.claim("scan_clocks", tick, timedelta(minutes=5)) is not None


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs PostgreSQL: SQLite's in-memory test database is not shared "
                           "between connections")
class ConcurrentDatabaseClaimsTest(TransactionTestCase):
    def test_consumers_claiming_at_the_same_instant_get_one_claim(self) -> None:
        claims, tick = DatabaseTickClaims("jalon"), datetime(2026, 5, 11, 11, 0, tzinfo=UTC)
        start, won, errors = threading.Barrier(4), [], []

        def claim() -> None:
            try:
                start.wait()
                won.append(claims.claim("scan_clocks", tick, timedelta(minutes=5)))
            except BaseException as error:  # collected for the assertion below
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=claim) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len([token for token in won if token]) == 1
        assert PeriodicTick.objects.count() == 1

from __future__ import annotations

import os
import uuid
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from unittest import mock

import pytest
from django.core import mail
from django.test import override_settings
from huey import RedisHuey, SqliteHuey
from huey.consumer import Scheduler

from jalon.messaging import clockwatch
from jalon.messaging import tasks as tasks_module
from jalon.messaging.models import NoticeKind, OutboxMessage
from jalon.messaging.tasks import build_huey, huey, register, tasks
from jalon.messaging.tests.base import MessagingTestCase, at, delete_tick_keys, eml, paris
from jalon.messaging.tests.fake_imap import FakeImap
from jalon.tickets.models import Ticket

REDIS_URL = os.environ.get("JALON_TEST_REDIS_URL", "")


def periodic(name: str) -> type:
    found = [t for t in huey._registry._periodic_tasks if t.__name__ == name]
    assert len(found) == 1
    return found[0]


class QueueSetupTest(MessagingTestCase):
    def test_the_default_queue_is_a_sqlite_file_under_the_data_directory(self) -> None:
        with override_settings(JALON_TASKS_SQLITE_PATH=Path("/tmp") / uuid.uuid4().hex / "t.db"):
            from django.conf import settings

            queue = build_huey(redis_url="", immediate=False)
            assert isinstance(queue, SqliteHuey)
            assert queue.storage.filename == str(settings.JALON_TASKS_SQLITE_PATH)
            assert settings.JALON_TASKS_SQLITE_PATH.parent.is_dir()

    def test_a_redis_url_selects_the_redis_queue(self) -> None:
        queue = build_huey(redis_url="redis://127.0.0.1:6379/15", immediate=False)
        assert isinstance(queue, RedisHuey)

    def test_the_clock_scan_and_the_outbox_flush_run_every_minute(self) -> None:
        for name in ("scan_clocks", "flush_outbox_periodic"):
            task = periodic(name)
            assert task().validate_datetime(datetime(2026, 5, 11, 13, 0))
            assert task().validate_datetime(datetime(2026, 5, 11, 13, 1))

    def test_the_mail_poll_runs_every_n_minutes(self) -> None:
        task = periodic("poll_mail")
        minutes = [m for m in range(60) if task().validate_datetime(datetime(2026, 5, 11, 9, m))]
        assert minutes == list(range(0, 60, 5))  # JALON_IMAP_POLL_MINUTES defaults to 5


class ImmediateModeTest(MessagingTestCase):
    def test_tests_run_the_queue_in_immediate_mode(self) -> None:
        assert huey.immediate

    def test_the_scan_task_queues_and_sends_the_warning(self) -> None:
        ticket = self.open_urgent()
        self.assign_to_technician(ticket)
        mail.outbox.clear()
        with at(paris(2026, 5, 11, 13, 0)), self.captureOnCommitCallbacks(execute=True):
            tasks.scan_clocks()
        assert [m.to for m in mail.outbox] == [["tina.titulaire@example.fr"]]

    def test_a_queue_outage_never_fails_the_request_and_the_periodic_flush_catches_up(
            self) -> None:
        broken = mock.Mock(side_effect=ConnectionError("Redis is down"))
        with mock.patch.object(tasks_module, "tasks", replace(tasks, flush_outbox=broken)), \
                self.assertLogs("jalon.messaging.notify", "ERROR"):
            self.open_urgent()
        assert mail.outbox == []
        assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 2
        with at(paris(2026, 5, 7, 15, 1)):
            tasks.flush_outbox_periodically()
        assert len(mail.outbox) == 2

    @override_settings(JALON_IMAP_ACCOUNTS={"default": {"host": "imap.jalon.example",
                                                        "port": 993, "ssl": True,
                                                        "folder": "INBOX"}})
    def test_the_poll_task_takes_mail_in(self) -> None:
        server = FakeImap([eml("plain.eml")])
        with mock.patch("jalon.messaging.imap.connect", return_value=server), \
                self.captureOnCommitCallbacks(execute=True):
            tasks.poll_mail()
        assert Ticket.objects.get().title == "Concentrateur de Lyon muet depuis 8 h"


@pytest.mark.skipif(not REDIS_URL, reason="needs a Redis server: set JALON_TEST_REDIS_URL "
                                          "(CI sets redis://127.0.0.1:6379/15)")
class RedisQueueTest(MessagingTestCase):
    """The web process enqueues on Redis; two worker machines take the tasks from there."""

    def setUp(self) -> None:
        name = f"jalon-test-{uuid.uuid4().hex}"
        self.web = build_huey(redis_url=REDIS_URL, immediate=False, name=name)
        self.web_tasks = register(self.web)
        self.machines = [build_huey(redis_url=REDIS_URL, immediate=False, name=name)
                         for _ in range(2)]
        for machine in self.machines:
            register(machine)
        self.addCleanup(self.web.storage.flush_all)
        self.addCleanup(delete_tick_keys, self.web)

    def run_workers(self) -> int:
        done = 0
        for machine in self.machines:
            task = machine.dequeue() if machine.pending_count() else None  # no blocking wait
            if task is not None:
                machine.execute(task)
                done += 1
        return done

    def test_two_workers_running_the_same_scan_warn_once(self) -> None:
        ticket = self.open_urgent()
        self.assign_to_technician(ticket)
        mail.outbox.clear()
        with at(paris(2026, 5, 11, 13, 0)), self.captureOnCommitCallbacks(execute=True):
            # Even enqueued by hand (not a scheduler's tick, so both run), the scan warns once.
            self.web_tasks.scan_clocks()
            self.web_tasks.scan_clocks()
            assert self.web.pending_count() == 2
            assert self.run_workers() == 2
        assert self.web.pending_count() == 0
        assert OutboxMessage.objects.filter(kind=NoticeKind.AT_RISK).count() == 1
        assert [m.to for m in mail.outbox] == [["tina.titulaire@example.fr"]]

    def test_both_machines_schedule_the_scan_and_it_runs_once(self) -> None:
        ticket = self.open_urgent()
        self.assign_to_technician(ticket)
        mail.outbox.clear()
        scans = mock.Mock(wraps=clockwatch.scan_clocks)
        with at(paris(2026, 5, 11, 13, 0)), self.captureOnCommitCallbacks(execute=True), \
                mock.patch.object(clockwatch, "scan_clocks", scans):
            for machine in self.machines:  # each consumer's scheduler, in the same minute
                Scheduler(machine, None, 1, True).enqueue_periodic_tasks(None)
            # scan, flush, météo, mail poll, governance, heads, recurring orders, twice
            assert self.web.pending_count() == 14
            while self.web.pending_count():
                self.run_workers()
        assert scans.call_count == 1
        assert [m.to for m in mail.outbox] == [["tina.titulaire@example.fr"]]

    def test_a_flush_enqueued_by_the_web_is_sent_by_a_worker(self) -> None:
        with mock.patch.object(tasks_module, "tasks", self.web_tasks):
            self.open_urgent()  # its after-commit flush now goes to Redis
        assert mail.outbox == []
        assert self.web.pending_count() == 1
        with at(paris(2026, 5, 7, 15, 1)):
            assert self.run_workers() == 1
        assert len(mail.outbox) == 2

"""One hash chain per contract over the events of tickets, orders, meetings and deliverables
(issue 15): on the demo's AQUAREEL quarter, `jalon history verify` walks every table, names a
changed or deleted event of any of them, the published daily head covers them all, the database
refuses to rewrite them, and the data migration's backfill rebuilds the chain of existing rows."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import DatabaseError, connection, models, transaction

from jalon.commitments import chain
from jalon.contracts.models import Contract
from jalon.deliverables.models import DeliverableEvent
from jalon.demo.data import load_demo
from jalon.governance.models import ActionEvent, DecisionEvent, MeetingEvent, RiskEvent
from jalon.orders.models import OrderEvent
from jalon.testing.cast import JalonTestCase
from jalon.tickets import history
from jalon.tickets.models import ChainHead, TicketEvent
from jalon.web.tests.test_demo import NOW

JOINED: list[type[models.Model]] = [OrderEvent, MeetingEvent, DeliverableEvent, DecisionEvent, ActionEvent,
                                    RiskEvent]
EVERY: list[type[models.Model]] = [TicketEvent, *JOINED]


def verify(slug: str = "aquareel") -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("history", "verify", "--contract", slug, stdout=out, stderr=err)
    except SystemExit as exit:
        return int(exit.code or 0), err.getvalue()
    return 0, out.getvalue()


def drop_guards(*tables: str) -> None:
    """What someone with the owner's rights could do: the chain still tells."""
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            else:
                for statement in chain.unguard_statements("sqlite", table):
                    cursor.execute(statement)


class Editor:
    """What the migration's backfill needs of a schema editor."""

    connection = connection

    def execute(self, sql: str, params: Any = None) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


class DemoChainTest(JalonTestCase):
    demo: Contract

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.demo = load_demo(NOW, count=5, slugs=("aquareel",)).contracts["aquareel"]

    def rows(self, model: type[models.Model]) -> list[Any]:
        return list(model._default_manager.filter(contract=self.demo).order_by("seq"))

    def test_every_record_s_events_share_one_chain_per_contract(self) -> None:
        ranks = sorted(e.seq for model in EVERY for e in self.rows(model))
        assert all(self.rows(model) for model in EVERY), "the demo has events of every table"
        assert ranks == list(range(1, len(ranks) + 1))
        assert verify() == (0, f"aquareel: {len(ranks)} events, chain intact\n")

    def test_a_changed_event_of_any_table_is_named(self) -> None:
        for model in JOINED:
            with self.subTest(model=model.__name__), transaction.atomic():
                event = self.rows(model)[1]
                drop_guards(model._meta.db_table)
                with connection.cursor() as cursor:
                    cursor.execute(f"UPDATE {model._meta.db_table} SET payload = %s WHERE id = %s",
                                   ['{"reason": "réécrit"}', event.pk])
                code, message = verify()
                assert code == 1
                assert f"{model._meta.label_lower} #{event.pk}" in message
                assert "content changed" in message
                transaction.set_rollback(True)

    def test_a_deleted_event_of_any_table_is_caught(self) -> None:
        for model in JOINED:
            with self.subTest(model=model.__name__), transaction.atomic():
                event = self.rows(model)[0]
                drop_guards(model._meta.db_table)
                with connection.cursor() as cursor:
                    cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE id = %s", [event.pk])
                code, message = verify()
                assert code == 1
                assert f"rank {event.seq} deleted" in message
                transaction.set_rollback(True)

    def test_the_published_head_covers_every_table(self) -> None:
        history.publish_heads(NOW + timedelta(days=2))
        head = ChainHead.objects.filter(contract=self.demo).order_by("-day").first()
        assert head is not None
        last = max((e for model in EVERY for e in self.rows(model)[-1:]), key=lambda e: e.seq)
        assert (head.seq, head.digest) == (last.seq, last.digest)
        # the last event is dropped and the chain rebuilt from there: only the head tells
        drop_guards(last._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {last._meta.db_table} WHERE id = %s", [last.pk])
        code, message = verify()
        assert code == 1
        assert "published head" in message

    def test_the_models_and_the_database_refuse_rewrites(self) -> None:
        for model in JOINED:
            event = self.rows(model)[0]
            with self.subTest(model=model.__name__):
                with pytest.raises(TypeError):
                    event.save()
                with pytest.raises(TypeError):
                    event.delete()
                with pytest.raises(TypeError):
                    model._default_manager.filter(pk=event.pk).update(kind="x")
                statements = [f"UPDATE {model._meta.db_table} SET kind = 'x'"]
                if connection.vendor == "sqlite":  # PostgreSQL: the owner may delete (NonOwnerTest)
                    statements.append(f"DELETE FROM {model._meta.db_table}")
                for statement in statements:
                    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                        cursor.execute(statement)

    def test_the_migration_chains_existing_rows_and_keeps_the_tickets_digests(self) -> None:
        tickets_before = list(TicketEvent.objects.filter(contract=self.demo).values_list("seq", "digest"))
        drop_guards(*(m._meta.db_table for m in JOINED))
        with connection.cursor() as cursor:  # the rows as they were before the migration
            for model in JOINED:
                cursor.execute(f"UPDATE {model._meta.db_table} SET contract_id = NULL, seq = NULL, "
                               "previous = '', digest = ''")
        before: list[tuple[str, str]] = [("tickets", "TicketEvent")]
        for model, record, fields in ((OrderEvent, "order", ("state_from", "state_to")),
                                      (MeetingEvent, "meeting", ()),
                                      (DeliverableEvent, "deliverable", ("state_from", "state_to")),
                                      (DecisionEvent, "decision", ()), (ActionEvent, "action", ()),
                                      (RiskEvent, "risk", ())):
            label = (model._meta.app_label, model.__name__)
            chain.backfill(apps, Editor(), label, record=record, fields=fields,
                           contract_path=f"{record}__contract_id", before=before)
            before.append(label)
        assert verify()[0] == 0
        assert list(TicketEvent.objects.filter(contract=self.demo).values_list("seq", "digest")) == tickets_before
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE orders_orderevent SET kind = 'x'")  # guarded again


@pytest.mark.skipif(connection.vendor != "postgresql", reason="roles are PostgreSQL's")
class NonOwnerTest(JalonTestCase):
    """For a role that does not own the tables, PostgreSQL refuses DELETE, TRUNCATE, UPDATE and
    disabling the triggers on every chained table."""

    def test_a_non_owner_role_cannot_rewrite_any_chained_table(self) -> None:
        load_demo(NOW, count=2, slugs=("aquareel",))
        tables = [m._meta.db_table for m in JOINED]
        counts = {m._meta.db_table: m._default_manager.count() for m in JOINED}
        with connection.cursor() as cursor:
            cursor.execute("DROP ROLE IF EXISTS jalon_app_chain")
            cursor.execute("CREATE ROLE jalon_app_chain NOLOGIN")
            cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON {', '.join(tables)} TO jalon_app_chain")
            cursor.execute("SET ROLE jalon_app_chain")
            try:
                for table in tables:
                    for statement in (f"DELETE FROM {table}", f"TRUNCATE {table} CASCADE",
                                      f"UPDATE {table} SET kind = 'x'",
                                      f"ALTER TABLE {table} DISABLE TRIGGER USER"):
                        with self.subTest(statement=statement), pytest.raises(DatabaseError), \
                                transaction.atomic():
                            cursor.execute(statement)
                    cursor.execute(f"SELECT count(*) FROM {table}")
                    assert cursor.fetchone()[0] == counts[table] > 0
            finally:
                cursor.execute("RESET ROLE")

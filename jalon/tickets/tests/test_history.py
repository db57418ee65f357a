"""The history both parties can trust (issue 15): refused rewrites, a hash chain per contract,
kept comment edits, published daily heads."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from jalon.lib import clock
from jalon.testing.cast import JalonTestCase
from jalon.tickets import history
from jalon.tickets.events import CommentEdited
from jalon.tickets.models import ChainHead, Comment, Ticket, TicketEvent


def verify(slug: str = "aquareel") -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("history", "verify", "--contract", slug, stdout=out, stderr=err)
    except SystemExit as exit:
        return int(exit.code or 0), err.getvalue()
    return 0, out.getvalue()


class ChainTest(JalonTestCase):
    def setUp(self) -> None:
        self.ticket = Ticket.open(self.contract, actor=self.requester, type="corrective_maintenance",
                                  title="Purge en échec")
        self.ticket.qualify(self.level1, priority="P3")
        self.comment = self.ticket.add_comment(self.level1, "Relance")
        self.other = Ticket.open(self.contract, actor=self.level1, type="corrective_maintenance",
                                 title="Autre")
        self.events = list(TicketEvent.objects.filter(contract=self.contract).order_by("seq"))

    def test_each_contract_s_events_form_one_chain(self) -> None:
        assert [e.seq for e in self.events] == [1, 2, 3, 4]
        assert self.events[0].previous == history.GENESIS
        assert all(b.previous == a.digest for a, b in zip(self.events, self.events[1:], strict=False))
        assert verify() == (0, "aquareel: 4 events, chain intact\n")
        Ticket.open(self.other_contract, actor=self.outsider, type="corrective_maintenance", title="Ailleurs")
        assert TicketEvent.objects.get(contract=self.other_contract).seq == 1

    def test_the_database_refuses_update_and_delete(self) -> None:
        for statement in ("UPDATE tickets_ticketevent SET kind = 'closed'",
                          f"DELETE FROM tickets_ticketevent WHERE id = {self.events[-1].pk}"):
            if connection.vendor == "postgresql" and statement.startswith("DELETE"):
                continue  # the tests run as the tables' owner: see NonOwnerRoleTest
            with self.subTest(statement=statement), pytest.raises(DatabaseError), \
                    transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement)

    def drop_guards(self) -> None:
        """What someone with the owner's rights could do: the chain still tells."""
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks
                cursor.execute("ALTER TABLE tickets_ticketevent DISABLE TRIGGER USER")
            else:
                cursor.execute("DROP TRIGGER tickets_ticketevent_no_update")
                cursor.execute("DROP TRIGGER tickets_ticketevent_no_delete")

    def test_verify_names_a_changed_event(self) -> None:
        self.drop_guards()
        with connection.cursor() as cursor:
            cursor.execute("UPDATE tickets_ticketevent SET at = %s WHERE id = %s",
                           [self.events[1].at - timedelta(hours=3), self.events[1].pk])
        code, message = verify()
        assert code == 1
        assert f"rank 2 (tickets.ticketevent #{self.events[1].pk})" in message
        assert "content changed" in message

    def test_verify_names_a_deleted_event(self) -> None:
        self.drop_guards()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM tickets_ticketevent WHERE id = %s", [self.events[1].pk])
        code, message = verify()
        assert code == 1
        assert "rank 2 deleted" in message

    def test_deleting_the_last_events_is_caught_by_a_published_head(self) -> None:
        later = clock.now() + timedelta(days=2)
        assert history.publish_heads(later) >= 1
        head = ChainHead.objects.filter(contract=self.contract).order_by("-day").first()
        assert head is not None
        assert (head.seq, head.digest) == (4, self.events[-1].digest)
        self.drop_guards()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM tickets_ticketevent WHERE id = %s", [self.events[-1].pk])
        code, message = verify()
        assert code == 1
        assert "published head" in message

    def test_every_edit_of_a_comment_is_an_event_and_a_silent_one_is_caught(self) -> None:
        self.ticket.edit_comment(self.level1, self.comment, "Relance envoyée")
        edit = self.ticket.events.get(kind="comment_edited").data
        assert isinstance(edit, CommentEdited)
        assert (edit.before, edit.body) == ("Relance", "Relance envoyée")
        with pytest.raises(TypeError):
            Comment.objects.get(pk=self.comment.pk).save()
        assert verify()[0] == 0
        Comment.objects.filter(pk=self.comment.pk).update(body="Réécrit sans trace")
        code, message = verify()
        assert code == 1
        assert f"comment #{self.comment.pk}" in message


@pytest.mark.skipif(connection.vendor != "postgresql", reason="roles are PostgreSQL's")
class NonOwnerRoleTest(JalonTestCase):
    """Production runs the application as a role that does not own the tables: for it the
    database refuses DELETE, TRUNCATE and disabling the triggers."""

    def test_a_non_owner_role_cannot_delete_truncate_or_disable(self) -> None:
        Ticket.open(self.contract, actor=self.requester, type="corrective_maintenance", title="Purge")
        history.publish_heads(clock.now() + timedelta(days=2))
        with connection.cursor() as cursor:
            cursor.execute("DROP ROLE IF EXISTS jalon_app_test")
            cursor.execute("CREATE ROLE jalon_app_test NOLOGIN")
            cursor.execute("GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON tickets_ticketevent, "
                           "tickets_chainhead TO jalon_app_test")
            cursor.execute("SET ROLE jalon_app_test")
            try:
                for statement in ("DELETE FROM tickets_ticketevent",
                                  "TRUNCATE tickets_ticketevent CASCADE",
                                  "UPDATE tickets_ticketevent SET kind = 'closed'",
                                  "DELETE FROM tickets_chainhead",
                                  "ALTER TABLE tickets_ticketevent DISABLE TRIGGER USER",
                                  "ALTER TABLE tickets_ticketevent DISABLE TRIGGER ALL",
                                  "SET session_replication_role = replica"):
                    with self.subTest(statement=statement), pytest.raises(DatabaseError), \
                            transaction.atomic():
                        cursor.execute(statement)
                cursor.execute("SELECT count(*) FROM tickets_ticketevent")
                assert cursor.fetchone()[0] == 1
            finally:
                cursor.execute("RESET ROLE")


class PublishedHeadsTest(JalonTestCase):
    def test_the_page_and_the_api_list_the_daily_heads(self) -> None:
        from jalon.api.models import ApiToken

        Ticket.open(self.contract, actor=self.requester, type="corrective_maintenance", title="Purge")
        history.publish_heads(clock.now() + timedelta(days=1))
        head = ChainHead.objects.get(contract=self.contract)
        self.client.force_login(self.auditor)
        response = self.client.get("/marches/aquareel/historique/empreintes/")
        self.assertContains(response, head.digest)
        self.client.force_login(self.outsider)
        assert self.client.get("/marches/aquareel/historique/empreintes/").status_code == 404
        token = ApiToken.issue(self.holder_manager, "t")[1]
        response = self.client.get("/api/v1/contracts/aquareel/history-heads",
                                   headers={"Authorization": f"Bearer {token}"})
        assert response.json()[0]["digest"] == head.digest
        assert history.publish_heads(clock.now() + timedelta(days=1)) == 0  # once per day

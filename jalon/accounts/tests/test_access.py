from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from jalon.accounts import access
from jalon.accounts.access import Need, NotAllowed
from jalon.contracts.models import Contract
from jalon.testing.cast import JalonTestCase
from jalon.tickets.models import Ticket


class AccessTest(JalonTestCase):
    def setUp(self) -> None:
        self.ticket = Ticket.open(self.contract, actor=self.requester,
                                  type="corrective_maintenance", title="Purge en échec")

    def test_contracts_visible_to_lists_only_contracts_with_a_role(self) -> None:
        assert list(Contract.objects.visible_to(self.level1)) == [self.contract]
        assert list(Contract.objects.visible_to(self.outsider)) == [self.other_contract]
        assert list(Contract.objects.visible_to(AnonymousUser())) == []
        assert access.contracts_of(self.outsider) == [self.other_contract]

    def test_every_role_gets_the_contract_by_pk_or_slug(self) -> None:
        for name, user in self.cast.items():
            with self.subTest(role=name):
                assert access.get_contract_for(user, "aquareel") == self.contract
                assert access.get_contract_for(user, self.contract.pk) == self.contract

    def test_the_outsider_gets_404_from_every_helper(self) -> None:
        for need in Need:
            with self.subTest(need=need), pytest.raises(Http404):
                access.get_contract_for(self.outsider, "aquareel", need=need)
            with self.subTest(need=need), pytest.raises(Http404):
                access.get_contract_for(self.outsider, self.contract.pk, need=need)
            with self.subTest(need=need), pytest.raises(Http404):
                Ticket.objects.get_for(self.outsider, self.ticket.pk, need=need)
        assert not Ticket.objects.visible_to(self.outsider, self.contract).exists()
        assert access.roles_on(self.outsider, self.contract) == frozenset()

    def test_anonymous_and_garbage_keys_get_404(self) -> None:
        with pytest.raises(Http404):
            Ticket.objects.get_for(AnonymousUser(), self.ticket.pk)
        with pytest.raises(Http404):
            Ticket.objects.get_for(self.level1, "1; drop table")
        with pytest.raises(Http404):
            access.get_contract_for(self.level1, "callipso")

    def test_a_requester_sees_only_the_tickets_of_their_service(self) -> None:
        assert Ticket.objects.get_for(self.requester, self.ticket.pk) == self.ticket
        with pytest.raises(Http404):
            Ticket.objects.get_for(self.other_requester, self.ticket.pk)

    def test_a_weak_role_gets_403_not_404(self) -> None:
        with pytest.raises(NotAllowed):
            Ticket.objects.get_for(self.auditor, self.ticket.pk, need=Need.COMMENT)
        with pytest.raises(NotAllowed):
            access.get_contract_for(self.technician, "aquareel", need=Need.MANAGE_CONVENTION)

    def test_role_predicates(self) -> None:
        c = self.contract
        expected = {
            Need.QUALIFY: {"buyer_manager", "level1"},
            Need.ASSIGN: {"buyer_manager", "level1", "holder_manager"},
            Need.RESOLVE: {"level1", "holder_manager", "technician"},
            Need.CLOSE: {"buyer_manager", "level1", "requester"},
            Need.REOPEN: {"buyer_manager", "level1", "requester"},
            Need.COMMENT_INTERNAL: {"buyer_manager", "level1", "holder_manager", "technician"},
            Need.SEE_INTERNAL: {"buyer_manager", "level1", "holder_manager", "technician", "auditor"},
            Need.DOWNLOAD: set(self.cast),
        }
        for need, allowed in expected.items():
            with self.subTest(need=need):
                granted = {name for name, user in self.cast.items() if access.may(user, c, need)}
                assert granted == allowed
                assert not access.may(self.outsider, c, need)


class RequesterOwnTicketsTest(JalonTestCase):
    """A requester closes, reopens and logs calls on their own requests only, not on a
    colleague's of the same service (which they may read)."""

    def setUp(self) -> None:
        from jalon.accounts.models import Membership, Role
        from jalon.testing.cast import make_user

        self.colleague = make_user("raoul.spc", self.spc_ain)
        Membership.objects.create(user=self.colleague, contract=self.contract, role=Role.REQUESTER)
        self.ticket = Ticket.open(self.contract, actor=self.colleague,
                                  type="corrective_maintenance", title="Purge en échec")
        self.ticket.qualify(self.level1, priority="P3")
        self.ticket.resolve(self.level1, kind="definitive")

    def test_a_requester_cannot_close_reopen_or_call_on_a_colleagues_ticket(self) -> None:
        from datetime import timedelta

        from jalon.lib import clock
        from jalon.tickets.workflow import STEPS

        assert Ticket.objects.get_for(self.requester, self.ticket.pk) == self.ticket
        with pytest.raises(NotAllowed):
            self.ticket.close(self.requester)
        with pytest.raises(NotAllowed):
            self.ticket.log_phone_call(self.requester, clock.now() - timedelta(minutes=5))
        for name in ("close", "phone_call"):
            assert not self.ticket.offers(STEPS[name], self.requester)
        self.ticket.close(self.colleague)
        with pytest.raises(NotAllowed):
            self.ticket.reopen(self.requester, reason="Toujours en panne")
        assert not self.ticket.offers(STEPS["reopen"], self.requester)
        self.ticket.reopen(self.colleague, reason="Toujours en panne")
        self.ticket.log_phone_call(self.colleague, clock.now() - timedelta(minutes=5))
        self.ticket.resolve(self.level1, kind="definitive")
        self.ticket.close(self.level1)
        self.ticket.reopen(self.level1, reason="Revu")

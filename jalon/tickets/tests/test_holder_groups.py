"""Assignment goes only to the groups where the holder works (issue 11 §1, D-49)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from jalon.testing.cast import JalonTestCase
from jalon.tickets.models import Ticket


class HolderGroupsTest(JalonTestCase):
    def qualified(self) -> Ticket:
        ticket = Ticket.open(self.contract, actor=self.requester, type="anomaly_qualification", title="Écran noir")
        ticket.qualify(self.level1, priority="P2")
        return ticket

    def test_any_group_while_none_is_declared(self) -> None:
        ticket = self.qualified()
        ticket.assign(self.level1, group="N2_TME_LB")
        assert ticket.assigned_group == "N2_TME_LB"

    def test_a_group_outside_the_holders_is_refused_and_nothing_changes(self) -> None:
        self.contract.holder_groups = ["N1_TMS*", "N2_TME*"]
        self.contract.save()
        ticket = self.qualified()
        with pytest.raises(ValidationError) as refused:
            ticket.assign(self.level1, group="Comptabilité")
        assert "group" in refused.value.message_dict
        assert "Comptabilité" in str(refused.value)
        assert "N2_TME*" in str(refused.value)
        ticket.refresh_from_db()
        assert ticket.assigned_group == ""
        assert not ticket.events.filter(kind="assigned").exists()

    def test_a_declared_pattern_accepts_its_groups_whatever_the_case(self) -> None:
        self.contract.holder_groups = ["N2_TME*"]
        self.contract.save()
        ticket = self.qualified()
        ticket.assign(self.level1, group="n2_tme_lb")
        assert ticket.assigned_group == "n2_tme_lb"
        assert ticket.level == "N2"

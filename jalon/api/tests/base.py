"""The named cast, each with an API token, and a JSON client for ``/api/v1/``."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.auth.models import User
from django.test.client import Client
from django.utils import timezone

from jalon.api.models import ApiToken
from jalon.testing.cast import JalonTestCase
from jalon.tickets.models import Ticket

PARIS = ZoneInfo("Europe/Paris")


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def at(instant: datetime) -> time_machine.travel:
    return time_machine.travel(instant, tick=False)


class ApiTestCase(JalonTestCase):
    tokens: dict[str, str]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        people = [cls.buyer_manager, cls.level1, cls.requester, cls.other_requester,
                  cls.holder_manager, cls.technician, cls.auditor, cls.outsider]
        cls.tokens = {p.username: ApiToken.issue(p, "tests")[1] for p in people}

    def call(self, method: str, path: str, user: User | None = None, body: Any = None, *,
             token: str | None = None, client: Client | None = None) -> Any:
        """``method`` on ``/api/v1`` + ``path`` as ``user`` (their token) or with ``token``."""
        headers = {}
        if token is None and user is not None:
            token = self.tokens[user.username]
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body) if body is not None else ""
        return (client or self.client).generic(method, f"/api/v1{path}", data,
                                               content_type="application/json", headers=headers)

    def get(self, path: str, user: User | None = None, **kw: Any) -> Any:
        return self.call("GET", path, user, **kw)

    def post(self, path: str, user: User | None, body: Any, **kw: Any) -> Any:
        return self.call("POST", path, user, body, **kw)

    def assert_error(self, response: Any, status: int, field: str | None = None) -> str:
        assert response.status_code == status, (response.status_code, response.content)
        body = response.json()
        assert set(body) == {"detail", "field"}, body
        assert body["field"] == field, body
        assert body["detail"]
        return str(body["detail"])

    def open_urgent(self, title: str = "Concentrateur arrêté", actor: User | None = None,
                    when: datetime | None = None) -> Ticket:
        with at(when or timezone.now()):
            return Ticket.open(self.contract, actor=actor or self.requester,
                               type="urgent_intervention", title=title, is_urgent=True)

    def qualified(self, ticket: Ticket) -> Ticket:
        ticket.qualify(self.level1, urgency="critique", impact="site", criticality="bloquant")
        return ticket

    def assigned(self, ticket: Ticket) -> Ticket:
        self.qualified(ticket).assign(self.level1, group="Titulaire N2", person=self.technician)
        return ticket

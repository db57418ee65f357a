"""A 403 is logged on one line, without a traceback (issue 16, Set-up)."""

from __future__ import annotations

import logging

from jalon.web.tests.helpers import WebTestCase, paris


class ForbiddenLogTest(WebTestCase):
    def test_a_refused_action_logs_no_traceback(self) -> None:
        ticket = self.open(paris(2026, 5, 11, 9, 0))
        self.login(self.auditor)  # sees the ticket, may not comment
        with self.assertLogs("django.request", logging.WARNING) as logs:
            response = self.client.post(f"/tickets/{ticket.pk}/commenter/", {"commenter-body": "?"})
        assert response.status_code == 403
        [record] = logs.records
        assert "Forbidden" in record.getMessage()
        assert record.exc_info is None
        assert "Traceback" not in "\n".join(logs.output)

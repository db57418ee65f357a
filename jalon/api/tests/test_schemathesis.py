"""Schemathesis against the OpenAPI document (issue 15, "Proof in CI"): every operation of
``/api/v1/openapi.json``, with bounded, derandomised examples, on a demo-like contract: valid
examples as its buyer manager and as its holder manager, invalid ones as its buyer manager. Path
parameters name real records of the contract (a random id would only ever meet a 404); queries
and bodies are generated from the schemas, valid ones (positive) and invalid ones (negative: NUL
characters, huge numbers, dates that are not dates…). No answer may be a server error; the valid
ones must conform to the document (status code, content type, body schema); every example runs
in a savepoint rolled back after it.

``JALON_SCHEMATHESIS_EXAMPLES`` (default 4) bounds the examples per operation and run."""

from __future__ import annotations

import logging
import os
import time
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from jalon.demo.tests import contract as demo_contract
from jalon.testing.cast import JalonTestCase
from jalon.wsgi import application

EXAMPLES = int(os.environ.get("JALON_SCHEMATHESIS_EXAMPLES", "4"))
POSITIVE_CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
                   response_schema_conformance]
NEGATIVE_CHECKS = [not_a_server_error, content_type_conformance]


def _api_path(operation: Any) -> str:
    return str(operation.path)


class SchemathesisTest(JalonTestCase):
    demo: demo_contract.DemoContract
    objects: dict[str, str]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.demo = demo_contract.build()
        cls.objects = demo_contract.objects_of(cls.demo.contract)

    def setUp(self) -> None:
        # The WSGI application closes the database connection after each request, as it should in
        # production; here every request runs inside the test's transaction (as django.test.Client
        # arranges for its own requests).
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        self.addCleanup(request_started.connect, close_old_connections)
        self.addCleanup(request_finished.connect, close_old_connections)

    def run_operation(self, operation: Any, mode: schemathesis.GenerationMode, token: str,
                      failures: list[str], counted: list[int]) -> None:
        values = demo_contract.path_values(_api_path(operation), self.objects)
        strategy = operation.as_strategy(generation_mode=mode, path_parameters=values or None)
        checks = POSITIVE_CHECKS if mode == schemathesis.GenerationMode.POSITIVE else NEGATIVE_CHECKS

        @given(case=strategy)
        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def example(case: Any) -> None:
            counted.append(1)
            with transaction.atomic():
                try:
                    response = case.call(app=application, headers={"Authorization": f"Bearer {token}"})
                    case.validate_response(response, checks=checks)
                except (Exception, BaseExceptionGroup) as error:  # every failure is reported at the end
                    failures.append(f"{operation.method.upper()} {operation.path} [{mode.value}]: "
                                    f"{str(error)[:1500]}")
                transaction.set_rollback(True)

        example()

    def test_no_operation_answers_a_server_error_or_departs_from_the_document(self) -> None:
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
        operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
        failures: list[str] = []
        counted: list[int] = []
        started = time.monotonic()
        runs = [("buyer_manager", schemathesis.GenerationMode.POSITIVE),
                ("holder_manager", schemathesis.GenerationMode.POSITIVE),
                ("buyer_manager", schemathesis.GenerationMode.NEGATIVE)]
        quiet = logging.getLogger("django.request")
        level, quiet.level = quiet.level, logging.ERROR + 10  # 4xx answers are what the run expects
        try:
            for operation in operations:
                for who, mode in runs:
                    self.run_operation(operation, mode, self.demo.tokens[who], failures, counted)
        finally:
            quiet.level = level
        print(f"\nschemathesis: {len(operations)} operations, {len(counted)} examples, "
              f"{len(failures)} failures, {time.monotonic() - started:.0f} s")
        assert len(operations) >= 57
        assert not failures, "\n\n".join(failures[:40])


@pytest.mark.parametrize("route", ["/contracts/{slug}/deliverables/{pk}", "/contracts/{slug}/reports/{pk}"])
def test_a_shared_parameter_name_is_told_apart_by_its_place(route: str) -> None:
    objects = {"slug": "s", "deliverable": "7", "report": "9"}
    expected = "7" if "deliverables" in route else "9"
    assert demo_contract.path_values(route, objects) == {"slug": "s", "pk": expected}

from __future__ import annotations

import re
from typing import Any

from django.test import TestCase

from jalon.api.tests.test_auth import ENDPOINTS

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def check_openapi_3(doc: dict[str, Any]) -> list[str]:
    """Problems in the structure of an OpenAPI 3 document (the rules of the specification that
    a generator can get wrong): required fields, responses, parameters, references."""
    problems = []
    if not re.fullmatch(r"3\.\d+\.\d+", str(doc.get("openapi", ""))):
        problems.append(f"openapi: {doc.get('openapi')!r} is not 3.x.y")
    info = doc.get("info", {})
    problems += [f"info.{key} missing" for key in ("title", "version") if not info.get(key)]
    operation_ids: set[str] = set()
    for path, item in doc.get("paths", {}).items():
        if not path.startswith("/"):
            problems.append(f"{path}: does not start with /")
        templated = set(re.findall(r"{([^}]+)}", path))
        for method, op in item.items():
            where = f"{method.upper()} {path}"
            if method not in HTTP_METHODS:
                problems.append(f"{where}: not an HTTP method")
                continue
            responses = op.get("responses") or {}
            if not responses:
                problems.append(f"{where}: no responses")
            for code, response in responses.items():
                if not re.fullmatch(r"[1-5]\d\d|[1-5]XX|default", str(code)):
                    problems.append(f"{where}: response code {code!r}")
                if "description" not in response:
                    problems.append(f"{where} {code}: response without description")
            declared = set()
            for parameter in op.get("parameters", []):
                if parameter.get("in") not in {"query", "header", "path", "cookie"}:
                    problems.append(f"{where}: parameter {parameter.get('name')} in {parameter.get('in')!r}")
                if parameter.get("in") == "path":
                    declared.add(parameter["name"])
                    if parameter.get("required") is not True:
                        problems.append(f"{where}: path parameter {parameter['name']} not required")
            if declared != templated:
                problems.append(f"{where}: path parameters {declared} ≠ template {templated}")
            op_id = op.get("operationId")
            if op_id in operation_ids:
                problems.append(f"{where}: operationId {op_id} repeated")
            operation_ids.add(op_id)
    problems += [f"unresolved $ref {ref}" for ref in _refs(doc) if not _resolves(doc, ref)]
    return problems


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _resolves(doc: dict[str, Any], ref: str) -> bool:
    node: Any = doc
    for part in ref.removeprefix("#/").split("/"):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


class OpenApiTest(TestCase):
    def setUp(self) -> None:
        response = self.client.get("/api/v1/openapi.json")
        assert response.status_code == 200
        self.doc = response.json()

    def test_the_document_is_a_well_formed_openapi_3_document(self) -> None:
        assert check_openapi_3(self.doc) == []

    def test_the_structure_check_catches_mistakes(self) -> None:
        broken = {"openapi": "2.0", "info": {"title": "x"}, "paths": {"/t/{id}": {"get": {
            "responses": {"200": {}}, "parameters": [],
            "requestBody": {"$ref": "#/components/schemas/Missing"}}}}}
        assert len(check_openapi_3(broken)) == 5

    def test_it_lists_every_endpoint(self) -> None:
        listed = {(m.upper(), p) for p, item in self.doc["paths"].items() for m in item}
        expected = {(m, "/api/v1" + re.sub(r"\?.*", "", p).replace("{c}", "{slug}")
                     .replace("{t}", "{ticket_id}").replace("{m}", "{meeting_id}")
                     .replace("{a}", "{action_id}").replace("{r}", "{risk_id}")
                     .replace("{d}", "{pk}").replace("{n}", "{number}")
                     .replace("{p}", "{period}")) for m, p, _b in ENDPOINTS}
        assert listed == expected

    def test_it_declares_the_two_ways_in(self) -> None:
        schemes = self.doc["components"]["securitySchemes"]
        assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
        assert all(op.get("security") for item in self.doc["paths"].values()
                   for op in item.values())

    def test_transitions_are_one_schema_per_action(self) -> None:
        body = self.doc["paths"]["/api/v1/tickets/{ticket_id}/transitions"]["post"]
        schema = body["requestBody"]["content"]["application/json"]["schema"]
        assert schema["discriminator"]["propertyName"] == "action"
        assert set(schema["discriminator"]["mapping"]) == {
            "qualify", "assign", "escalate", "start", "wait", "resume", "resolve", "close",
            "reopen", "phone_call", "log_time", "write_report", "confirm", "diagnose", "cancel", "inform",
            "deliver_fix"}
        resolve = self.doc["components"]["schemas"]["Resolve"]
        assert resolve["additionalProperties"] is False
        assert set(resolve["required"]) == {"action", "kind"}

    def test_the_declaration_documents_its_channel(self) -> None:
        body = self.doc["paths"]["/api/v1/tickets"]["post"]["requestBody"]["content"]["application/json"]
        declared = self.doc["components"]["schemas"][body["schema"]["$ref"].rsplit("/", 1)[1]]
        channel = declared["properties"]["channel"]
        assert "phone_call_at" in channel["description"]
        choices = [ref["$ref"] for ref in channel.get("anyOf", []) if "$ref" in ref]
        [enum] = [self.doc["components"]["schemas"][ref.rsplit("/", 1)[1]]["enum"] for ref in choices]
        assert enum == ["portal", "phone", "mail", "supervision", "soc"]
        shown = self.doc["components"]["schemas"]["TicketOut"]["properties"]["channel"]
        assert shown["description"]

    def test_errors_are_documented(self) -> None:
        op = self.doc["paths"]["/api/v1/tickets"]["post"]
        assert {"201", "400", "401", "403", "404"} <= set(op["responses"])

    def test_the_interactive_docs_are_served(self) -> None:
        response = self.client.get("/api/v1/docs")
        assert response.status_code == 200
        assert b"openapi.json" in response.content
        assert b"/static/ninja/swagger-ui-bundle.js" in response.content  # no CDN


def test_no_two_schemas_share_a_component_name() -> None:
    """django-ninja names a component after its class: two classes of one name (the dashboard's
    risk figures and a governance risk) would share one, and one of them be documented wrongly."""
    from pydantic import BaseModel

    from jalon.api.site import api

    api.get_openapi_schema(path_prefix="/api/v1")
    seen: dict[str, set[str]] = {}
    for module_name, module in list(__import__("sys").modules.items()):
        if not module_name.startswith("jalon.api.") or ".tests" in module_name:
            continue
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, BaseModel)
                    and value.__module__ == module_name and value.__name__.endswith(("Out", "In"))):
                seen.setdefault(value.__name__, set()).add(module_name)
    shared = {name: modules for name, modules in seen.items() if len(modules) > 1}
    assert not shared, shared

"""Every error answers ``{"detail": "...", "field": "..." | null}``: the first problem, in plain
words, naming the field at fault.

- 400: the request does not fit its schema, or the domain refuses a value;
- 401: no credentials, or a wrong, revoked or expired token;
- 403: a role on the contract, but not one that allows the action (or a failed CSRF check);
- 404: nothing there, or nothing this person may know about (never 403 for outsiders);
- 409: the ticket's state does not allow the action.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import defaults
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError

from jalon.deliverables.models import InvalidTransition as DeliverableTransition
from jalon.orders.models import InvalidTransition as OrderTransition
from jalon.tickets.models import InvalidTransition


class ErrorOut(Schema):
    detail: str
    field: str | None = None


ERRORS: dict[int, type[Schema]] = {code: ErrorOut for code in (400, 401, 403, 404, 409)}
"""Responses every endpoint may give, for the OpenAPI document."""

TAGGED_BODIES: dict[str, frozenset[str]] = {}
"""Body parameter name -> tags of its discriminated union: pydantic puts the tag in the error
location (``transition.assign.group``); the field is ``group``."""


def error_response(api: NinjaAPI, request: HttpRequest, status: int, detail: str,
                   field: str | None = None) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "field": field}, status=status)


def install(api: NinjaAPI) -> None:
    """Answer every error of ``api`` in the one shape. (ninja types a handler's exception as
    "the exception or its class", hence ``Any``.)"""

    def schema_error(request: HttpRequest, exc: Any) -> HttpResponse:
        detail, field = first_schema_error(exc.errors)
        return error_response(api, request, 400, detail, field)

    def domain_error(request: HttpRequest, exc: Any) -> HttpResponse:
        if isinstance(exc, InvalidTransition | DeliverableTransition | OrderTransition):
            return error_response(api, request, 409, exc.messages[0])
        if hasattr(exc, "error_dict"):
            field, messages = next(iter(exc.message_dict.items()))
            return error_response(api, request, 400, messages[0],
                                  None if field == NON_FIELD_ERRORS else field)
        return error_response(api, request, 400, exc.messages[0])

    def forbidden(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(api, request, 403, str(exc) or _("Action non permise."))

    def not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(api, request, 404, str(exc) or _("Introuvable."))

    def unauthenticated(request: HttpRequest, exc: Any) -> HttpResponse:
        detail = exc.message if exc.message != "Unauthorized" else _(
            "Authentification requise : en-tête « Authorization: Bearer <jeton> » ou session.")
        response = error_response(api, request, 401, detail)
        response["WWW-Authenticate"] = 'Bearer realm="jalon"'
        return response

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        detail = _HTTP_ERRORS.get(exc.message, exc.message)
        return error_response(api, request, exc.status_code, str(detail))

    api.add_exception_handler(SchemaError, schema_error)
    api.add_exception_handler(DjangoValidationError, domain_error)
    api.add_exception_handler(PermissionDenied, forbidden)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(HttpError, http_error)


_HTTP_ERRORS = {
    "Cannot parse request body": _lazy("Le corps de la requête n’est pas du JSON valide."),
}


def first_schema_error(errors: Sequence[Mapping[str, Any]]) -> tuple[str, str | None]:
    """The first pydantic error as a sentence and the dotted name of its field."""
    error = errors[0]
    kind, ctx = error["type"], error.get("ctx", {})
    field = field_name(error["loc"])
    if kind in {"union_tag_invalid", "union_tag_not_found"}:
        field = ".".join(p for p in (field, str(ctx.get("discriminator", "")).strip("'")) if p)
    if field is None:
        template = _BODY_MESSAGES.get(kind, _("Requête invalide : %(msg)s."))
        return str(template % {"msg": error["msg"]}), None
    template = _FIELD_MESSAGES.get(kind, _("« %(field)s » : %(msg)s."))
    values = {key: _listed(value) for key, value in ctx.items()}
    return str(template % {**values, "field": field, "msg": error["msg"]}), field


def _listed(value: Any) -> Any:
    """pydantic's ``'a', 'b' or 'c'`` without its English ``or``."""
    return value.replace("' or '", "', '") if isinstance(value, str) else value


def field_name(loc: Iterable[Any]) -> str | None:
    """``("body", "payload", "title")`` -> ``title``; the body itself -> None."""
    source, *rest = [str(part) for part in loc]
    if source == "body" and rest:
        name, *rest = rest
        if rest and rest[0] in TAGGED_BODIES.get(name, ()):
            rest = rest[1:]
    return ".".join(rest) or None


_BODY_MESSAGES = {
    "model_attributes_type": _lazy("Le corps de la requête doit être un objet JSON."),
    "dict_type": _lazy("Le corps de la requête doit être un objet JSON."),
    "model_type": _lazy("Le corps de la requête doit être un objet JSON."),
    "json_invalid": _lazy("Le corps de la requête n’est pas du JSON valide."),
    "missing": _lazy("Le corps de la requête est vide : un objet JSON est attendu."),
}

_FIELD_MESSAGES = {
    "missing": _lazy("Le champ « %(field)s » est obligatoire."),
    "extra_forbidden": _lazy("Champ inconnu : « %(field)s »."),
    "string_type": _lazy("« %(field)s » doit être une chaîne de caractères."),
    "string_too_short": _lazy("« %(field)s » ne peut pas être vide."),
    "string_too_long": _lazy("« %(field)s » dépasse %(max_length)s caractères."),
    "bool_type": _lazy("« %(field)s » doit valoir true ou false."),
    "bool_parsing": _lazy("« %(field)s » doit valoir true ou false."),
    "int_type": _lazy("« %(field)s » doit être un nombre entier."),
    "int_parsing": _lazy("« %(field)s » doit être un nombre entier."),
    "greater_than_equal": _lazy("« %(field)s » doit être supérieur ou égal à %(ge)s."),
    "less_than_equal": _lazy("« %(field)s » doit être inférieur ou égal à %(le)s."),
    "literal_error": _lazy("« %(field)s » : valeur inconnue (attendu : %(expected)s)."),
    "enum": _lazy("« %(field)s » : valeur inconnue (attendu : %(expected)s)."),
    "union_tag_invalid": _lazy("« %(field)s » : action « %(tag)s » inconnue (attendu : "
                           "%(expected_tags)s)."),
    "union_tag_not_found": _lazy("Le champ « %(field)s » est obligatoire."),
    "datetime_type": _lazy("« %(field)s » doit être une date et heure ISO 8601 "
                       "(ex. 2026-03-02T09:30:00+01:00)."),
    "datetime_parsing": _lazy("« %(field)s » doit être une date et heure ISO 8601 "
                          "(ex. 2026-03-02T09:30:00+01:00)."),
    "datetime_from_date_parsing": _lazy("« %(field)s » doit être une date et heure ISO 8601 "
                                    "(ex. 2026-03-02T09:30:00+01:00)."),
    "timezone_aware": _lazy("« %(field)s » doit préciser son fuseau horaire (ex. +01:00 ou Z)."),
}


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The site's 404: the API's JSON shape under ``/api/``, the pages' own template elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(_("Introuvable : %(path)s.") % {"path": request.path}),
                             "field": None}, status=404)
    return defaults.page_not_found(request, exception or Http404())

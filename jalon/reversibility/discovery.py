"""Which models make up a contract, found through Django's app registry (nothing to register).

The rule (also in ``docs/architecture.md``, "Reversibility"):

1. **Owned** — ``contracts.Contract`` itself, and every concrete model with a path of foreign
   keys (or one-to-one fields) to it: ``Ticket.contract``, ``TicketEvent.ticket → contract``,
   ``Attachment.ticket → contract``… The shortest path made of required keys wins; a model
   reachable only through nullable keys uses the shortest of those (its rows whose path leads
   to the contract). A model may name its path itself with a class attribute ``contract_path``
   (a Django lookup such as ``"order__contract"``): that is how a model that no foreign key
   leads from (a generic relation, a JSON reference) joins the export.
2. **Referenced** — the models the owned rows point to without belonging to the contract (the
   people: ``auth.User``; the organisations), exported with only the rows referenced, and their
   **satellites**: a model with a one-to-one key to a referenced model (``accounts.Profile``).
3. **Left out** — the installation's wiring, listed in :data:`EXCLUDED` with the reason, or a
   model with the class attribute ``contract_export = False``. A required key from an exported
   model to a left-out one is an error of the plan (:func:`plan` raises), a nullable one is not
   exported.
4. **Secrets** are never exported (:data:`REDACTED`, or a model's ``contract_export_exclude``):
   passwords, second factors; the import gives each person an unusable password.

The models come out in dependency order (a row's required keys point to rows of earlier
models); nullable keys that would close a cycle (``Contract.current_version``,
``Ticket.list_clock``) are left out of the order: the import inserts all rows in one
transaction, where the database checks foreign keys at commit.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from enum import StrEnum

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models

CONTRACT_LABEL = "contracts.contract"

EXCLUDED: dict[str, str] = {
    "messaging.outboxmessage": "the mail queue of this installation (a copy would send again)",
    "messaging.mailintake": "the mailboxes this installation polls (its own wiring)",
    "messaging.receivedmail": "the log of the mails this installation polled; the tickets and "
                              "comments they made are exported",
    "messaging.periodictick": "the worker's claims",
    "accounts.loginthrottle": "the login locks of this installation",
    "api.apitoken": "the API tokens of this installation (secrets)",
    "admin.logentry": "the administration site's log",
    "sessions.session": "sessions",
    "api.idempotentrequest": "the API's replay cache of this installation (answers already given)",
    "messaging.noticeread": "who read which notice in this installation's notifications centre",
    "calendars.calendarfeed": "the personal calendar feed addresses of this installation (secrets)",
}
"""Models left out, with the reason (by ``app_label.model_name``)."""

REDACTED: dict[str, frozenset[str]] = {
    "auth.user": frozenset({"password", "last_login", "is_superuser", "is_staff", "groups",
                            "user_permissions"}),
    "accounts.profile": frozenset({"totp_secret", "totp_last_counter"}),
}
"""Fields never exported (secrets, and the rights of this installation's administrators)."""


class Role(StrEnum):
    OWNED = "owned"
    REFERENCED = "referenced"


@dataclass(frozen=True)
class Column:
    """One exported column: a concrete field (a foreign key under its ``attname``, ``ticket_id``)
    or a many-to-many field (a list of ids)."""

    name: str
    field: models.Field[object, object]
    many: bool = False

    @property
    def target(self) -> str | None:
        """The label of the model a key column points to."""
        if not self.field.is_relation or self.field.related_model is None:
            return None
        return label_of(self.field.related_model)  # type: ignore[arg-type]

    @property
    def is_file(self) -> bool:
        return isinstance(self.field, models.FileField)


@dataclass
class Part:
    """One model of the contract's export."""

    model: type[models.Model]
    role: Role
    path: str | None = None
    """The lookup from this model to the contract (owned models; ``pk`` for the contract)."""
    columns: list[Column] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    """Fields not exported (secrets, keys to left-out models)."""

    @property
    def label(self) -> str:
        return label_of(self.model)

    @property
    def files(self) -> list[Column]:
        return [c for c in self.columns if c.is_file]


def label_of(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _exportable(model: type[models.Model]) -> bool:
    meta = model._meta
    return (not meta.abstract and not meta.proxy and meta.managed and not meta.auto_created
            and label_of(model) not in EXCLUDED and getattr(model, "contract_export", True))


def _keys(model: type[models.Model]) -> list[models.ForeignKey[object, object]]:
    return [f for f in model._meta.concrete_fields  # type: ignore[misc]
            if f.is_relation and (f.many_to_one or f.one_to_one) and f.related_model is not None]


def _path_to_contract(model: type[models.Model], contract: type[models.Model],
                      required_only: bool) -> str | None:
    """The shortest lookup from ``model`` to the contract through exportable models."""
    seen = {model}
    queue: deque[tuple[type[models.Model], str]] = deque([(model, "")])
    while queue:
        current, path = queue.popleft()
        for key in _keys(current):
            if required_only and key.null:
                continue
            target = key.related_model
            assert isinstance(target, type)
            step = f"{path}__{key.name}" if path else key.name
            if target is contract:
                return step
            if target not in seen and _exportable(target):
                seen.add(target)
                queue.append((target, step))
    return None


def _redacted(model: type[models.Model]) -> frozenset[str]:
    return REDACTED.get(label_of(model), frozenset()) | frozenset(
        getattr(model, "contract_export_exclude", ()))


def _columns(model: type[models.Model], exported: set[type[models.Model]]) -> tuple[list[Column], list[str]]:
    redacted = _redacted(model)
    columns, dropped = [], []
    for f in model._meta.concrete_fields:
        if f.name in redacted:
            dropped.append(f.name)
            continue
        if f.is_relation and f.related_model not in exported:
            if not f.null:
                raise ImproperlyConfigured(
                    f"{label_of(model)}.{f.name} is a required key to {f.related_model}, which the "
                    f"contract export leaves out: export it, or leave {label_of(model)} out too "
                    "(jalon/reversibility/discovery.py)")
            dropped.append(f.name)
            continue
        columns.append(Column(f.attname, f))
    for m2m in model._meta.local_many_to_many:
        if m2m.name in redacted or m2m.related_model not in exported:
            dropped.append(m2m.name)
            continue
        columns.append(Column(m2m.name, m2m, many=True))
    return columns, dropped


def plan() -> list[Part]:
    """Every model of a contract's export, in dependency order."""
    contract = apps.get_model("contracts", "Contract")
    candidates = [m for m in apps.get_models() if _exportable(m)]
    parts: dict[type[models.Model], Part] = {contract: Part(contract, Role.OWNED, "pk")}
    for model in candidates:
        if model is contract:
            continue
        declared = getattr(model, "contract_path", None)
        path = declared or _path_to_contract(model, contract, True) or _path_to_contract(model, contract, False)
        if path:
            parts[model] = Part(model, Role.OWNED, path)
    # the referenced closure: what owned rows point to, then satellites and what they point to
    frontier = list(parts)
    while frontier:
        model = frontier.pop()
        redacted = _redacted(model)
        targets = [k.related_model for k in _keys(model) if k.name not in redacted] + [
            m.related_model for m in model._meta.local_many_to_many if m.name not in redacted]
        if parts[model].role is Role.REFERENCED:
            targets += [m for m in candidates if m not in parts and any(
                k.one_to_one and k.related_model is model for k in _keys(m))]
        for target in targets:
            assert isinstance(target, type)
            if target not in parts and _exportable(target):
                parts[target] = Part(target, Role.REFERENCED)
                frontier.append(target)
    exported = set(parts)
    for part in parts.values():
        part.columns, part.dropped = _columns(part.model, exported)
    return _ordered(list(parts.values()))


def _ordered(parts: list[Part]) -> list[Part]:
    """Kahn's order on required keys (a many-to-many's links are written with its model's
    rows, so its target counts as required), then nullable ones where they close no cycle."""
    by_model = {p.model: p for p in parts}

    def needs(part: Part, nullable: bool) -> set[type[models.Model]]:
        found: set[type[models.Model]] = set()
        for column in part.columns:
            target = column.field.related_model
            if (isinstance(target, type) and target in by_model and target is not part.model
                    and (column.many or nullable or not column.field.null)):
                found.add(target)
        return found

    done: list[Part] = []
    placed: set[type[models.Model]] = set()
    remaining = sorted(parts, key=lambda p: p.label)
    while remaining:
        for nullable in (True, False):
            ready = [p for p in remaining if needs(p, nullable) <= placed]
            if ready:
                break
        else:
            names = ", ".join(p.label for p in remaining)
            raise ImproperlyConfigured(f"required keys form a cycle between {names}")
        first = ready[0]
        done.append(first)
        placed.add(first.model)
        remaining.remove(first)
    return done


def unclassified(package: str = "jalon.") -> list[str]:
    """The models of ``package`` that the export neither takes nor leaves out on purpose (listed
    in :data:`EXCLUDED` or ``contract_export = False``): a test keeps this empty, so that a new
    record app's model reached by no key (or only through a left-out model) is not lost."""
    exported = {p.model for p in plan()}
    return sorted(label_of(m) for m in apps.get_models()
                  if m.__module__.startswith(package) and not m._meta.proxy and m not in exported
                  and label_of(m) not in EXCLUDED and getattr(m, "contract_export", True))

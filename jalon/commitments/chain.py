"""One hash chain per contract over every record's history (tickets, orders, governance,
deliverables): the events of all those tables share one sequence of ranks.

Each event stores its contract, its rank in the contract's chain (``seq``, from 1), the digest of
the event of the rank before (``previous``, :data:`GENESIS` for the first) and its own
``digest``: SHA-256 of the canonical JSON of what it says and of ``previous``. A record app
registers its event model (:func:`register`, from its app's ``ready()``); :func:`append` gives
the next link under the contract's row lock, whatever table the event goes to, so two events of
a contract never claim the same rank; :func:`walk` reads every registered table of a contract in
rank order and names the first place where the stored rows depart from the chain.

The digest of an event is the canonical JSON of ``seq``, ``contract``, the record's key under its
own name (``ticket``, ``order``, ``meeting``, ``deliverable``: the name says which table), ``kind``,
``actor``, ``at`` (UTC, ISO 8601), the model's ``chained_fields`` (``state_from``, ``state_to``…),
``payload`` and ``previous``. The ticket events' digests are those of the chain's first version
(``jalon.tickets.history.event_digest``): the chains written before the other tables joined still
verify.

The database refuses to rewrite the chained tables (:func:`guard_statements`, played by each
app's migration): on PostgreSQL, triggers refuse UPDATE, DELETE and TRUNCATE to any role but the
tables' owner (the application runs as a role that owns nothing, docs/operations.md); on SQLite,
triggers refuse UPDATE, and DELETE unless the process opened a :func:`maintenance` window (the
test suite's flush between tests).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import heapq
import json
import threading
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from django.db import models
from django.db.backends.signals import connection_created
from django.db.models import Max
from django.dispatch import receiver

GENESIS = "0" * 64
"""The ``previous`` of a contract's first event."""

# -- the maintenance window (SQLite) -------------------------------------------------------------

_window = threading.local()


@contextlib.contextmanager
def maintenance() -> Iterator[None]:
    """Let this thread delete history rows on SQLite (flushing a test database): nothing in
    the application opens it."""
    _window.open = True
    try:
        yield
    finally:
        _window.open = False


def _sqlite_window_open() -> int:
    return 1 if getattr(_window, "open", False) else 0


@receiver(connection_created)
def _register_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("jalon_history_maintenance", 0, _sqlite_window_open,
                                              deterministic=False)


# -- digests -------------------------------------------------------------------------------------


def canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str).encode()


def instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def digest_of(fields: dict[str, Any]) -> str:
    """The digest of one event from its fields (``at`` already as :func:`instant`)."""
    return hashlib.sha256(canonical(fields)).hexdigest()


# -- the registry of chained tables --------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Chained:
    """A table of events that belongs to its contract's chain."""

    model: type[models.Model]
    record: str
    """The foreign key to the record the event belongs to (``ticket``, ``order``…): its name is
    the key of the record's id in the digest."""
    fields: tuple[str, ...] = ()
    """The model's other columns the digest covers, besides kind, actor, at and payload."""

    @property
    def label(self) -> str:
        return str(self.model._meta.label_lower)

    def columns(self) -> list[str]:
        return ["pk", "seq", "contract_id", f"{self.record}_id", "kind", "actor_id", "at",
                *self.fields, "payload", "previous", "digest"]

    def digest(self, *, seq: int, contract: int, record: int, kind: str, actor: int | None,
               at: datetime, payload: Any, previous: str, **extra: Any) -> str:
        return digest_of({"seq": seq, "contract": contract, self.record: record, "kind": kind,
                          "actor": actor, "at": instant(at), **{f: extra[f] for f in self.fields},
                          "payload": payload, "previous": previous})


_CHAINED: dict[str, Chained] = {}


def register(model: type[models.Model], *, record: str, fields: Iterable[str] = ()) -> None:
    entry = Chained(model, record, tuple(fields))
    _CHAINED[entry.label] = entry


def chained() -> list[Chained]:
    return list(_CHAINED.values())


def of(model: type[models.Model]) -> Chained:
    return _CHAINED[str(model._meta.label_lower)]


# -- writing -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Link:
    """Where a new event stands in its contract's chain: give these to its row."""

    seq: int
    previous: str
    digest: str


def tip(contract_id: int) -> tuple[int, str]:
    """The rank and digest of the contract's last event, whatever its table (0, GENESIS if none)."""
    best = (0, GENESIS)
    for entry in _CHAINED.values():
        manager = entry.model._default_manager
        top = manager.filter(contract_id=contract_id).aggregate(top=Max("seq"))["top"]
        if top and top > best[0]:
            digest = manager.filter(contract_id=contract_id, seq=top).values_list("digest", flat=True).first()
            best = (int(top), str(digest))
    return best


def append(model: type[models.Model], *, contract: int, record: int, kind: str, actor: int | None,
           at: datetime, payload: Any, **fields: Any) -> Link:
    """The next link of ``contract``'s chain for an event of ``model``: locks the contract's row
    until the end of the transaction (call inside it, then write the row with these values)."""
    from jalon.contracts.models import Contract

    Contract.objects.select_for_update().filter(pk=contract).values_list("pk").first()
    last, previous = tip(contract)
    seq = last + 1
    digest = of(model).digest(seq=seq, contract=contract, record=record, kind=kind, actor=actor,
                              at=at, payload=payload, previous=previous, **fields)
    return Link(seq, previous, digest)


# -- reading -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Row:
    """One stored event of the chain, as read back."""

    table: str
    pk: int
    seq: int | None
    contract: int
    record: int
    kind: str
    payload: Any
    previous: str
    digest: str
    computed: str


@dataclasses.dataclass(frozen=True)
class Break:
    """The first place where a contract's stored history departs from its chain."""

    seq: int
    event: str | None
    reason: str

    def __str__(self) -> str:
        where = self.event if self.event is not None else "no event"
        return f"rank {self.seq} ({where}): {self.reason}"


def _rows(entry: Chained, contract_id: int) -> Iterator[tuple[int, Row]]:
    rows = entry.model._default_manager.filter(contract_id=contract_id).order_by("seq", "pk")
    for values in rows.values_list(*entry.columns()).iterator(chunk_size=2000):
        pk, seq, contract, record, kind, actor, at, *rest = values
        extra = dict(zip(entry.fields, rest[:len(entry.fields)], strict=True))
        payload, previous, digest = rest[len(entry.fields):]
        computed = entry.digest(seq=seq or 0, contract=contract, record=record, kind=kind,
                                actor=actor, at=at, payload=payload, previous=previous or "", **extra)
        yield (seq or 0), Row(entry.label, pk, seq, contract, record, kind, payload, previous,
                              digest, computed)


def walk(contract_id: int, seen: Any = None) -> tuple[int, Break | None, dict[int, str]]:
    """Read every chained table of the contract in rank order: how many events, the first break
    if any, and each rank's digest (to check the published heads against). ``seen(row)`` is
    called on each sound row (the tickets' comments keep their text's digest there)."""
    streams = [_rows(entry, contract_id) for entry in _CHAINED.values()]
    merged = heapq.merge(*streams, key=lambda item: item[0])
    expected, previous, count = 1, GENESIS, 0
    by_seq: dict[int, str] = {}
    for seq, row in merged:
        count += 1
        name = f"{row.table} #{row.pk}"
        if row.seq is None:
            return count, Break(expected, name, "event outside the chain (no rank)"), by_seq
        if seq != expected:
            missing = "deleted" if seq > expected else "repeated"
            return count, Break(expected, name, f"rank {expected} {missing}: found rank {seq}"), by_seq
        if row.previous != previous:
            return count, Break(seq, name, "previous digest does not match the event before"), by_seq
        if row.computed != row.digest:
            return count, Break(seq, name, "content changed: its digest no longer matches"), by_seq
        if seen is not None:
            seen(row)
        by_seq[seq] = row.digest
        previous, expected = row.digest, expected + 1
    return count, None, by_seq


def head_before(contract_id: int, end: datetime) -> tuple[int, str]:
    """The rank and digest of the contract's last event dated before ``end`` (0, GENESIS if none)."""
    best = (0, GENESIS)
    for entry in _CHAINED.values():
        found = (entry.model._default_manager.filter(contract_id=contract_id, at__lt=end, seq__isnull=False)
                 .order_by("-seq").values_list("seq", "digest").first())
        if found and found[0] > best[0]:
            best = (int(found[0]), str(found[1]))
    return best


def first_event_at(contract_id: int) -> datetime | None:
    found = [entry.model._default_manager.filter(contract_id=contract_id).aggregate(first=models.Min("at"))["first"]
             for entry in _CHAINED.values()]
    dated = [at for at in found if at is not None]
    return min(dated) if dated else None


# -- what the migrations play --------------------------------------------------------------------

MESSAGE = "%s is append-only: history is never updated nor deleted"

POSTGRES_FUNCTION = (
    "CREATE OR REPLACE FUNCTION jalon_refuse_history_change() RETURNS trigger AS $$ "
    "BEGIN "
    "IF TG_OP <> 'UPDATE' AND pg_has_role(current_user, "
    "(SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN "
    "  IF TG_LEVEL = 'ROW' THEN RETURN OLD; END IF; RETURN NULL; "
    "END IF; "
    "RAISE EXCEPTION '% is append-only: history is never updated nor deleted (%)', "
    "TG_TABLE_NAME, TG_OP; "
    "END; $$ LANGUAGE plpgsql"
)


def guard_statements(vendor: str, table: str) -> list[str]:
    """The triggers that make ``table`` append-only on this database."""
    if vendor == "postgresql":
        return [
            POSTGRES_FUNCTION,
            f"DROP TRIGGER IF EXISTS {table}_no_update ON {table}",
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION jalon_refuse_history_change()",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION jalon_refuse_history_change()",
        ]
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {table}_no_update",
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE % table}'); END",
            f"DROP TRIGGER IF EXISTS {table}_no_delete",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            "WHEN jalon_history_maintenance() = 0 "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE % table}'); END",
        ]
    return []


def unguard_statements(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_no_update ON {table}",
                f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}"]
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]
    return []


def backfill(apps: Any, schema_editor: Any, model: tuple[str, str], *, record: str, fields: Iterable[str],
             contract_path: str, before: Iterable[tuple[str, str]]) -> None:
    """Append the existing rows of ``model`` (app label, model name) to their contracts' chains,
    after the events of the tables in ``before`` already chained, in the order they happened;
    then guard the table. Played by each chained app's migration."""
    fields = tuple(fields)
    entry = Chained(apps.get_model(*model), record, fields)
    tips: dict[int, tuple[int, str]] = {}
    for label in before:
        Earlier = apps.get_model(*label)
        for contract, seq, digest in Earlier._base_manager.filter(seq__isnull=False).order_by("seq").values_list(
                "contract_id", "seq", "digest").iterator(chunk_size=2000):
            if seq > tips.get(contract, (0, GENESIS))[0]:
                tips[contract] = (seq, digest)
    Event = entry.model
    rows = Event._base_manager.order_by("at", "pk").values_list(
        "pk", contract_path, f"{record}_id", "kind", "actor_id", "at", *fields, "payload")
    for pk, contract, record_id, kind, actor, at, *rest in rows.iterator(chunk_size=2000):
        extra = dict(zip(fields, rest[:len(fields)], strict=True))
        payload = rest[len(fields)]
        seq, previous = tips.get(contract, (0, GENESIS))
        seq += 1
        digest = entry.digest(seq=seq, contract=contract, record=record_id, kind=kind, actor=actor,
                              at=at, payload=payload, previous=previous, **extra)
        Event._base_manager.filter(pk=pk).update(contract_id=contract, seq=seq, previous=previous, digest=digest)
        tips[contract] = (seq, digest)
    for statement in guard_statements(schema_editor.connection.vendor, Event._meta.db_table):
        schema_editor.execute(statement, params=None)


def unguard(apps: Any, schema_editor: Any, model: tuple[str, str]) -> None:
    table = apps.get_model(*model)._meta.db_table
    for statement in unguard_statements(schema_editor.connection.vendor, table):
        schema_editor.execute(statement, params=None)

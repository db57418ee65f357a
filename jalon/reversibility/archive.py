"""``jalon contract export``: the whole contract as a ZIP of open formats.

Members (all UTF-8):

- ``data/<app>.<model>.jsonl`` — one JSON object per row (the reference: the import reads it);
- ``data/<app>.<model>.csv`` — the same rows as CSV (RFC 4180, comma, header line);
- ``files/<path>`` — the stored files of every file field (attachments…), under their path;
- ``conventions/v<number>-<file>`` — each convention version's YAML text;
- ``README.md`` — the format, model by model (French and English), generated from the models;
- ``manifest.json`` — the contract, the models in dependency order with their columns and row
  counts, and the SHA-256 digest and size of every other member.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from typing import IO, Any

from django.core.files.storage import default_storage
from django.db import connection, models, transaction

from jalon.contracts.models import Contract
from jalon.reversibility import readme
from jalon.reversibility.discovery import Part, Role, plan
from jalon.reversibility.values import to_csv, to_json

FORMAT = "jalon-contract-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 2000


def data_member(part: Part, suffix: str) -> str:
    return f"data/{part.label}.{suffix}"


def file_member(name: str) -> str:
    return f"files/{name}"


@dataclass
class Written:
    members: dict[str, dict[str, Any]]
    rows: dict[str, int]


class _Digest(io.RawIOBase):
    """Writes to a ZIP member while hashing and counting what passes."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target, self.hash, self.size = target, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.hash.update(chunk)
        self.size += len(chunk)
        self.target.write(chunk)
        return len(chunk)


class Exporter:
    def __init__(self, contract: Contract, zf: zipfile.ZipFile) -> None:
        self.contract, self.zf = contract, zf
        self.members: dict[str, dict[str, Any]] = {}
        self.referenced: dict[type[models.Model], set[Any]] = {}

    def write(self, name: str, chunks: Iterator[bytes]) -> None:
        with self.zf.open(name, "w", force_zip64=True) as raw:
            sink = _Digest(raw)
            for chunk in chunks:
                sink.write(chunk)
        self.members[name] = {"sha256": sink.hash.hexdigest(), "bytes": sink.size}

    def rows(self, part: Part) -> Iterator[dict[str, Any]]:
        """The part's rows as JSON values, by id; referenced models: only the rows pointed to."""
        manager = part.model._base_manager
        if part.role is Role.OWNED:
            batches = [manager.filter(**{part.path or "pk": self.contract.pk}).order_by("pk")]
        else:
            keys = set(self.referenced.get(part.model, set()))
            for column in part.columns:  # satellites: a person's profile
                if column.field.one_to_one and column.target and part.model is not column.field.related_model:
                    pointed = sorted(self.referenced.get(column.field.related_model, set()))  # type: ignore[arg-type]
                    for chunk in _chunked(pointed):
                        keys.update(manager.filter(**{f"{column.name}__in": chunk}).values_list("pk", flat=True))
            batches = [manager.filter(pk__in=chunk).order_by("pk") for chunk in _chunked(sorted(keys))]
        for rows in batches:
            yield from self._rows(part, rows)

    def _rows(self, part: Part, rows: models.QuerySet[models.Model]) -> Iterator[dict[str, Any]]:
        concrete = [c for c in part.columns if not c.many]
        many = [c for c in part.columns if c.many]
        links: dict[str, dict[Any, list[Any]]] = {}
        for column in many:
            through = column.field.remote_field.through  # type: ignore[union-attr]
            source = column.field.m2m_field_name()  # type: ignore[attr-defined]
            target = column.field.m2m_reverse_field_name()  # type: ignore[attr-defined]
            found: dict[Any, list[Any]] = {}
            for left, right in through._base_manager.filter(
                    **{f"{source}__in": rows.values("pk")}).values_list(f"{source}_id", f"{target}_id"):
                found.setdefault(left, []).append(right)
            links[column.name] = found
        for values in rows.values_list(*[c.field.attname for c in concrete]).iterator(chunk_size=CHUNK):
            row = {}
            for column, value in zip(concrete, values, strict=True):
                if column.is_file:
                    row[column.name] = value or ""
                else:
                    row[column.name] = to_json(column, value)
            pk = row[part.model._meta.pk.attname]
            for column in many:
                row[column.name] = to_json(column, links[column.name].get(pk, []))
            self.note_references(part, row)
            yield row

    def note_references(self, part: Part, row: dict[str, Any]) -> None:
        for column in part.columns:
            target = column.field.related_model
            value = row[column.name]
            if target is None or value is None or not column.field.is_relation:
                continue
            bucket = self.referenced.setdefault(target, set())  # type: ignore[arg-type]
            bucket.update(value if column.many else [value])

    def export_part(self, part: Part) -> int:
        names = [c.name for c in part.columns]
        count = 0
        files: list[str] = []
        with tempfile.SpooledTemporaryFile(max_size=1 << 24) as lines:
            for row in self.rows(part):
                count += 1
                files.extend(row[c.name] for c in part.files if row[c.name])
                lines.write((json.dumps(row, ensure_ascii=False) + "\n").encode())
            lines.seek(0)
            self.write(data_member(part, "jsonl"), iter(lambda: lines.read(1 << 20), b""))
            lines.seek(0)  # the CSV reads the same lines, so both members hold the same rows
            self.write(data_member(part, "csv"), _csv(part, names, lines))
        for name in files:
            with default_storage.open(name, "rb") as stored:
                self.write(file_member(name), _chunks(stored))
        return count


def _chunked(values: list[Any], size: int = 900) -> Iterator[list[Any]]:
    """``values`` in lists short enough for one ``IN`` (SQLite's limit on parameters)."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _chunks(source: IO[bytes]) -> Iterator[bytes]:
    while chunk := source.read(1 << 20):
        yield chunk


def _csv(part: Part, names: list[str], lines: IO[bytes]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    columns = {c.name: c for c in part.columns}
    for line in lines:
        row = json.loads(line)
        writer.writerow([to_csv(columns[n], row[n]) for n in names])
        if buffer.tell() > 1 << 16:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def export_contract(contract: Contract, out: IO[bytes] | str, now: datetime) -> dict[str, Any]:
    """Write ``contract`` to ``out`` (a path or a binary file); the manifest written."""
    parts = plan()
    with _snapshot(), zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        exporter = Exporter(contract, zf)
        counts: dict[str, int] = {}
        # owned rows first (they name the people and organisations), then the referenced ones,
        # those that point to others first (a profile names its organisation)
        referenced = [p for p in parts if p.role is Role.REFERENCED]
        for part in [p for p in parts if p.role is Role.OWNED] + referenced[::-1]:
            counts[part.label] = exporter.export_part(part)
        for number, source, text in contract.convention_versions.order_by("number").values_list(
                "number", "source_name", "text"):
            exporter.write(f"conventions/v{number}-{source}", iter([text.encode()]))
        exporter.write("README.md", iter([readme.render(parts).encode()]))
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "exported_at": now.isoformat(),
            "jalon_version": _jalon_version(),
            "contract": {"slug": contract.slug, "reference": contract.reference, "name": contract.name},
            "models": [{"label": p.label, "role": str(p.role), "path": p.path,
                        "rows": counts[p.label], "columns": [c.name for c in p.columns],
                        "files": [c.name for c in p.files]} for p in parts],
            "members": dict(sorted(exporter.members.items())),
        }
        zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


@contextmanager
def _snapshot() -> Iterator[None]:
    """One read-only snapshot of the database for the whole export (PostgreSQL: repeatable read),
    so that rows written meanwhile never make the archive inconsistent (an event without its
    ticket); inside a transaction already begun, that transaction's view."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def export_to_spool(contract: Contract, now: datetime) -> IO[bytes]:
    """The archive written whole to a temporary file (rewound; closing deletes it), for a
    download: a failure raises before the first byte is sent, never a cut archive."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - the caller's response closes it once sent
    try:
        export_contract(contract, spool, now)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


def archive_name(contract: Contract, now: datetime) -> str:
    return f"marche-{contract.slug}-{now:%Y%m%d-%H%M}.zip"


def _jalon_version() -> str:
    try:
        return version("jalon")
    except PackageNotFoundError:  # pragma: no cover - run from a checkout not installed
        return "unknown"

"""``jalon contract import``: load a contract export into an installation that lacks it.

Checked before anything is written: the archive is a ZIP with a manifest of this format; every
member is listed in the manifest and has its digest (else the member is named); the contract's
slug is not taken; every model and column is known here. Then, in one transaction, every row is
inserted with its id (the history's payloads name ids, which therefore never change), append-only
tables included (an INSERT, never an UPDATE); the people and organisations already present with
the same id *and* the same identity (username, name) are kept, any other clash refuses the
import; foreign keys are checked before the commit, the id sequences moved past the new rows.
Stored files are written first and removed again if the import fails.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.utils.translation import gettext as _

from jalon.contracts.models import Contract
from jalon.reversibility.archive import FORMAT, FORMAT_VERSION, MANIFEST, data_member, file_member
from jalon.reversibility.discovery import Column, Part, Role, label_of, plan
from jalon.reversibility.values import from_json

BATCH = 500


class ImportRefused(Exception):
    """The archive cannot be imported here; the message says why, naming the member or row."""


@dataclass
class Imported:
    slug: str
    inserted: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    files: int = 0


def import_contract(source: str | IO[bytes]) -> Imported:
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as error:
        raise ImportRefused(_("Ce fichier n’est pas une archive ZIP lisible : %(error)s")
                            % {"error": error}) from error
    with zf:
        manifest = read_manifest(zf)
        verify(zf, manifest)
        slug = str(manifest["contract"]["slug"])
        if Contract.objects.filter(slug=slug).exists():
            raise ImportRefused(_("Le marché « %(slug)s » existe déjà dans cette installation : "
                                  "l’import se fait dans une installation qui ne l’a pas.")
                                % {"slug": slug})
        parts = _parts(manifest)
        loader = _Loader(zf, Imported(slug))
        try:
            with transaction.atomic():
                for part, columns in parts:
                    loader.load(part, columns)
                _check_keys([p for p, _c in parts])
                _reset_sequences([p.model for p, _c in parts])
        except BaseException:
            for name in loader.written:
                default_storage.delete(name)
            raise
        return loader.result


def read_manifest(zf: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(zf.read(MANIFEST))
    except KeyError as error:
        raise ImportRefused(_("L’archive n’a pas de manifeste (%(name)s).") % {"name": MANIFEST}) from error
    except (ValueError, zipfile.BadZipFile) as error:
        raise ImportRefused(_("Le manifeste (%(name)s) est illisible : %(error)s")
                            % {"name": MANIFEST, "error": error}) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ImportRefused(_("Ce fichier n’est pas un export de marché Jalon."))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ImportRefused(_("Version de format %(found)s non prise en charge (attendue : %(expected)s).")
                            % {"found": manifest.get("format_version"), "expected": FORMAT_VERSION})
    return manifest


def verify(zf: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
    """Every member listed, present once, with its digest: else the member is named."""
    listed: dict[str, dict[str, Any]] = manifest.get("members") or {}
    names = [n for n in zf.namelist() if n != MANIFEST]
    for name in sorted({n for n in names if names.count(n) > 1}):
        raise ImportRefused(_("Le membre « %(name)s » figure deux fois dans l’archive.") % {"name": name})
    for name in sorted(set(names) - set(listed)):
        raise ImportRefused(_("Le membre « %(name)s » n’est pas dans le manifeste.") % {"name": name})
    for name, expected in sorted(listed.items()):
        if name not in names:
            raise ImportRefused(_("Le membre « %(name)s » du manifeste manque dans l’archive.")
                                % {"name": name})
        digest = hashlib.sha256()
        try:
            with zf.open(name) as member:
                while chunk := member.read(1 << 20):
                    digest.update(chunk)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as error:
            raise ImportRefused(_("Le membre « %(name)s » est endommagé : %(error)s")
                                % {"name": name, "error": error}) from error
        if digest.hexdigest() != expected.get("sha256"):
            raise ImportRefused(_("Le membre « %(name)s » ne correspond pas à son empreinte SHA-256 du "
                                  "manifeste : l’archive a été modifiée.") % {"name": name})


def _parts(manifest: dict[str, Any]) -> list[tuple[Part, list[Column]]]:
    """The models of the archive in this installation's dependency order, each with the columns
    the archive gives."""
    known = {p.label: p for p in plan()}
    given: dict[str, list[str]] = {}
    for entry in manifest.get("models") or []:
        label = str(entry.get("label"))
        if label not in known:
            raise ImportRefused(_("Cette installation n’a pas de type d’enregistrement « %(label)s » "
                                  "(export écrit par Jalon %(version)s).")
                                % {"label": label, "version": manifest.get("jalon_version")})
        columns = {c.name: c for c in known[label].columns}
        for name in entry.get("columns") or []:
            if name not in columns:
                raise ImportRefused(_("La colonne « %(column)s » de « %(label)s » n’existe pas dans "
                                      "cette installation.") % {"column": name, "label": label})
        given[label] = list(entry.get("columns") or [])
    return [(part, [c for c in part.columns if c.name in given[part.label]])
            for part in known.values() if part.label in given]


class _Loader:
    def __init__(self, zf: zipfile.ZipFile, result: Imported) -> None:
        self.zf, self.result = zf, result
        self.written: list[str] = []
        self.members = set(zf.namelist())

    def lines(self, part: Part) -> Iterator[tuple[int, dict[str, Any]]]:
        member = data_member(part, "jsonl")
        with self.zf.open(member) as raw:
            for number, line in enumerate(io.TextIOWrapper(raw, encoding="utf-8"), start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except ValueError as error:
                    raise ImportRefused(_("%(member)s, ligne %(line)s : JSON illisible (%(error)s).")
                                        % {"member": member, "line": number, "error": error}) from error
                if not isinstance(row, dict):
                    raise ImportRefused(_("%(member)s, ligne %(line)s : un objet JSON est attendu.")
                                        % {"member": member, "line": number})
                yield number, row

    def load(self, part: Part, columns: list[Column]) -> None:
        batch: list[tuple[int, models.Model, dict[str, list[Any]]]] = []
        for number, row in self.lines(part):
            batch.append((number, *self.build(part, columns, number, row)))
            if len(batch) >= BATCH:
                self.insert(part, batch)
                batch = []
        if batch:
            self.insert(part, batch)

    def build(self, part: Part, columns: list[Column], number: int,
              row: dict[str, Any]) -> tuple[models.Model, dict[str, list[Any]]]:
        member = data_member(part, "jsonl")
        obj = part.model()
        links: dict[str, list[Any]] = {}
        for column in columns:
            if column.name not in row:
                raise ImportRefused(_("%(member)s, ligne %(line)s : la colonne « %(column)s » manque.")
                                    % {"member": member, "line": number, "column": column.name})
            value = row[column.name]
            try:
                value = from_json(column, value)
            except ValidationError as error:
                raise ImportRefused(_("%(member)s, ligne %(line)s, colonne « %(column)s » : %(error)s")
                                    % {"member": member, "line": number, "column": column.name,
                                       "error": " ".join(error.messages)}) from error
            if column.many:
                links[column.name] = list(value or [])
            elif column.is_file and value:
                setattr(obj, column.field.attname, self.store(member, number, value))
            else:
                setattr(obj, column.field.attname, value)
        if label_of(part.model) == "auth.user":
            obj.password = make_password(None)  # type: ignore[attr-defined]
        return obj, links

    def store(self, member: str, number: int, name: str) -> str:
        inside = file_member(name)
        if inside not in self.members:
            raise ImportRefused(_("%(member)s, ligne %(line)s : le fichier « %(file)s » manque dans "
                                  "l’archive.") % {"member": member, "line": number, "file": inside})
        try:
            saved = default_storage.save(name, ContentFile(self.zf.read(inside)))
        except SuspiciousFileOperation as error:
            raise ImportRefused(_("%(member)s, ligne %(line)s : chemin de fichier refusé « %(file)s ».")
                                % {"member": member, "line": number, "file": name}) from error
        self.written.append(saved)
        self.result.files += 1
        return saved

    def insert(self, part: Part, batch: list[tuple[int, models.Model, dict[str, list[Any]]]]) -> None:
        model = part.model
        member = data_member(part, "jsonl")
        pks = [obj.pk for _n, obj, _l in batch]
        existing = {o.pk: o for o in model._base_manager.filter(pk__in=pks)}
        fresh = []
        for number, obj, links in batch:
            there = existing.get(obj.pk)
            if there is None:
                fresh.append((number, obj, links))
            elif part.role is Role.REFERENCED and _identity(there) == _identity(obj):
                self.result.kept[part.label] = self.result.kept.get(part.label, 0) + 1
            else:
                raise ImportRefused(
                    _("%(member)s, ligne %(line)s : l’identifiant %(pk)s de « %(label)s » est déjà "
                      "pris dans cette installation (%(there)s) : importez dans une installation "
                      "vierge.") % {"member": member, "line": number, "pk": obj.pk,
                                   "label": part.label, "there": there})
        if not fresh:
            return
        fields = list(model._meta.concrete_fields)
        objs = [obj for _n, obj, _l in fresh]
        try:
            with transaction.atomic():
                size = connection.ops.bulk_batch_size(fields, objs) or len(objs)
                for start in range(0, len(objs), size):
                    model._base_manager._insert(objs[start:start + size], fields=fields,  # type: ignore[attr-defined]
                                                raw=True)
                for _n, obj, links in fresh:
                    for name, targets in links.items():
                        if targets:
                            getattr(obj, name).through._base_manager.bulk_create([
                                getattr(obj, name).through(**{
                                    f"{getattr(obj, name).source_field_name}_id": obj.pk,
                                    f"{getattr(obj, name).target_field_name}_id": target})
                                for target in targets])
        except (IntegrityError, DatabaseError) as error:
            raise ImportRefused(_("%(member)s : ces lignes ne peuvent pas être insérées ici "
                                  "(%(error)s).") % {"member": member, "error": error}) from error
        self.result.inserted[part.label] = self.result.inserted.get(part.label, 0) + len(objs)


def _identity(obj: models.Model) -> tuple[Any, ...]:
    """What makes a person or an organisation the same one: its unique fields (``username``,
    ``name``, a unique pair such as a content type's app and model), else all its fields."""
    meta = obj._meta
    names = {f.name for f in meta.concrete_fields if f.unique and not f.primary_key}
    for together in meta.unique_together:
        names.update(together)
    for constraint in meta.total_unique_constraints:
        names.update(constraint.fields)
    fields = [f for f in meta.concrete_fields if not f.primary_key and (not names or f.name in names)]
    return tuple(getattr(obj, f.attname) for f in fields)


def _check_keys(parts: list[Part]) -> None:
    tables = [p.model._meta.db_table for p in parts]
    try:
        connection.check_constraints(table_names=tables)
    except IntegrityError as error:
        raise ImportRefused(_("Une référence de l’archive ne mène à aucune ligne : %(error)s")
                            % {"error": error}) from error


def _reset_sequences(model_list: list[type[models.Model]]) -> None:
    """Move the id sequences past the inserted ids (PostgreSQL; SQLite does it by itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), model_list)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

"""The frozen scorecard as a ZIP archive anyone can check, and ``jalon scorecard verify``.

No Django here: ``jalon scorecard verify ARCHIVE`` runs on a machine with no database, with the
same engine (:func:`jalon.conventions.evaluate.evaluate`) that scored the period in the platform.

An archive holds:

- ``figures.json`` — the scorecard (``jalon.conventions.report.scorecard_dict``);
- ``inputs/tickets.csv`` and ``inputs/events.csv`` — the tickets and their state history as the
  engine read them at the freeze (the platform's values, read through the built-in ``jalon``
  profile); ``inputs/measures.csv`` — every measure, typed in or computed from other records, in
  the ``--measures`` CSV format;
- ``evidence.csv`` — one row per clock (``jalon.conventions.report.evidence_rows``);
- ``convention/<file>`` — the convention version the period was scored with;
- ``scorecard.pdf`` and any supporting file (``files/…``);
- ``manifest.json`` — the SHA-256 of every other member, in canonical JSON (sorted keys).

``verify`` checks that the members are exactly those of the manifest, that each digest matches,
that the manifest is in canonical form (so that no byte of it may change either), then scores the
period again from the inputs and compares every figure and the evidence with the frozen ones.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from jalon.conventions.errors import ConventionError, InputError
from jalon.conventions.measures import Measure, load_measures
from jalon.conventions.period import Period
from jalon.imports.ticketset import TicketSet

FORMAT = "jalon-scorecard-archive/1"
MANIFEST = "manifest.json"
FIGURES = "figures.json"
TICKETS = "inputs/tickets.csv"
EVENTS = "inputs/events.csv"
MEASURES = "inputs/measures.csv"
EVIDENCE = "evidence.csv"
PDF = "scorecard.pdf"
CONVENTION_DIR = "convention/"
_STAMP = (2000, 1, 1, 0, 0, 0)
"""Every member's date in the ZIP: the archive of the same freeze is the same bytes."""
MEASURE_COLUMNS = ("indicator", "period", "value", "item", "comment")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode("utf-8")


# -- inputs as CSV -------------------------------------------------------------------------------

def _csv(rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _texts(instants: np.ndarray) -> list[str]:
    return [str(t) for t in instants.astype("datetime64[s]")]


def tickets_csv(tickets: TicketSet) -> tuple[bytes, bytes]:
    """The tickets (one row each: id, instants, ``a:`` attributes, ``c:`` counters, ``i:`` other
    instants) and their state history (ticket id, instant, state), as the engine reads them."""
    attributes, counters, instants = sorted(tickets.attributes), sorted(tickets.counters), sorted(tickets.instants)
    head = ["id", "opened_at", "resolved_at", "closed_at",
            *(f"a:{n}" for n in attributes), *(f"c:{n}" for n in counters), *(f"i:{n}" for n in instants)]
    columns: list[list[Any]] = [
        [str(i) for i in tickets.ids], _texts(tickets.opened_at), _texts(tickets.resolved_at),
        _texts(tickets.closed_at),
        *([str(v) for v in tickets.attributes[n]] for n in attributes),
        *([int(v) for v in tickets.counters[n]] for n in counters),
        *(_texts(tickets.instants[n]) for n in instants),
    ]
    rows = [head, *zip(*columns, strict=True)] if len(tickets) else [head]
    ids = tickets.ids
    events = [["ticket", "at", "state"], *(
        [str(ids[t]), at, str(state)]
        for t, at, state in zip(tickets.event_ticket.tolist(), _texts(tickets.event_at),
                                tickets.event_state.tolist(), strict=True))]
    return _csv(rows), _csv(events)


def read_tickets(tickets: bytes, events: bytes, source: str) -> TicketSet:
    """The :class:`TicketSet` :func:`tickets_csv` wrote."""
    rows = list(csv.reader(io.StringIO(tickets.decode("utf-8"))))
    if not rows or rows[0][:4] != ["id", "opened_at", "resolved_at", "closed_at"]:
        raise InputError([f"{TICKETS}: line 1: not a tickets header"])
    head, body = rows[0], rows[1:]
    cols = list(zip(*body, strict=True)) if body else [() for _ in head]

    def instants(values: Sequence[str]) -> np.ndarray:
        return np.array(list(values), dtype="datetime64[s]")

    index = {ident: i for i, ident in enumerate(cols[0])}
    history = list(csv.reader(io.StringIO(events.decode("utf-8"))))[1:]
    try:
        event_ticket = np.array([index[r[0]] for r in history], np.int64)
    except KeyError as error:
        raise InputError([f"{EVENTS}: ticket {error} is not in {TICKETS}"]) from None
    return TicketSet(
        source=source,
        ids=np.array(list(cols[0]), dtype=object),
        rows=np.arange(1, len(body) + 1, dtype=np.int64),
        opened_at=instants(cols[1]), resolved_at=instants(cols[2]), closed_at=instants(cols[3]),
        attributes={h[2:]: np.array(list(c), dtype=object) for h, c in zip(head, cols, strict=True)
                    if h.startswith("a:")},
        counters={h[2:]: np.array([int(v) for v in c], np.int64) for h, c in zip(head, cols, strict=True)
                  if h.startswith("c:")},
        instants={h[2:]: instants(c) for h, c in zip(head, cols, strict=True) if h.startswith("i:")},
        event_ticket=event_ticket,
        event_at=np.array([r[1] for r in history], dtype="datetime64[s]"),
        event_state=np.array([r[2] for r in history], dtype=object),
    )


def measures_csv(measures: Iterable[Measure]) -> bytes:
    """The measures in the ``--measures`` CSV format (values written exactly: ``repr``)."""
    return _csv([MEASURE_COLUMNS, *(
        [m.indicator, str(m.period), repr(float(m.value)), m.item, m.comment] for m in measures)])


def read_measures(data: bytes) -> list[Measure]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "measures.csv"
        path.write_bytes(data)
        return load_measures(path)


def evidence_csv(card: Any) -> bytes:
    from jalon.conventions import report

    return _csv([report.EVIDENCE_COLUMNS, *report.evidence_rows(card)])


# -- the archive ---------------------------------------------------------------------------------

def build(manifest: dict[str, Any], members: dict[str, bytes]) -> bytes:
    """The ZIP of ``members`` and their manifest (``manifest`` plus the members' digests)."""
    listed = dict(manifest, format=FORMAT, members={name: sha256(data) for name, data in sorted(members.items())})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [(MANIFEST, canonical(listed)), *sorted(members.items())]:
            info = zipfile.ZipInfo(name, _STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()


def first_difference(expected: Any, found: Any, path: str = "") -> str | None:
    """Where two JSON values first differ (``families[0].indicators[2].value: 91.5 ≠ 92.0``)."""
    if isinstance(expected, dict) and isinstance(found, dict):
        for key in sorted(set(expected) | set(found)):
            where = f"{path}.{key}" if path else key
            if key not in found:
                return f"{where}: missing from the recomputation"
            if key not in expected:
                return f"{where}: not in the archive"
            diff = first_difference(expected[key], found[key], where)
            if diff:
                return diff
        return None
    if isinstance(expected, list) and isinstance(found, list):
        for i, (a, b) in enumerate(zip(expected, found, strict=False)):
            diff = first_difference(a, b, f"{path}[{i}]")
            if diff:
                return diff
        if len(expected) != len(found):
            return f"{path}: {len(expected)} entries in the archive, {len(found)} recomputed"
        return None
    if expected != found or type(expected) is not type(found):
        return f"{path}: {expected!r} in the archive, {found!r} recomputed"
    return None


def verify(data: bytes) -> str | None:
    """``None`` when the archive is intact and its figures are those the engine computes again
    from its inputs; else the first difference, in one line."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as error:
        return f"not a readable ZIP archive: {error}"
    except Exception as error:
        return f"not a readable ZIP archive: {error}"
    if MANIFEST not in members:
        return f"{MANIFEST}: missing"
    raw = members.pop(MANIFEST)
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return f"{MANIFEST}: not JSON: {error}"
    if not isinstance(manifest, dict) or canonical(manifest) != raw:
        return f"{MANIFEST}: altered (not the canonical form it was written in)"
    if manifest.get("format") != FORMAT:
        return f"{MANIFEST}: format {manifest.get('format')!r}, expected {FORMAT!r}"
    listed = manifest.get("members")
    if not isinstance(listed, dict):
        return f"{MANIFEST}: no members"
    for name in sorted(set(listed) | set(members)):
        if name not in members:
            return f"{name}: listed in the manifest, missing from the archive"
        if name not in listed:
            return f"{name}: in the archive, not listed in the manifest"
        if sha256(members[name]) != listed[name]:
            return f"{name}: SHA-256 {sha256(members[name])}, the manifest says {listed[name]}"
    return _recompute(manifest, members)


def _inputs(manifest: dict[str, Any], members: dict[str, bytes]) -> tuple[Any, ...]:
    from jalon.conventions.loader import loads

    name = str(manifest.get("convention", {}).get("file", ""))
    text = members.get(CONVENTION_DIR + name)
    if text is None:
        raise InputError([f"{CONVENTION_DIR}{name}: missing"])
    try:
        convention = loads(text.decode("utf-8"), name)
        period = Period.parse(str(manifest.get("period", "")))
        tickets = read_tickets(members[TICKETS], members[EVENTS], str(manifest.get("tickets_source", "")))
        measures = read_measures(members[MEASURES])
    except (KeyError, ValueError, UnicodeDecodeError) as error:
        raise InputError([f"cannot read the inputs: {error}"]) from None
    return convention, tickets, measures, period


def _score(manifest: dict[str, Any], members: dict[str, bytes]) -> Any:
    from jalon.conventions.evaluate import evaluate
    from jalon.conventions.platform import PLATFORM_PROFILE

    convention, tickets, measures, period = _inputs(manifest, members)
    return evaluate(convention, tickets, measures, period, PLATFORM_PROFILE)


def scorecard_from(data: bytes) -> Any:
    """The engine's scorecard of an archive's inputs (the archive is trusted: see :func:`verify`)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    return _score(json.loads(members.pop(MANIFEST)), members)


def _recompute(manifest: dict[str, Any], members: dict[str, bytes]) -> str | None:
    from jalon.conventions import report

    try:
        card = _score(manifest, members)
        frozen = json.loads(members[FIGURES].decode("utf-8"))
    except (ConventionError, InputError) as error:
        return "; ".join(error.errors)
    except (KeyError, ValueError, UnicodeDecodeError) as error:
        return f"cannot read the inputs: {error}"
    found = report.scorecard_dict(card)
    diff = first_difference(frozen, json.loads(json.dumps(found)))
    if diff:
        return f"{FIGURES}: {diff}"
    if evidence_csv(card) != members.get(EVIDENCE):
        return f"{EVIDENCE}: differs from the evidence recomputed from the inputs"
    return None


def main(argv: list[str]) -> int:
    """``jalon scorecard verify ARCHIVE``: OK and 0, or the first difference and 1."""
    if len(argv) != 1 or argv[0].startswith("-"):
        print("usage: jalon scorecard verify ARCHIVE.zip", file=sys.stderr)
        return 2
    try:
        data = Path(argv[0]).read_bytes()
    except OSError as error:
        print(f"error: {argv[0]}: cannot read: {error.strerror}", file=sys.stderr)
        return 2
    problem = verify(data)
    if problem:
        print(f"DIFFERENT: {problem}")
        return 1
    print("OK")
    return 0

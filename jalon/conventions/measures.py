"""Manual measures (``--measures``): values no ticket export holds (call answer rate,
availability, committee minutes delay, one-off order scores…).

CSV with a header, or YAML (a list of mappings, or ``measures:`` holding one)::

    indicator,period,value,item,comment
    S1,2026-Q1,93.4,,ACD export of 2026-04-02
    B1,2026-Q1,2,BC-2026-014,days late on the quote
    cost_share.tms,2026-Q1,42,,quarter's invoice

``period`` is ``2026``, ``2026-Q1``, ``2026-03`` or ``2026-01-15..2026-02-14``; ``item`` names the ordered item (UO,
purchase order, committee) for per-item indicators. ``cost_share.<family>`` overrides a family's
share of the quarter's cost for that period.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from jalon.conventions.errors import InputError
from jalon.conventions.model import Convention
from jalon.conventions.period import Period

COST_SHARE = "cost_share."


@dataclass(frozen=True)
class Measure:
    indicator: str
    period: Period
    value: float
    item: str
    comment: str
    where: str
    """``file:line`` of the row."""


def load_measures(path: str | Path) -> list[Measure]:
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise InputError([f"{name}: cannot read: {error.strerror}"]) from error
    rows = _yaml_rows(text, name) if name.endswith((".yaml", ".yml")) else _csv_rows(text)
    errors: list[str] = []
    measures = [m for line, row in rows if (m := _measure(row, f"{name}:{line}", errors))]
    if errors:
        raise InputError(errors)
    return measures


def _csv_rows(text: str) -> list[tuple[int, dict[str, Any]]]:
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    return [(reader.line_num, row) for row in reader]


def _yaml_rows(text: str, name: str) -> list[tuple[int, dict[str, Any]]]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else 1
        raise InputError([f"{name}:{line}: (YAML): {error.problem}"]) from error
    if isinstance(data, dict) and isinstance(root, yaml.MappingNode):
        data = data.get("measures")
        root = next((v for k, v in root.value if k.value == "measures"), None)
    if not isinstance(data, list) or not isinstance(root, yaml.SequenceNode):
        raise InputError([f"{name}:1: measures: expected a list of indicator/period/value"])
    return [
        (node.start_mark.line + 1, row if isinstance(row, dict) else {})
        for node, row in zip(root.value, data, strict=True)
    ]


def _measure(row: dict[str, Any], where: str, errors: list[str]) -> Measure | None:
    indicator = str(row.get("indicator") or "").strip()
    if not indicator:
        errors.append(f"{where}: indicator: missing")
        return None
    try:
        period = Period.parse(str(row.get("period") or ""))
    except ValueError as error:
        errors.append(f"{where}: period: {error}")
        return None
    raw = row.get("value")
    try:
        value = float(str(raw).strip().replace(",", ".").rstrip("%"))
    except ValueError:
        errors.append(f"{where}: value: {raw!r} is not a number")
        return None
    if not math.isfinite(value):
        errors.append(f"{where}: value: {raw!r} is not a finite number")
        return None
    item = str(row.get("item") or "").strip()
    return Measure(indicator, period, value, item, str(row.get("comment") or ""), where)


def check_measures(convention: Convention, measures: list[Measure]) -> list[str]:
    """Measures naming no indicator of the convention, or a family that does not exist."""
    indicators = {i.id for i in convention.indicators}
    families = {f.id for f in convention.families}
    errors = []
    for m in measures:
        if m.indicator.startswith(COST_SHARE):
            if m.indicator[len(COST_SHARE) :] not in families:
                errors.append(f"{m.where}: indicator: {m.indicator!r} names no family")
        elif m.indicator not in indicators:
            errors.append(f"{m.where}: indicator: {m.indicator!r} is not in {convention.path}")
    return errors

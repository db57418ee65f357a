"""Reading a price-schedule file (YAML) into checked rows, every error located (file, line, field).

The format (``schedules/*.yaml``, documented in ``docs/orders.md``)::

    schedule:
      contract: lade                  # the contract's slug
      label: "BPU LADE"
      effective_from: 2026-01-01
      calendar: ho                    # the convention calendar counting business days
      demo_prices: true               # prices absent from the contract's documents
      ceiling_warning: 0.8
    lots:   [{code: "1", label: "…"}]
    types:  [{code: integration, label: "…", quote_days: 5, execution_days: 20,
              report_days: null, orderers: [buyer_manager], recurring: false}]
    units:  [{code: UO11a, lot: "1", type: integration, label: "…", complexity: simple,
              unit: jour, price: "650.00"}]
    framework: [{period: term, minimum: 100000, maximum: 2000000}, {period: "2026", maximum: …}]

Index values are read from CSV (``published_on,value``) by :func:`read_index_csv`.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

import yaml

ROLES = ("buyer_manager", "level1_agent", "requester", "holder_manager", "holder_technician", "auditor")


class ScheduleFileError(ValueError):
    def __init__(self, source: str, line: int, where: str, message: str) -> None:
        super().__init__(f"{source}:{line}: {where}: {message}")
        self.source, self.line, self.where, self.message = source, line, where, message


@dataclass
class TypeRow:
    code: str
    label: str
    quote_days: int | None
    execution_days: int | None
    report_days: int | None
    orderers: list[str]
    recurring: bool


@dataclass
class UnitRow:
    code: str
    lot: str
    type: str
    label: str
    complexity: str
    unit: str
    price: Decimal


@dataclass
class AmountRow:
    period: str
    minimum: Decimal | None
    maximum: Decimal | None


@dataclass
class ScheduleFile:
    contract: str
    label: str
    effective_from: date
    calendar: str = "ho"
    currency: str = "EUR"
    demo_prices: bool = False
    ceiling_warning: Decimal = Decimal("0.80")
    lots: list[tuple[str, str]] = field(default_factory=list)
    types: list[TypeRow] = field(default_factory=list)
    units: list[UnitRow] = field(default_factory=list)
    amounts: list[AmountRow] = field(default_factory=list)


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, node: yaml.Node, where: str, message: str) -> ScheduleFileError:
        return ScheduleFileError(self.source, node.start_mark.line + 1, where, message)

    def mapping(self, node: yaml.Node, where: str) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, where, "expected a mapping")
        found: dict[str, yaml.Node] = {}
        for key, value in node.value:
            found[str(key.value)] = value
        return found

    def sequence(self, node: yaml.Node | None, where: str) -> list[yaml.Node]:
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, where, "expected a list")
        return list(node.value)

    def text(self, items: dict[str, yaml.Node], key: str, where: str, parent: yaml.Node, *,
             required: bool = True, default: str = "", max_length: int = 300) -> str:
        node = items.get(key)
        if node is None or (isinstance(node, yaml.ScalarNode) and node.value == "" and node.tag.endswith("null")):
            if required:
                raise self.fail(parent, f"{where}.{key}", "missing")
            return default
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, f"{where}.{key}", "expected a text")
        value = str(node.value).strip()
        if required and not value:
            raise self.fail(node, f"{where}.{key}", "empty")
        if len(value) > max_length:
            raise self.fail(node, f"{where}.{key}", f"longer than {max_length} characters")
        return value

    def days(self, items: dict[str, yaml.Node], key: str, where: str) -> int | None:
        node = items.get(key)
        if node is None or node.tag.endswith("null"):
            return None
        if not isinstance(node, yaml.ScalarNode) or not re.fullmatch(r"\d{1,3}", str(node.value)):
            raise self.fail(node, f"{where}.{key}", f"expected a number of business days, not {node.value!r}")
        return int(node.value)

    def money(self, items: dict[str, yaml.Node], key: str, where: str, parent: yaml.Node, *,
              required: bool) -> Decimal | None:
        node = items.get(key)
        if node is None or node.tag.endswith("null"):
            if required:
                raise self.fail(parent, f"{where}.{key}", "missing")
            return None
        try:
            value = Decimal(str(node.value).replace(" ", "").replace(",", "."))
        except InvalidOperation:
            raise self.fail(node, f"{where}.{key}", f"expected an amount, not {node.value!r}") from None
        if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
            raise self.fail(node, f"{where}.{key}", f"expected a positive amount to the cent, not {node.value!r}")
        return value

    def flag(self, items: dict[str, yaml.Node], key: str, where: str) -> bool:
        node = items.get(key)
        if node is None:
            return False
        if str(node.value).lower() not in {"true", "false", "yes", "no"}:
            raise self.fail(node, f"{where}.{key}", "expected true or false")
        return str(node.value).lower() in {"true", "yes"}


def read_schedule(text: str, source: str = "<schedule>") -> ScheduleFile:
    reader = _Reader(source)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        raise ScheduleFileError(source, (mark.line + 1) if mark else 1, "yaml", str(error.problem)) from None
    if root is None:
        raise ScheduleFileError(source, 1, "file", "empty")
    top = reader.mapping(root, "file")
    unknown = set(top) - {"schedule", "lots", "types", "units", "framework"}
    if unknown:
        key = sorted(unknown)[0]
        raise reader.fail(root, key, "unknown section (expected schedule, lots, types, units, framework)")
    if "schedule" not in top:
        raise reader.fail(root, "schedule", "missing")
    head_node = top["schedule"]
    head = reader.mapping(head_node, "schedule")
    day_text = reader.text(head, "effective_from", "schedule", head_node)
    try:
        effective = date.fromisoformat(day_text)
    except ValueError:
        raise reader.fail(head["effective_from"], "schedule.effective_from",
                          f"expected a date YYYY-MM-DD, not {day_text!r}") from None
    warning = reader.money(head, "ceiling_warning", "schedule", head_node, required=False)
    if warning is not None and not Decimal("0") < warning <= Decimal("1"):
        raise reader.fail(head["ceiling_warning"], "schedule.ceiling_warning", "expected a share between 0 and 1")
    parsed = ScheduleFile(
        contract=reader.text(head, "contract", "schedule", head_node, max_length=60),
        label=reader.text(head, "label", "schedule", head_node, max_length=200),
        effective_from=effective,
        calendar=reader.text(head, "calendar", "schedule", head_node, required=False, default="ho", max_length=60),
        currency=reader.text(head, "currency", "schedule", head_node, required=False, default="EUR", max_length=3),
        demo_prices=reader.flag(head, "demo_prices", "schedule"),
        ceiling_warning=warning if warning is not None else Decimal("0.80"))
    lots: set[str] = set()
    for i, node in enumerate(reader.sequence(top.get("lots"), "lots")):
        items, where = reader.mapping(node, f"lots[{i}]"), f"lots[{i}]"
        code = reader.text(items, "code", where, node, max_length=20)
        if code in lots:
            raise reader.fail(node, f"{where}.code", f"lot {code!r} given twice")
        lots.add(code)
        parsed.lots.append((code, reader.text(items, "label", where, node, max_length=200)))
    types: set[str] = set()
    for i, node in enumerate(reader.sequence(top.get("types"), "types")):
        items, where = reader.mapping(node, f"types[{i}]"), f"types[{i}]"
        code = reader.text(items, "code", where, node, max_length=40)
        if code in types:
            raise reader.fail(node, f"{where}.code", f"type {code!r} given twice")
        types.add(code)
        orderers = []
        for role in reader.sequence(items.get("orderers"), f"{where}.orderers"):
            if str(role.value) not in ROLES:
                raise reader.fail(role, f"{where}.orderers", f"unknown role {role.value!r} (expected one of "
                                                              f"{', '.join(ROLES)})")
            orderers.append(str(role.value))
        if not orderers:
            raise reader.fail(node, f"{where}.orderers", "at least one role orders this type")
        parsed.types.append(TypeRow(code, reader.text(items, "label", where, node, max_length=200),
                                    reader.days(items, "quote_days", where),
                                    reader.days(items, "execution_days", where),
                                    reader.days(items, "report_days", where), orderers,
                                    reader.flag(items, "recurring", where)))
    if not parsed.types:
        raise reader.fail(root, "types", "at least one work-unit type")
    codes: set[str] = set()
    for i, node in enumerate(reader.sequence(top.get("units"), "units")):
        items, where = reader.mapping(node, f"units[{i}]"), f"units[{i}]"
        code = reader.text(items, "code", where, node, max_length=20)
        if code in codes:
            raise reader.fail(node, f"{where}.code", f"work unit {code!r} given twice")
        codes.add(code)
        lot = reader.text(items, "lot", where, node, required=False, max_length=20)
        if lot and lot not in lots:
            raise reader.fail(items["lot"], f"{where}.lot", f"unknown lot {lot!r}")
        kind = reader.text(items, "type", where, node, max_length=40)
        if kind not in types:
            raise reader.fail(items["type"], f"{where}.type", f"unknown type {kind!r}")
        price = reader.money(items, "price", where, node, required=True)
        assert price is not None
        parsed.units.append(UnitRow(code, lot, kind, reader.text(items, "label", where, node),
                                    reader.text(items, "complexity", where, node, required=False, max_length=40),
                                    reader.text(items, "unit", where, node, max_length=40), price))
    if not parsed.units:
        raise reader.fail(root, "units", "at least one work unit")
    periods: set[str] = set()
    for i, node in enumerate(reader.sequence(top.get("framework"), "framework")):
        items, where = reader.mapping(node, f"framework[{i}]"), f"framework[{i}]"
        period = reader.text(items, "period", where, node, max_length=40)
        if period != "term" and not re.fullmatch(r"\d{4}", period):
            raise reader.fail(items["period"], f"{where}.period", f"expected term or a year, not {period!r}")
        if period in periods:
            raise reader.fail(node, f"{where}.period", f"period {period!r} given twice")
        periods.add(period)
        low = reader.money(items, "minimum", where, node, required=False)
        high = reader.money(items, "maximum", where, node, required=False)
        if low is not None and high is not None and low > high:
            raise reader.fail(node, where, f"minimum {low} above maximum {high}")
        parsed.amounts.append(AmountRow(period, low, high))
    return parsed


def read_index_csv(text: str, source: str = "<index>") -> list[tuple[date, Decimal]]:
    """``published_on,value`` rows (a header line first), dates unique."""
    rows: list[tuple[date, Decimal]] = []
    seen: set[date] = set()
    reader = csv.reader(io.StringIO(text))
    for number, row in enumerate(reader, start=1):
        if number == 1 and row and not row[0][:1].isdigit():
            continue  # the header
        if not row or not "".join(row).strip():
            continue
        if len(row) != 2:
            raise ScheduleFileError(source, number, "row", f"expected 2 columns (published_on,value), got {len(row)}")
        try:
            day = date.fromisoformat(row[0].strip())
        except ValueError:
            raise ScheduleFileError(source, number, "published_on", f"expected a date, not {row[0]!r}") from None
        try:
            value = Decimal(row[1].strip().replace(",", "."))
        except InvalidOperation:
            raise ScheduleFileError(source, number, "value", f"expected a number, not {row[1]!r}") from None
        if not value.is_finite() or value <= 0:
            raise ScheduleFileError(source, number, "value", f"expected a positive number, not {row[1]!r}")
        if day in seen:
            raise ScheduleFileError(source, number, "published_on", f"{day} given twice")
        seen.add(day)
        rows.append((day, value))
    return rows


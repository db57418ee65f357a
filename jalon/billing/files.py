"""A period's billing elements as a file: one entry point for the command, the pages and the API."""

from __future__ import annotations

from dataclasses import dataclass

from jalon.billing import invoice, spreadsheet
from jalon.billing.elements import Elements

FORMATS = ("xlsx", "facturx")


@dataclass(frozen=True)
class File:
    name: str
    content_type: str
    content: bytes


def render(elements: Elements, fmt: str) -> File:
    """``xlsx``: the billing elements; ``facturx``: the invoice draft (raises
    :class:`~jalon.billing.invoice.InvoiceError` when the period has nothing to invoice)."""
    stem = f"facturation-{elements.contract.slug}-{elements.period}"
    if fmt == "xlsx":
        return File(f"{stem}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    spreadsheet.xlsx(elements))
    if fmt == "facturx":
        return File(f"{invoice.number(elements)}.pdf", "application/pdf", invoice.pdf(elements))
    raise ValueError(f"unknown format {fmt!r}")

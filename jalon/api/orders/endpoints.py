"""``/contracts/{slug}/orders``: list, create, read, move an order through its workflow, add a
deliverable, read its history. Same rules as the pages: outsiders 404, roles too weak 403."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from jalon.accounts.access import Need, get_contract_for
from jalon.api.auth import caller
from jalon.api.errors import ERRORS
from jalon.api.orders.schemas import OrderCreateIn, OrderEventOut, OrderFileOut, OrderOut
from jalon.api.orders.transitions import AnyOrderTransition
from jalon.orders.models import Order
from jalon.orders.queries import SORT_KEYS
from jalon.orders.workflow import OrderState
from jalon.tickets.models import Ticket

router = Router(tags=["orders"])


def _rows(orders: object) -> object:
    return orders.select_related("contract", "type", "requester", "service", "audit").prefetch_related(  # type: ignore[attr-defined]
        "lines__work_unit", "clocks", "deliverables", "tickets")


class OrderFilters(Schema):
    q: str = ""
    status: OrderState | None = None
    type: str = ""
    ticket: int | None = Field(None, description="Les bons liés à ce ticket (son identifiant).")
    sort: str = "-number"
    limit: int = 100
    offset: int = 0


@router.get("/{slug}/orders", response={200: list[OrderOut], **ERRORS}, summary="Bons de commande visibles")
def list_orders(request: HttpRequest, slug: str, filters: Query[OrderFilters]) -> list[OrderOut]:
    contract = get_contract_for(caller(request), slug)
    found = Order.objects.visible_to(caller(request), contract).matching(filters.q)
    if filters.status:
        found = found.filter(state=filters.status)
    if filters.type:
        found = found.filter(type__code=filters.type)
    if filters.ticket is not None:
        found = found.filter(tickets__pk=filters.ticket)
    key = filters.sort.lstrip("-")
    if key not in SORT_KEYS:
        raise ValidationError({"sort": [_("Tri inconnu : %(v)s (attendu : %(ok)s).")
                                        % {"v": filters.sort, "ok": ", ".join(SORT_KEYS)}]})
    if not 1 <= filters.limit <= 500 or filters.offset < 0:
        raise ValidationError({"limit": [_("limit entre 1 et 500, offset positif.")]})
    found = found.ordered_by(key, descending=filters.sort.startswith("-"))  # type: ignore[arg-type]
    rows = _rows(found)[filters.offset:filters.offset + filters.limit]  # type: ignore[index]
    return [OrderOut.of(o) for o in rows]


@router.post("/{slug}/orders", response={201: OrderOut, **ERRORS}, summary="Demander un bon de commande")
def create_order(request: HttpRequest, slug: str, payload: OrderCreateIn) -> Status[OrderOut]:
    contract = get_contract_for(caller(request), slug, need=Need.ORDER)
    visible = Ticket.objects.visible_to(caller(request), contract)
    tickets = list(visible.filter(pk__in=payload.tickets))
    missing = sorted(set(payload.tickets) - {t.pk for t in tickets})
    if missing:
        raise ValidationError({"tickets": [_("Ticket introuvable sur ce marché : %(t)s.") % {"t": missing[0]}]})
    audit = (Order.objects.get_for(caller(request), contract, payload.audit) if payload.audit is not None
             else None)
    order = Order.request(contract, actor=caller(request), title=payload.title, description=payload.description,
                          lines=[(line.unit, line.quantity) for line in payload.lines], tickets=tickets,
                          audit=audit)
    return Status(201, OrderOut.of(_rows(Order.objects.filter(pk=order.pk)).get()))  # type: ignore[attr-defined]


@router.get("/{slug}/orders/{int:number}", response={200: OrderOut, **ERRORS}, summary="Un bon de commande")
def get_order(request: HttpRequest, slug: str, number: int) -> OrderOut:
    contract = get_contract_for(caller(request), slug)
    order = Order.objects.get_for(caller(request), contract, number)
    return OrderOut.of(_rows(Order.objects.filter(pk=order.pk)).get())  # type: ignore[attr-defined]


@router.post("/{slug}/orders/{int:number}/transitions", response={200: OrderOut, **ERRORS},
             summary="Faire avancer un bon de commande (devis, signature, livraison, admission…)")
def transition_order(request: HttpRequest, slug: str, number: int, order_transition: AnyOrderTransition
                     ) -> OrderOut:
    contract = get_contract_for(caller(request), slug)
    order = Order.objects.get_for(caller(request), contract, number, need=order_transition.need)
    order_transition.apply(order, caller(request))
    return OrderOut.of(_rows(Order.objects.filter(pk=order.pk)).get())  # type: ignore[attr-defined]


@router.post("/{slug}/orders/{int:number}/deliverables", response={201: OrderFileOut, **ERRORS},
             summary="Déposer un livrable (fichier, empreinte SHA-256)")
def add_deliverable(request: HttpRequest, slug: str, number: int,
                    file: UploadedFile | None = File(None)) -> Status[OrderFileOut]:  # noqa: B008
    # the file is checked after access: an outsider gets 404 whatever they send
    contract = get_contract_for(caller(request), slug)
    order = Order.objects.get_for(caller(request), contract, number, need=Need.DELIVER_ORDER)
    if file is None:
        raise ValidationError({"file": [_("Le champ « file » est obligatoire (multipart/form-data).")]})
    stored = order.add_deliverable(caller(request), file)
    return Status(201, OrderFileOut(id=stored.pk, name=stored.original_name, sha256=stored.sha256,
                                      size=stored.size, uploaded_at=stored.uploaded_at))


@router.get("/{slug}/orders/{int:number}/events", response={200: list[OrderEventOut], **ERRORS}, summary="Historique")
def list_events(request: HttpRequest, slug: str, number: int) -> list[OrderEventOut]:
    contract = get_contract_for(caller(request), slug)
    order = Order.objects.get_for(caller(request), contract, number)
    return [OrderEventOut.of(e) for e in order.events.select_related("actor")]

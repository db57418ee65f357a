"""The ticket list: which tickets a user sees, the filters and the sort orders of the list page.

The dashboard links each of its figures to this list with the filters that select the tickets
behind the figure, so every filter the dashboard needs is here, with the same definition as the
figure (:mod:`jalon.dashboard.figures`): dates of opening, of a closure, resolution or
reopening event, of the first qualification, a diagnosis delivered and its proposal, a clock
stopped in a period and its outcome, the backlog (not resolved) at the end of a day, time
charged to the *forfait*, clocks at risk or overdue now (:mod:`jalon.tickets.queries`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache, reduce
from operator import or_
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import HttpRequest, QueryDict
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jalon.accounts import access
from jalon.accounts.access import Viewer
from jalon.accounts.models import Role
from jalon.contracts.models import Contract
from jalon.tickets.models import (
    Clock,
    Criticality,
    EventKind,
    Proposal,
    Ticket,
    TicketEvent,
    TicketState,
    TimeEntry,
    WaitReason,
)
from jalon.tickets.queries import SortKey, TicketQuerySet, with_contracts
from jalon.web.rules import Rules, current_rules
from jalon.web.tickets import clockview

PAGE_SIZE = 25

SORTS: dict[str, Any] = {
    "opened": _("date d’ouverture"),
    "due": _("échéance la plus proche"),
    "priority": _("priorité"),
    "state": _("état"),
}


@dataclass(frozen=True)
class Days:
    """Where the list's days start: in each contract's calendar zone, the zone its dashboard
    counts days in, so that a figure's link selects the very tickets behind it. A list over
    contracts in different zones reads each contract's tickets in its own zone."""

    zones: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """Contract ids by zone name; empty: the installation's zone (``TIME_ZONE``)."""

    @classmethod
    def of(cls, contract_zones: dict[int, str]) -> Days:
        zones: dict[str, tuple[int, ...]] = {}
        for contract_id, zone in contract_zones.items():
            zones[zone] = (*zones.get(zone, ()), contract_id)
        return cls(zones)

    def each(self, condition: Callable[[Callable[[date], datetime]], Any]) -> Any:
        """``condition(start)``, where ``start(day)`` is the instant ``day`` begins, in each zone
        (with the zone's contracts when there are several)."""
        if len(self.zones) <= 1:
            return condition(_day_start(next(iter(self.zones), settings.TIME_ZONE)))
        return reduce(or_, (Q(contract_id__in=ids) & condition(_day_start(zone))
                            for zone, ids in self.zones.items()))


def _day_start(zone: str) -> Callable[[date], datetime]:
    tz = ZoneInfo(zone)
    return lambda day: datetime.combine(day, time.min, tzinfo=tz)


class TicketFilterForm(forms.Form):
    """Every filter of the list; all optional, an invalid value is an error shown by the field."""

    contract = forms.CharField(label=_("Marché"), required=False)
    q = forms.CharField(label=_("Recherche (objet, description, numéro ou référence)"), required=False, max_length=100)
    type = forms.CharField(label=_("Type"), required=False)
    state = forms.ChoiceField(label=_("État"), required=False,
                              choices=[("", _("Tous")), ("active", _("Non résolus")),
                                       *TicketState.choices])
    priority = forms.CharField(label=_("Priorité"), required=False)
    criticality = forms.ChoiceField(label=_("Criticité"), required=False,
                                    choices=[("", _("Toutes")), ("none", _("Non renseignée")),
                                             *Criticality.choices])
    group = forms.CharField(label=_("Groupe affecté"), required=False)
    waiting = forms.ChoiceField(label=_("En attente de"), required=False,
                                choices=[("", _("Indifférent")), *WaitReason.choices])
    at_risk = forms.BooleanField(label=_("À risque"), required=False)
    breached = forms.BooleanField(label=_("Délai dépassé (en cours ou arrêté hors délai)"), required=False)
    overdue = forms.BooleanField(label=_("Délai en cours dépassé"), required=False)
    mine = forms.BooleanField(label=_("Mes tickets (demandés ou affectés)"), required=False)
    qualified = forms.ChoiceField(label=_("Qualifié"), required=False,
                                  choices=[("", _("Indifférent")), ("yes", _("Oui")),
                                           ("no", _("Non"))])
    reopened = forms.BooleanField(label=_("Rouvert au moins une fois"), required=False)
    fix_owed = forms.BooleanField(label=_("Correction définitive due (après un contournement)"),
                                  required=False)
    clock = forms.CharField(label=_("Délai contractuel"), required=False)
    outcome = forms.ChoiceField(label=_("Issue du délai"), required=False,
                                choices=[("", _("Indifférente")), ("met", _("Respecté")),
                                         ("breached", _("Dépassé"))])
    open_on = forms.DateField(label=_("En stock le"), required=False)
    opened_from = forms.DateField(label=_("Ouvert du"), required=False)
    opened_to = forms.DateField(label=_("Ouvert au"), required=False)
    closed_from = forms.DateField(label=_("Clos du"), required=False)
    closed_to = forms.DateField(label=_("Clos au"), required=False)
    resolved_from = forms.DateField(label=_("Résolu du"), required=False)
    resolved_to = forms.DateField(label=_("Résolu au"), required=False)
    qualified_from = forms.DateField(label=_("Qualifié pour la première fois du"),
                                     required=False)
    qualified_to = forms.DateField(label=_("Qualifié pour la première fois au"), required=False)
    reopened_from = forms.DateField(label=_("Rouvert du"), required=False)
    reopened_to = forms.DateField(label=_("Rouvert au"), required=False)
    diagnosed_from = forms.DateField(label=_("Diagnostic rendu du"), required=False)
    diagnosed_to = forms.DateField(label=_("Diagnostic rendu au"), required=False)
    proposal = forms.ChoiceField(label=_("Proposition du diagnostic"), required=False,
                                 choices=[("", _("Indifférente")), *Proposal.choices])
    clock_from = forms.DateField(label=_("Délai arrêté du"), required=False)
    clock_to = forms.DateField(label=_("Délai arrêté au"), required=False)
    forfait_from = forms.DateField(label=_("Temps imputé au forfait du"), required=False)
    forfait_to = forms.DateField(label=_("Temps imputé au forfait au"), required=False)
    sort = forms.ChoiceField(label=_("Trier par"), required=False,
                             choices=[(k, v) for key, label in SORTS.items()
                                      for k, v in ((f"-{key}", format_lazy("{} ({})", label, _("décroissant"))),
                                                   (key, format_lazy("{} ({})", label, _("croissant"))))])

    def __init__(self, data: Any, options: dict[str, list[tuple[str, str]]]) -> None:
        """``options``: the choices of the fields that depend on the contracts (type,
        priority, group, clock, contract); their values are then checked against them."""
        super().__init__(data)
        for name, choices in options.items():
            label = self.fields[name].label
            self.fields[name] = forms.ChoiceField(label=label, required=False,
                                                  choices=[("", _("Tous")), *choices])

    def values(self) -> dict[str, Any]:
        """The valid filters (an invalid one is dropped, and reported next to its field)."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}

    def full_clean(self) -> None:
        super().full_clean()
        # Keep the valid filters when one is wrong: the list stays usable.
        for name in list(self.errors):
            self.cleaned_data.pop(name, None)


class CappedPaginator(Paginator):
    """Counts at most ``CAP`` tickets, or up to the page asked for: counting a million tickets
    costs more than the page itself. Beyond the cap, ``more`` is set, the list says "plus de
    1 000 tickets" and the pagination reaches one page past the one shown, so "Suivante" keeps
    going."""

    CAP = 1000

    def __init__(self, object_list: Any, per_page: int, wanted: Any = None) -> None:
        super().__init__(object_list, per_page)
        page = int(wanted) if str(wanted or "").isdigit() else 1
        self.limit = max(self.CAP, page * per_page) + 1
        self.more = False

    @cached_property
    def count(self) -> int:
        tickets: Any = self.object_list
        found = int(tickets.order_by()[:self.limit].count())
        self.more = found >= self.limit
        return found

    @property
    def at_least(self) -> int:
        """With ``more``: the number of tickets known to be there, at least."""
        return self.limit - 1


def _day_range(start: Callable[[date], datetime], name: str, first: date | None, last: date | None) -> Q:
    q = Q()
    if first:
        q &= Q(**{f"{name}__gte": start(first)})
    if last:
        q &= Q(**{f"{name}__lt": start(last + timedelta(days=1))})
    return q


def _event_between(days: Days, kind: EventKind, first: date | None, last: date | None) -> Any:
    return days.each(lambda start: Exists(TicketEvent.objects.filter(
        Q(ticket=OuterRef("pk"), kind=kind) & _day_range(start, "at", first, last))))


def has_clock(condition: Q) -> Exists:
    return Exists(Clock.objects.filter(condition, ticket=OuterRef("pk")))


def apply_filters(tickets: TicketQuerySet, f: dict[str, Any], user: Viewer, now: datetime,
                  days: Days | None = None) -> TicketQuerySet:
    days = days or Days()
    simple = {"contract": "contract__slug", "type": "type", "priority": "priority",
              "group": "assigned_group"}
    for name, column in simple.items():
        if f.get(name):
            tickets = tickets.filter(**{column: f[name]})
    tickets = tickets.matching(f.get("q"))
    state = f.get("state")
    if state == "active":
        tickets = tickets.active()
    elif state:
        tickets = tickets.filter(state=state)
    if f.get("waiting"):
        tickets = tickets.filter(state=TicketState.WAITING, wait_reason=f["waiting"])
    criticality = f.get("criticality")
    if criticality:
        tickets = tickets.filter(criticality="" if criticality == "none" else criticality)
    if f.get("mine"):
        tickets = tickets.filter(Q(requester=user) | Q(assignee=user))
    if f.get("at_risk"):
        tickets = tickets.at_risk(now)
    if f.get("breached"):
        tickets = tickets.late(now)
    if f.get("overdue"):
        tickets = tickets.overdue(now)
    if f.get("qualified"):
        qualified = _event_between(Days(), EventKind.QUALIFIED, None, None)
        tickets = tickets.filter(qualified if f["qualified"] == "yes" else ~qualified)
    if f.get("reopened"):
        tickets = tickets.filter(reopen_count__gt=0)
    if f.get("fix_owed"):
        tickets = tickets.fix_owed()
    if f.get("open_on"):  # the backlog: opened, and not resolved, by the end of that day
        def backlog(start: Callable[[date], datetime]) -> Q:
            end = start(f["open_on"] + timedelta(days=1))
            return Q(opened_at__lt=end) & _pending_at(end)

        tickets = tickets.annotate(done_at=Coalesce("resolved_at", "closed_at")).filter(days.each(backlog))
    return _apply_ranges(tickets, f, days)


def _pending_at(end: datetime) -> Q:
    """Not resolved (nor closed) at ``end``, as the dashboard's backlog counts (D-08): by the
    resolution columns, or, for a ticket reopened since, by its history then."""
    reopened_since = Q(Exists(TicketEvent.objects.filter(ticket=OuterRef("pk"), kind=EventKind.REOPENED,
                                                         at__gte=end)))
    reopened_after_it = TicketEvent.objects.filter(ticket=OuterRef(OuterRef("pk")), kind=EventKind.REOPENED,
                                                   at__gt=OuterRef("at"), at__lt=end)
    resolved_then = Q(Exists(
        TicketEvent.objects.filter(ticket=OuterRef("pk"), at__lt=end,
                                   kind__in=(EventKind.RESOLVED, EventKind.CLOSED, EventKind.CANCELLED))
        .exclude(Exists(reopened_after_it))))
    by_columns = Q(done_at__isnull=True) | Q(done_at__gte=end)
    return (~reopened_since & by_columns) | (reopened_since & ~resolved_then)


def _apply_ranges(tickets: TicketQuerySet, f: dict[str, Any], days: Days) -> TicketQuerySet:
    def span(name: str) -> tuple[date | None, date | None]:
        return f.get(f"{name}_from"), f.get(f"{name}_to")

    first, last = span("opened")
    if first or last:
        tickets = tickets.filter(days.each(lambda start: _day_range(start, "opened_at", first, last)))
    for name, kind in (("closed", EventKind.CLOSED), ("resolved", EventKind.RESOLVED),
                       ("reopened", EventKind.REOPENED)):
        first, last = span(name)
        if first or last:
            tickets = tickets.filter(_event_between(days, kind, first, last))
    first, last = span("qualified")
    if first or last:  # first qualified in the range: qualified in it, and not before
        tickets = tickets.filter(_event_between(days, EventKind.QUALIFIED, first, last))
        if first:
            tickets = tickets.exclude(_event_between(days, EventKind.QUALIFIED, None,
                                                     first - timedelta(days=1)))
    first, last = span("diagnosed")
    if first or last or f.get("proposal"):  # a diagnosis delivered in the range, with that proposal
        diagnosis = Q(kind=EventKind.DIAGNOSED)
        if f.get("proposal"):
            diagnosis &= Q(payload__proposal=f["proposal"])
        tickets = tickets.filter(days.each(lambda start: Exists(TicketEvent.objects.filter(
            diagnosis & _day_range(start, "at", first, last), ticket=OuterRef("pk")))))
    first, last = span("clock")
    if f.get("clock") or f.get("outcome") or first or last:
        condition = Q(stopped_at__isnull=False) if (first or last or f.get("outcome")) else Q()
        if f.get("clock"):
            condition &= Q(kind=f["clock"])
        if f.get("outcome"):
            condition &= Q(breached=f["outcome"] == "breached")
        tickets = tickets.filter(days.each(
            lambda start: has_clock(condition & _day_range(start, "stopped_at", first, last))))
    first, last = span("forfait")
    if first or last:
        # time that still counts: neither a reversal nor an entry a reversal cancelled
        entries = (TimeEntry.objects.filter(ticket=OuterRef("pk"), charged_to_forfait=True)
                   .exclude(kind=TimeEntry.Kind.REVERSAL)
                   .exclude(corrections__kind=TimeEntry.Kind.REVERSAL))
        if first:
            entries = entries.filter(spent_on__gte=first)
        if last:
            entries = entries.filter(spent_on__lte=last)
        tickets = tickets.filter(Exists(entries))
    return tickets


SORT_KEYS: dict[str, SortKey] = {"opened": "opened_at", "due": "due_at", "priority": "priority",
                                 "state": "state"}
"""The list's sort parameter (``?sort=-due``) and the query layer's key it asks for."""


def apply_sort(tickets: TicketQuerySet, sort: str, priority_order: list[str]) -> TicketQuerySet:
    key = SORT_KEYS.get(sort.lstrip("-"), "opened_at")
    return tickets.ordered_by(key, descending=sort.startswith("-"), priorities=priority_order)


def query_string(filters: dict[str, Any], **changes: Any) -> str:
    """``?…`` for the list with ``filters`` changed by ``changes`` (None drops a key)."""
    merged = {**filters, **changes}
    pairs = []
    for key, value in merged.items():
        if value in (None, "", False):
            continue
        if value is True:
            value = "1"
        elif isinstance(value, date):
            value = value.isoformat()
        pairs.append((key, str(value)))
    return "?" + urlencode(pairs) if pairs else "?"


# -- the list's context ----------------------------------------------------------------------

def _union(pairs: list[list[tuple[str, str]]]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for choices in pairs:
        for value, label in choices:
            seen.setdefault(value, label)
    return list(seen.items())


def assigned_groups(user: Viewer, contracts: list[Contract]) -> list[str]:
    """The groups of the tickets ``user`` sees on ``contracts``, for the group filter: those the
    contract keeps (``Contract.assigned_groups``, read with it); a requester sees their
    organisation's tickets only, and their groups are taken from those."""
    found: set[str] = set()
    for contract in contracts:
        if access.roles_on(user, contract) == {Role.REQUESTER}:
            found.update(Ticket.objects.visible_to(user, contract).exclude(assigned_group="")
                         .order_by().values_list("assigned_group", flat=True).distinct())
        else:
            found.update(contract.assigned_groups)
    return sorted(found)


def list_context(request: HttpRequest, contracts: list[Contract],
                 contract: Contract | None) -> dict[str, Any]:
    """Filters, sort and the page of tickets, for the list page and its exports."""
    now = timezone.now()
    rules = current_rules(contracts)
    priorities = _union([r.priorities for r in rules.values()])
    tickets = Ticket.objects.visible_on(request.user, contracts)
    groups = assigned_groups(request.user, contracts)
    options = {
        "type": _union([r.types for r in rules.values()]), "priority": priorities,
        "clock": _union([r.clocks for r in rules.values()]), "group": [(g, g) for g in groups],
    }
    if contract is None:
        options["contract"] = [(c.slug, f"{c.reference} — {c.name}") for c in contracts]
    chosen = list_filters(request, options)
    filters = dict(chosen.values)
    days = Days.of({pk: r.convention.contract.tz for pk, r in rules.items()})
    shown = apply_filters(tickets, filters, request.user, now, days)
    shown = apply_sort(shown, filters.get("sort", "-opened"), [p for p, _l in priorities])
    return {"form": chosen.form, "filters_html": chosen.html, "filters": filters, "now": now,
            "contract": contract, "contracts": contracts, "rules": rules, "tickets": shown}


def filter_form(data: Any, options: dict[str, list[tuple[str, str]]]) -> TicketFilterForm:
    """The list's filters bound to ``data``; the contract filter only where ``options`` offer
    contracts (the list of all the user's tickets)."""
    form = TicketFilterForm(data, options)
    if "contract" not in options:
        del form.fields["contract"]
    return form


@dataclass(frozen=True)
class ListFilters:
    """The list's filters as asked: the bound form (its errors), the valid values and the form's
    HTML. Shared between requests: read, never changed."""

    form: TicketFilterForm
    values: dict[str, Any]
    html: SafeString


def list_filters(request: HttpRequest, options: dict[str, list[tuple[str, str]]]) -> ListFilters:
    """The filters of ``request`` (its query but the page number) among ``options``."""
    data = urlencode(sorted((k, v) for k, values in request.GET.lists() if k != "page" for v in values))
    return _list_filters(get_language(), data, tuple((name, tuple(choices)) for name, choices in options.items()))


@lru_cache(maxsize=256)
def _list_filters(language: str, data: str,
                  options: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]) -> ListFilters:
    """The filters are a function of the language, the query and the choices offered: their
    form (thirty fields, a fifth of the page's time when rendered, and copied field by field
    when built) is built, checked and rendered once per process for each, then reused by every
    list asking the same."""
    with translation.override(language):
        form = filter_form(QueryDict(data), {name: list(choices) for name, choices in options})
        values = form.values()
        html = render_to_string("web/_list_filters.html", {
            "form": form,
            "main_fields": [form[n] for n in MAIN_FILTERS if n in form.fields],
            "advanced_fields": [form[n] for n in form.fields if n not in MAIN_FILTERS],
            "advanced_open": any(k not in MAIN_FILTERS for k in values),
        })
    return ListFilters(form, values, mark_safe(html))  # rendered escaped


LIST_COLUMNS = ("contract", "number", "type", "title", "priority", "criticality", "state", "fix_owed_since",
                "assigned_group",
                "is_urgent", "opened_at")
"""What a list row shows (``ticket_rows``): the page reads these, not the description and the
dozen dates it does not show."""
LIST_CLOCK_COLUMNS = ("kind", "label", "target_seconds", "started_at", "paused_intervals", "stopped_at",
                      "elapsed_seconds", "due_at", "risk_at", "at_risk", "breached")
"""What :func:`jalon.web.tickets.clockview.status_of` judges the row's clock by."""


def list_page_rows(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """A page's tickets with the columns a row shows and the clock it shows, in one query; their
    contracts come from :func:`rows_of`."""
    return tickets.select_related("list_clock").only(
        *LIST_COLUMNS, *(f"list_clock__{name}" for name in LIST_CLOCK_COLUMNS))


def rows_of(tickets: Iterable[Ticket], contracts: list[Contract], rules: dict[int, Rules],
            now: datetime) -> list[dict[str, Any]]:
    """The list's rows; each ticket is given its contract from ``contracts`` (those of the list)."""
    rows = []
    for ticket in with_contracts(tickets, contracts):
        rule = rules.get(ticket.contract_id)
        rows.append({"ticket": ticket, "clock": clockview.shown(ticket, now),
                     "type_label": rule.type_label(ticket.type) if rule else ticket.type})
    return rows


MAIN_FILTERS = ("q", "contract", "type", "state", "priority", "criticality", "group", "at_risk",
                "breached", "mine", "sort")


def sort_state(sort: str) -> dict[str, str]:
    key = sort.lstrip("-")
    return {key: "descending" if sort.startswith("-") else "ascending"}


def page_links(page: Any, filters: dict[str, Any]) -> list[tuple[int | None, str]]:
    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    links: list[tuple[int | None, str]] = [
        (n, query_string(filters, page=n)) if isinstance(n, int) else (None, "")
        for n in numbers]
    if getattr(page.paginator, "more", False):
        links.append((None, ""))  # more pages than counted
    return links

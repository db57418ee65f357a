"""The support package's pages (seed 000 §7.2): the ledger of a contract year with running
totals, the monthly statements (PDF, XLSX) and their acknowledgement by the buyer, and the
holder's correction of a time entry (a reversal and a replacement, never an edit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from jalon.accounts import access
from jalon.accounts.access import AuthedRequest, Need
from jalon.contracts.models import Contract
from jalon.forfait import ledger, statement
from jalon.forfait import render as rendering
from jalon.forfait.models import Acknowledgement
from jalon.lib import clock
from jalon.tickets.models import Ticket, TimeEntry
from jalon.web import exports
from jalon.web.errors import BadAddress


def today() -> date:
    return timezone.localdate(clock.now())


def _month(text: str) -> date:
    try:
        return statement.parse_month(text)
    except statement.StatementError as error:
        raise BadAddress(str(error)) from None


@dataclass(frozen=True)
class MonthRow:
    month: date
    acknowledgement: Acknowledgement | None
    finished: bool

    @property
    def key(self) -> str:
        return f"{self.month:%Y-%m}"


def months_of(book: ledger.LedgerYear, acks: dict[date, Acknowledgement], now: date) -> list[MonthRow]:
    rows, month = [], book.year.first_day.replace(day=1)
    while month <= min(book.year.last_day, now):
        rows.append(MonthRow(month, acks.get(month), statement.month_last_day(month) < now))
        month = (month + timedelta(days=32)).replace(day=1)
    return rows


def _year_day(request: AuthedRequest) -> tuple[date, str]:
    text = request.GET.get("jour", "")
    if not text:
        return today(), ""
    try:
        return date.fromisoformat(text), ""
    except ValueError:
        return today(), _("Date attendue au format AAAA-MM-JJ : %(v)s.") % {"v": text}


@login_required
def ledger_page(request: AuthedRequest, slug: str) -> HttpResponse:
    contract = access.get_contract_for(request.user, slug, need=Need.VIEW_FORFAIT)
    day, error = _year_day(request)
    book = ledger.year_of(contract, day)
    acks = {a.month: a for a in Acknowledgement.objects.filter(
        contract=contract, month__gte=book.year.first_day, month__lte=book.year.last_day
    ).select_related("acknowledged_by")}
    reversed_ids = set(TimeEntry.objects.filter(
        ticket__contract=contract, kind=TimeEntry.Kind.REVERSAL).values_list("corrects_id", flat=True))
    return render(request, "web/forfait.html", {
        "contract": contract, "book": book, "error": error,
        "lines": [(line, book.amount(line.entry.minutes), book.amount(line.running_minutes),
                   book.remaining_after(line.running_minutes),
                   line.entry.kind != TimeEntry.Kind.REVERSAL and line.entry.pk not in reversed_ids)
                  for line in book.lines],
        "months": months_of(book, acks, today()),
        "may_correct": access.may(request.user, contract, Need.CORRECT_TIME),
        "may_acknowledge": access.may(request.user, contract, Need.ACKNOWLEDGE_STATEMENT),
        "previous_year": book.year.first_day - timedelta(days=1),
        "next_year": book.year.last_day + timedelta(days=1),
        "percent": round((book.share_used or 0) * 100),
    }, status=400 if error else 200)  # the year shown is today's, said so


def ledger_header(book: ledger.LedgerYear) -> list[str]:
    unit = _("jours") if book.unit == "j" else _("heures")
    return [_("N° de saisie"), _("Nature"), _("Corrige la saisie"), _("Date"), _("Ticket"), _("Objet"),
            _("Intervenant"), _("Note"), _("Temps (minutes)"), _("Temps (%(u)s)") % {"u": unit},
            _("Cumul de l’année (%(u)s)") % {"u": unit}, _("Reste (%(u)s)") % {"u": unit},
            _("Saisi le")]


def ledger_rows(book: ledger.LedgerYear) -> list[list[object]]:
    return [[line.entry.pk, line.entry.get_kind_display(), line.entry.corrects_id, line.entry.spent_on,
             line.entry.ticket.reference, line.entry.ticket.title, statement.person_name(line.entry.person),
             line.entry.note, line.entry.minutes, book.amount(line.entry.minutes),
             book.amount(line.running_minutes), book.remaining_after(line.running_minutes),
             timezone.localtime(line.entry.created_at).replace(tzinfo=None)] for line in book.lines]


@login_required
def ledger_export(request: AuthedRequest, slug: str, fmt: str) -> HttpResponseBase:
    """The contract year's ledger as CSV or XLSX (every row, corrections included)."""
    contract = access.get_contract_for(request.user, slug, need=Need.VIEW_FORFAIT)
    day, error = _year_day(request)
    if error:  # a file of another year than the one asked for would mislead: refuse it
        raise BadAddress(error)
    book = ledger.year_of(contract, day)
    stem = f"forfait-{contract.slug}-{book.year.first_day:%Y%m%d}-{book.year.last_day:%Y%m%d}"
    if fmt == "xlsx":
        return exports.xlsx_response(f"{stem}.xlsx", _("Forfait de support"), ledger_header(book),
                                     ledger_rows(book))
    return exports.csv_response(f"{stem}.csv", ledger_header(book), ledger_rows(book))


@login_required
def statement_file(request: AuthedRequest, slug: str, month: str, fmt: str) -> HttpResponse:
    contract = access.get_contract_for(request.user, slug, need=Need.VIEW_FORFAIT)
    found = statement.of(contract, _month(month))
    response = HttpResponse(found.render(fmt), content_type=rendering.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{found.filename(fmt)}"'
    return response


@login_required
@require_POST
def acknowledge(request: AuthedRequest, slug: str, month: str) -> HttpResponse:
    contract = access.get_contract_for(request.user, slug, need=Need.ACKNOWLEDGE_STATEMENT)
    first = _month(month)
    try:
        ack = statement.acknowledge(request.user, contract, first)
    except statement.StatementError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Relevé de %(m)s pris en compte ; empreinte SHA-256 %(h)s.") % {
            "m": month, "h": ack.sha256})
    return redirect(_ledger_url(contract, first))


def _ledger_url(contract: Contract, day: date) -> str:
    from django.urls import reverse

    return reverse("forfait:ledger", args=[contract.slug]) + f"?jour={day.isoformat()}"


class CorrectionForm(forms.Form):
    minutes = forms.IntegerField(label=_lazy("Temps corrigé (minutes)"), min_value=0, max_value=24 * 60,
                                 help_text=_lazy("0 pour annuler la saisie sans la remplacer."))
    spent_on = forms.DateField(label=_lazy("Jour du travail"), help_text=_lazy("Format AAAA-MM-JJ."),
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(label=_lazy("Motif de la correction"), max_length=250)
    note = forms.CharField(label=_lazy("Note"), max_length=250, required=False)


@login_required
def correct(request: AuthedRequest, slug: str, entry: int) -> HttpResponse:
    contract = access.get_contract_for(request.user, slug, need=Need.VIEW_FORFAIT)
    found = (TimeEntry.objects.filter(pk=entry, ticket__in=Ticket.objects.visible_to(request.user, contract))
             .select_related("ticket__contract", "person").first())
    if found is None:
        raise Http404(_("Saisie de temps introuvable."))
    access.require(request.user, contract, Need.CORRECT_TIME)
    form = CorrectionForm(request.POST or None, initial={
        "minutes": found.minutes, "spent_on": found.spent_on, "note": found.note})
    if request.method == "POST" and form.is_valid():
        try:
            found.ticket.correct_time(request.user, found, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Saisie corrigée : l’annulation et la correction sont inscrites au décompte."))
            return redirect(_ledger_url(contract, found.spent_on))
    return render(request, "web/forfait_correct.html", {"contract": contract, "entry": found, "form": form},
                  status=400 if request.method == "POST" else 200)

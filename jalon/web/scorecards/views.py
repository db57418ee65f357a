"""The contract's periods and a period's scorecard (seed 002 ch. 8, seed 003 §3.4.6): every
indicator with its value, target, note or penalty points and the evidence behind it; manual
measures; the validation workflow's actions; the documents and the frozen archive."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jalon.accounts import access
from jalon.accounts.access import AuthedRequest, Need
from jalon.contracts.models import Contract
from jalon.conventions.errors import InputError
from jalon.conventions.measures import check_measures, load_measures
from jalon.conventions.period import Period, PeriodError
from jalon.scorecards import compute
from jalon.scorecards.documents import xlsx_bytes
from jalon.scorecards.models import ManualMeasure, MeasureFile, PeriodScorecard
from jalon.scorecards.pdf import scorecard_pdf
from jalon.scorecards.workflow import STEP, STEPS, MeasureStatus, Status, Verdict
from jalon.web.errors import BadAddress
from jalon.web.scorecards import page

MAX_FILE_BYTES = 10 * 1024 * 1024


def _contract(request: AuthedRequest, slug: str, need: Need = Need.VIEW_SCORECARD) -> Contract:
    return access.get_contract_for(request.user, slug, need=need)


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except (PeriodError, ValueError):
        raise BadAddress(_("Période « %(p)s » illisible : attendu un trimestre (2026-Q1), un mois "
                           "(2026-03) ou une année (2026).") % {"p": text[:40]}) from None


@login_required
def period_list(request: AuthedRequest, slug: str) -> HttpResponse:
    contract = _contract(request, slug)
    today = timezone.localdate()
    rows = page.period_rows(contract, today, timezone.now())
    return render(request, "web/scorecard_list.html", {"contract": contract, "rows": rows,
                                                        "years": page.other_periods(rows, today),
                                                        "may_audit": access.may(request.user, contract,
                                                                                Need.AUDIT_EXPORT)})


@login_required
def period_page(request: AuthedRequest, slug: str, period: str) -> HttpResponse:
    contract = _contract(request, slug)
    chosen = _period(period)
    try:
        shown = page.period_view(request.user, contract, chosen, timezone.now())
    except compute.NoConvention:
        raise Http404(_("Aucune convention de service n’est chargée pour ce marché.")) from None
    return render(request, "web/scorecard.html", {"contract": contract, "view": shown,
                                                   "verdicts": Verdict.choices,
                                                   "may_bill": access.may(request.user, contract, Need.VIEW_BILLING)})


@login_required
@require_POST
def period_action(request: AuthedRequest, slug: str, period: str, step: str) -> HttpResponseBase:
    contract = _contract(request, slug)
    chosen = _period(period)
    if step not in STEP:
        raise Http404
    access.require(request.user, contract, STEP[step].need)
    try:
        PeriodScorecard.act(request.user, contract, chosen, step,
                            indicator=request.POST.get("indicator", ""), verdict=request.POST.get("verdict", ""),
                            comment=request.POST.get("comment", ""))
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, page.DONE[step]())
    return redirect("scorecard", contract.slug, str(chosen))


@login_required
@require_POST
def measure_enter(request: AuthedRequest, slug: str, period: str) -> HttpResponseBase:
    contract = _contract(request, slug, Need.ENTER_MEASURE)
    chosen = _period(period)
    raw = request.POST.get("value", "").strip().replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        messages.error(request, _("Valeur : « %(raw)s » n’est pas un nombre.") % {"raw": raw})
        return redirect("scorecard", contract.slug, str(chosen))
    upload = request.FILES.get("file")
    if upload is not None and upload.size and upload.size > MAX_FILE_BYTES:
        messages.error(request, _("Le fichier dépasse 10 Mo."))
        return redirect("scorecard", contract.slug, str(chosen))
    try:
        with transaction.atomic():
            measure = ManualMeasure.enter(
                request.user, contract, indicator=request.POST.get("indicator", ""),
                period=request.POST.get("period", "") or str(chosen), value=value,
                source=request.POST.get("source", ""), item=request.POST.get("item", ""),
                comment=request.POST.get("comment", ""))
            if upload is not None:
                measure.attach(request.user, upload.name or "piece", upload.read())
    except ValidationError as error:
        for field, texts in error.message_dict.items():
            for text in texts:
                messages.error(request, f"{field} : {text}")
    else:
        messages.success(request, _("Mesure enregistrée."))
    return redirect("scorecard", contract.slug, str(chosen))


@login_required
@require_POST
def measure_import(request: AuthedRequest, slug: str, period: str) -> HttpResponseBase:
    """Today's ``--measures`` CSV, every row or none; the errors name the file and the row."""
    contract = _contract(request, slug, Need.ENTER_MEASURE)
    chosen = _period(period)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choisissez un fichier CSV de mesures."))
        return redirect("scorecard", contract.slug, str(chosen))
    name = Path(upload.name or "mesures.csv").name
    version = contract.current_convention()
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / (name if name.endswith((".csv", ".yaml", ".yml")) else name + ".csv")
            path.write_bytes(upload.read())
            rows = load_measures(path)
        errors = [e.replace(str(path), name) for e in check_measures(version.parsed(), rows)] if version else []
        if errors:
            raise InputError(errors)
        with transaction.atomic():
            for row in rows:
                ManualMeasure.enter(request.user, contract, indicator=row.indicator, period=str(row.period),
                                    value=row.value, item=row.item, comment=row.comment,
                                    source=_("Import %(file)s (%(where)s)") % {
                                        "file": name, "where": row.where.replace(str(path), name)})
    except InputError as error:
        for text in error.errors[:20]:
            messages.error(request, text.replace(str(path), name))
    except ValidationError as error:
        for field, texts in error.message_dict.items():
            messages.error(request, f"{field} : {' '.join(texts)}")
    except UnicodeDecodeError:
        messages.error(request, _("%(file)s : le fichier n’est pas en UTF-8.") % {"file": name})
    else:
        messages.success(request, _("%(count)d mesures importées.") % {"count": len(rows)})
    return redirect("scorecard", contract.slug, str(chosen))


@login_required
@require_POST
def measure_review(request: AuthedRequest, slug: str, period: str, pk: int) -> HttpResponseBase:
    contract = _contract(request, slug, Need.REVIEW_MEASURE)
    chosen = _period(period)
    measure = ManualMeasure.objects.filter(contract=contract, pk=pk).first()
    if measure is None:
        raise Http404
    try:
        measure.review(request.user, request.POST.get("verdict", ""), request.POST.get("comment", ""))
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, MeasureStatus(measure.status).label)
    return redirect("scorecard", contract.slug, str(chosen))


@login_required
def measure_file(request: AuthedRequest, slug: str, period: str, pk: int, file_id: int) -> HttpResponse:
    contract = _contract(request, slug)
    found = MeasureFile.objects.filter(pk=file_id, measure_id=pk, measure__contract=contract).first()
    if found is None:
        raise Http404
    response = HttpResponse(bytes(found.content), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{found.name}"'
    return response


@login_required
def period_document(request: AuthedRequest, slug: str, period: str, fmt: str) -> HttpResponse:
    contract = _contract(request, slug)
    chosen = _period(period)
    stem = f"bilan-{contract.slug}-{chosen}"
    if fmt == "pdf":
        data: Any = compute.document(contract, chosen, timezone.now())
        response = HttpResponse(scorecard_pdf(data), content_type="application/pdf")
    elif fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(contract, chosen), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


@login_required
def period_archive(request: AuthedRequest, slug: str, period: str, version: int) -> HttpResponse:
    contract = _contract(request, slug)
    found = PeriodScorecard.objects.filter(contract=contract, period=str(_period(period)), version=version,
                                           status=Status.VALIDATED).first()
    if found is None or not found.archive:
        raise Http404(_("Aucun tableau de bord validé pour cette période."))
    response = HttpResponse(bytes(found.archive), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="bilan-{contract.slug}-{found.period}-v{version}.zip"'
    response["Digest"] = f"sha-256={found.archive_sha256}"
    return response


__all__ = ["STEPS"]


# -- an export scored for an audit (issue 12) --------------------------------------------------

AUDIT_FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "pdf": "application/pdf", "json": "application/json"}


def _audit_key(token: str) -> str:
    return f"scorecard-audit:{token}"


def _last_quarter(today: Any) -> str:
    from datetime import timedelta

    return str(Period.quarter_of(Period.quarter_of(today).first_day - timedelta(days=1)))


@login_required
def audit_export(request: AuthedRequest, slug: str) -> HttpResponse:
    """Upload an export of the holder's tool, choose its import profile and a period: the
    contract's convention scores it with the file command's engine. Nothing is stored on the
    contract (D-145); the result stays downloadable for ``JALON_AUDIT_RESULT_SECONDS``."""
    import secrets

    from django.conf import settings
    from django.core.cache import cache

    from jalon.conventions import report
    from jalon.scorecards import audit

    contract = _contract(request, slug, Need.AUDIT_EXPORT)
    choices = audit.profiles(contract)
    form: dict[str, Any] = {"profile": choices[0] if choices else "",
                            "period": _last_quarter(timezone.localdate()), "skip": False}
    context: dict[str, Any] = {"contract": contract, "profiles": choices, "form": form,
                               "max_mb": settings.JALON_AUDIT_UPLOAD_MAX_MB}
    if request.method != "POST":
        return render(request, "web/scorecard_audit.html", context)
    form.update(profile=request.POST.get("profile", ""), period=request.POST.get("period", ""),
                skip=request.POST.get("skip") == "1")
    upload = request.FILES.get("file")
    refused = (_("Choisissez le fichier d’export à évaluer.") if upload is None
               else audit.upload_error(upload.name or "", upload.size))
    if refused:
        context["errors"] = [refused]
        return render(request, "web/scorecard_audit.html", context, status=400)
    assert upload is not None
    name = Path(upload.name or "export.csv").name
    result = audit.score_export(contract, name, upload.chunks(), form["profile"], form["period"],
                                skip_bad_rows=form["skip"])
    if result.card is None:
        context["errors"] = result.errors
        return render(request, "web/scorecard_audit.html", context, status=400)
    data = result.data
    data["status"] = "audit"
    with tempfile.TemporaryDirectory() as folder:
        workbook = Path(folder) / "audit.xlsx"
        report.write_xlsx(result.card, workbook)
        xlsx = workbook.read_bytes()
    token = secrets.token_urlsafe(16)
    cache.set(_audit_key(token), {"user": request.user.pk, "contract": contract.pk, "data": data, "xlsx": xlsx,
                                  "name": name}, timeout=int(settings.JALON_AUDIT_RESULT_SECONDS))
    evidence = [["" if v is None else str(v) for v in row] for row in report.evidence_rows(result.card)]
    context.update(
        result=data, token=token, file_name=name, warnings=result.warnings[:50],
        warnings_total=len(result.warnings), rows_read=result.rows_read,
        families=[(family, _indicator_rows(family["indicators"])) for family in data["families"]],
        evidence_head=page.evidence_headings(list(report.EVIDENCE_COLUMNS)),
        evidence=evidence[:page.EVIDENCE_SHOWN], evidence_total=len(evidence))
    return render(request, "web/scorecard_audit.html", context)


def _indicator_rows(indicators: list[dict[str, Any]], depth: int = 0) -> list[tuple[dict[str, Any], int]]:
    rows: list[tuple[dict[str, Any], int]] = []
    for indicator in indicators:
        rows.append((indicator, depth))
        rows += _indicator_rows(indicator.get("parts", []), depth + 1)
    return rows


@login_required
def audit_download(request: AuthedRequest, slug: str, token: str, fmt: str) -> HttpResponse:
    """An audit's result as XLSX, PDF or JSON: to the person who computed it, while it is kept."""
    import json

    from django.core.cache import cache

    contract = _contract(request, slug, Need.AUDIT_EXPORT)
    kept = cache.get(_audit_key(token)) if fmt in AUDIT_FORMATS else None
    if not kept or kept["user"] != request.user.pk or kept["contract"] != contract.pk:
        raise Http404(_("Ce résultat d’audit n’est plus disponible : déposez le fichier à nouveau."))
    data = kept["data"]
    if fmt == "xlsx":
        body = kept["xlsx"]
    elif fmt == "pdf":
        body = scorecard_pdf(data)
    else:
        body = json.dumps(data, ensure_ascii=False, indent=2).encode()
    response = HttpResponse(body, content_type=AUDIT_FORMATS[fmt])
    stem = f"audit-{contract.slug}-{data['period']}"
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response

"""Structured reports' pages. The holder enters a report as data on a form of its kind (or
through ``POST /api/v1/contracts/{slug}/reports``) and revises it (a new revision); reports are
read, downloaded as PDF or DOCX, remitted as a deliverable's version, and the buyer manager
replaces a kind's Word template — or the minutes' (any use registered with
:func:`jalon.documents.render.register_docx`) — checked by a dry render, the error shown on the form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from jalon.accounts import access
from jalon.accounts.access import AuthedRequest, Need
from jalon.deliverables.models import Deliverable
from jalon.documents.kinds import KINDS
from jalon.documents.models import ReportTemplate, StructuredReport
from jalon.documents.render import TemplateProblem, docx_uses, template_kinds
from jalon.web.documents.forms import ReportForm, form_for


class TemplateForm(forms.Form):
    kind = forms.ChoiceField(label=_lazy("Nature du document"), choices=template_kinds)
    file = forms.FileField(label=_lazy("Modèle Word (.docx)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        uses = [(_("Rapports"), "title, reference, contract, revision, author, updated_at, "
                                "sections (title, lines, header, rows), data")]
        uses += [(use.label, use.variables) for use in docx_uses().values()]
        self.fields["file"].help_text = " ".join(_("%(label)s — variables : %(names)s.")
                                                 % {"label": label, "names": names} for label, names in uses)


def _report(request: AuthedRequest, slug: str, pk: int) -> StructuredReport:
    found = StructuredReport.objects.get_for(request.user, pk)
    if found.contract.slug != slug:
        raise Http404(_("Rapport introuvable."))
    return found


@login_required
def reports(request: AuthedRequest, slug: str, form: TemplateForm | None = None) -> HttpResponse:
    contract = access.get_contract_for(request.user, slug, need=Need.VIEW_DELIVERABLES)
    may_templates = access.may(request.user, contract, Need.MANAGE_CONVENTION)
    may_write = access.may(request.user, contract, Need.WRITE_REPORT)
    return render(request, "web/report_list.html", {
        "contract": contract,
        "reports": StructuredReport.objects.visible_to(request.user, contract).select_related("contract"),
        "templates": ReportTemplate.objects.filter(contract=contract).select_related("uploaded_by"),
        "form": form or (TemplateForm() if may_templates else None),
        "kinds": list(KINDS.values()) if may_write else [],
    }, status=400 if form is not None else 200)


@login_required
@require_POST
def upload_template(request: AuthedRequest, slug: str) -> HttpResponse:
    contract = access.get_contract_for(request.user, slug, need=Need.MANAGE_CONVENTION)
    form = TemplateForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            ReportTemplate.install(contract, request.user, form.cleaned_data["kind"], upload.name or "",
                                   upload.read())
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("Modèle enregistré : il a produit un document d’essai sans erreur."))
            return redirect("reports", slug)
    return reports(request, slug, form=form)


@login_required
def report_new(request: AuthedRequest, slug: str, kind: str) -> HttpResponse:
    """A report of ``kind`` entered field by field; the problems are shown under their fields."""
    contract = access.get_contract_for(request.user, slug, need=Need.VIEW_DELIVERABLES)
    access.require(request.user, contract, Need.WRITE_REPORT)
    if kind not in KINDS:
        raise Http404(_("Nature de rapport inconnue."))
    form = form_for(kind, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = StructuredReport.write(contract, request.user, kind=kind, title=form.cleaned_data["title"],
                                             data=form.report_data())
        except ValidationError as error:
            form.show(error)
        else:
            messages.success(request, _("Rapport %(ref)s enregistré.") % {"ref": created.reference})
            return redirect("report", slug, created.pk)
    return _form_page(request, contract, form, _("Saisir : %(kind)s") % {"kind": KINDS[kind].label}, None)


@login_required
def report_edit(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    """New data for a report (an audit report after its recommendations were followed up): a
    new revision, the previous ones kept."""
    found = _report(request, slug, pk)
    access.require(request.user, found.contract, Need.WRITE_REPORT)
    form = form_for(found.kind, request.POST or None, initial={"title": found.title}, initial_data=found.data,
                    revision=True)
    if request.method == "POST" and form.is_valid():
        try:
            found.update(request.user, data=form.report_data(), note=form.cleaned_data["note"],
                         title=form.cleaned_data["title"])
        except ValidationError as error:
            form.show(error)
        else:
            messages.success(request, _("Révision %(n)s de %(ref)s enregistrée.")
                             % {"n": found.revision, "ref": found.reference})
            return redirect("report", slug, found.pk)
    return _form_page(request, found.contract, form,
                      _("Réviser %(ref)s (révision %(n)s)") % {"ref": found.reference, "n": found.revision + 1}, found)


def _form_page(request: AuthedRequest, contract: Any, form: ReportForm, heading: str,
               found: StructuredReport | None) -> HttpResponse:
    return render(request, "web/report_form.html", {"contract": contract, "form": form, "heading": heading,
                                                    "report": found},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
def report(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    found = _report(request, slug, pk)
    return render(request, "web/report_detail.html", {
        "report": found, "contract": found.contract, "sections": found.rendering().sections,
        "revisions": found.revisions.select_related("author"),
        "may_write": access.may(request.user, found.contract, Need.WRITE_REPORT),
    })


@login_required
def report_pdf(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    found = _report(request, slug, pk)
    response = HttpResponse(found.pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{found.file_name("pdf")}"'
    return response


@login_required
def report_docx(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    found = _report(request, slug, pk)
    try:
        content = found.docx()
    except TemplateProblem as problem:  # a template stored before a change of the data
        messages.error(request, str(problem))
        return redirect("report", slug, pk)
    response = HttpResponse(content, content_type=(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    response["Content-Disposition"] = f'attachment; filename="{found.file_name("docx")}"'
    return response


@login_required
@require_POST
def submit_to_deliverable(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    deliverable = Deliverable.objects.get_for(request.user, pk, need=Need.SUBMIT_DELIVERABLE)
    if deliverable.contract.slug != slug:
        raise Http404(_("Livrable introuvable."))
    raw = request.POST.get("report", "")
    found = _report(request, slug, int(raw)) if raw.isdigit() else None
    if found is None:
        messages.error(request, _("Choisissez un rapport."))
        return redirect("deliverable", slug, pk)
    try:
        deliverable.submit_report(request.user, found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Rapport %(ref)s remis comme nouvelle version.") % {"ref": found.reference})
    return redirect("deliverable", slug, pk)

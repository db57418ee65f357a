"""A structured report rendered: the sections a reader sees (:func:`sections`), then PDF and DOCX.

- **PDF** — HTML laid out by WeasyPrint as PDF/A-3a: a tagged PDF (its structure tree gives
  headings, paragraphs and tables to screen readers), with the document's language (``fr``) and
  title, and an archival PDF/A file (fonts embedded, XMP metadata).
- **DOCX** — docxtpl fills a Word template: the platform's default one (built here with
  python-docx), or the contract's own (:class:`~jalon.documents.models.ReportTemplate`). The
  template's Jinja runs in :class:`jinja2.sandbox.SandboxedEnvironment` with strict undefined
  names, so an uploaded template can neither reach Python internals nor silently print
  nothing; each upload is checked by a dry render (:func:`check_docx_template`).

The same mechanism serves the other documents an app renders to DOCX (the governance app's
minutes): the app registers a :class:`DocxUse` — its name, label, the variables it gives and a
sample context that gives every one of them — and fills its template with :func:`fill_docx`;
a contract then replaces that template as it replaces a report kind's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from django.utils.translation import gettext as _
from docx import Document
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from jalon.documents.kinds import AUDIT_DOMAINS, FOLLOW_UPS, KINDS

LAYOUTS = Path(__file__).parent / "layouts"
HTML_TEMPLATE = LAYOUTS / "report.html.j2"
"""A Jinja template (run in the sandbox), not a Django one: it is no page of the site."""
STYLESHEET = LAYOUTS / "report.css"
"""The printed look every PDF of the platform shares (page, fonts, tables, signatures)."""
PDF_VARIANT = "pdf/a-3a"
"""PDF/A-3 level A: tagged (accessible) and archival."""


class TemplateProblem(ValueError):
    """An uploaded DOCX template that cannot render its document, in plain words."""


@dataclass(frozen=True)
class DocxUse:
    """A document other than a structured report whose DOCX template a contract may replace."""

    id: str
    label: Any
    """Shown on the template form (a lazy translation)."""
    variables: str
    """The names the template receives, for the form's help."""
    sample: Callable[[], dict[str, Any]]
    """A context that gives every variable a real one gives, lists with rows: the dry render's."""


_USES: dict[str, DocxUse] = {}


def register_docx(use: DocxUse) -> None:
    """Called from an app's ``ready()``: ``use.id`` becomes a kind of template a contract may replace."""
    if use.id in KINDS:
        raise ValueError(f"{use.id} is already a kind of report")
    _USES[use.id] = use


def docx_uses() -> dict[str, DocxUse]:
    return dict(_USES)


def template_kinds() -> list[tuple[str, str]]:
    """Every kind of DOCX template a contract may replace: the report kinds, then the other uses."""
    return [(k.id, str(k.label)) for k in KINDS.values()] + [(u.id, str(u.label)) for u in _USES.values()]


@dataclass(frozen=True)
class Section:
    title: str
    lines: tuple[str, ...] = ()
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Rendering:
    """What a template receives: the report's facts, its sections, and its raw data."""

    title: str
    kind: str
    kind_label: str
    contract: str
    reference: str
    revision: int
    author: str
    updated_at: datetime
    data: dict[str, Any]
    sections: tuple[Section, ...] = field(default=())

    def context(self) -> dict[str, Any]:
        return {"title": self.title, "kind": self.kind, "kind_label": self.kind_label,
                "contract": self.contract, "reference": self.reference, "revision": self.revision,
                "author": self.author, "updated_at": self.updated_at.strftime("%d/%m/%Y %H:%M"),
                "data": self.data,
                "labels": {"kind": _("Nature"), "reference": _("Référence"), "contract": _("Marché"),
                           "revision": _("Révision")},
                "sections": [{"title": s.title, "lines": list(s.lines), "header": list(s.header),
                              "rows": [list(r) for r in s.rows]} for s in self.sections]}


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line for line in (text or "").splitlines() if line.strip()) or ("—",)


def sections(kind: str, data: dict[str, Any]) -> tuple[Section, ...]:
    """The report's sections in reading order, per kind."""
    if kind == "one_off_intervention":
        return (Section(_("Demande initiale"), _lines(data["request"])),
                Section(_("Opérations réalisées"), _lines(data["operations"])),
                Section(_("Résultats obtenus"), _lines(data["results"])),
                Section(_("Préconisations"), _lines(data.get("recommendations", ""))))
    if kind == "delivery_note":
        return (Section(_("Version livrée"), _lines(data["version"])),
                Section(_("Contenu de la livraison"), _lines(data["content"])),
                Section(_("Procédure d’installation"), _lines(data["installation"])),
                Section(_("Limites connues"), _lines(data.get("known_limits", ""))))
    if kind == "test_report":
        results = {"ok": _("Conforme"), "ko": _("Non conforme"), "non_joue": _("Non joué")}
        verdicts = {"conforme": _("Conforme"), "conforme_avec_reserves": _("Conforme avec réserves"),
                    "non_conforme": _("Non conforme")}
        return (Section(_("Campagne de tests"), _lines(data["campaign"])),
                Section(_("Tests"), header=(_("Test"), _("Résultat"), _("Détail")),
                        rows=tuple((t["name"], str(results[t["result"]]), t.get("detail") or "—")
                                   for t in data["tests"])),
                Section(_("Verdict"), (str(verdicts.get(data["verdict"], data["verdict"])),)),
                Section(_("Commentaires"), _lines(data.get("comments", ""))))
    domains = dict((d, str(label)) for d, label in AUDIT_DOMAINS)
    follow = {"action": _("Action"), "ticket": _("Ticket"), "order": _("Bon de commande")}
    assert set(follow) == set(FOLLOW_UPS)
    return (
        Section(_("Synthèse"), _lines(data["summary"])),
        Section(_("Résultats par domaine"), header=(_("Domaine"), _("Résultat")),
                rows=tuple((domains[d], data["domains"][d]) for d, _label in AUDIT_DOMAINS)),
        Section(_("Constats et non-conformités"), header=(_("Criticité"), _("Domaine"), _("Constat")),
                rows=tuple((f["severity"], domains[f["domain"]], f["text"]) for f in data["findings"])),
        Section(_("Actions correctives réalisées"),
                tuple(a["text"] for a in data["corrective_actions"]) or ("—",)),
        Section(_("Recommandations et suivi"), header=(_("Recommandation"), _("Suivi"), _("Référence"), _("État")),
                rows=tuple((r["text"], str(follow[r["follow_up"]]), r.get("reference") or "—",
                            _("Réalisée") if r["done"] else _("En cours")) for r in data["recommendations"])),
        Section(_("Annexes techniques"), _lines(data.get("annexes", ""))),
    )


def environment() -> SandboxedEnvironment:
    """The one Jinja environment of report templates: sandboxed, strict, escaping."""
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


def pdf(rendering: Rendering, *, compress: bool = True) -> bytes:
    """``compress=False`` leaves the file's objects readable (tests look for its tags)."""
    return template_pdf(HTML_TEMPLATE, rendering.context(), compress=compress)


def template_pdf(template: Path, context: dict[str, Any], *, compress: bool = True) -> bytes:
    """The platform's one PDF renderer: ``template`` (Jinja, sandboxed, escaping) filled with
    ``context``, laid out by WeasyPrint with :data:`STYLESHEET` as tagged PDF/A-3a. The
    template's ``<html lang>`` and ``<title>`` become the document's language and title."""
    from weasyprint import CSS, HTML

    html = environment().from_string(template.read_text(encoding="utf-8")).render(**context)
    document = HTML(string=html, base_url=str(LAYOUTS))
    return bytes(document.write_pdf(pdf_variant=PDF_VARIANT, uncompressed_pdf=not compress,
                                    stylesheets=[CSS(filename=str(STYLESHEET))]))


@cache
def default_docx_template() -> bytes:
    """The platform's Word template, the same for every kind (sections in order)."""
    document = Document()
    document.core_properties.language = "fr-FR"
    document.add_heading("{{ title }}", level=0)
    document.add_paragraph("{{ kind_label }} — {{ reference }} — {{ contract }}")
    document.add_paragraph("Révision {{ revision }}, {{ author }}, {{ updated_at }}")
    document.add_paragraph("{%p for s in sections %}")
    document.add_heading("{{ s.title }}", level=1)
    document.add_paragraph("{%p for line in s.lines %}")
    document.add_paragraph("{{ line }}")
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("{%p for row in s.rows %}")
    document.add_paragraph("{{ row|join(' — ') }}", style="List Bullet")
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("{%p endfor %}")
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def docx(rendering: Rendering, template: bytes | None = None) -> bytes:
    """The report as DOCX from ``template`` (the default one when None);
    :class:`TemplateProblem` when the template cannot render it."""
    return fill_docx(template or default_docx_template(), rendering.context(), title=rendering.title)


def fill_docx(template: bytes, context: dict[str, Any], *, title: str) -> bytes:
    """``template`` filled with ``context`` by docxtpl in the sandboxed, strict environment, the
    document titled ``title`` in French; :class:`TemplateProblem` when the template cannot."""
    try:
        document = DocxTemplate(BytesIO(template))
        document.render(context, jinja_env=environment(), autoescape=True)
        document.core_properties.title = title
        document.core_properties.language = "fr-FR"
        out = BytesIO()
        document.save(out)
    except (BadZipFile, KeyError) as error:
        raise TemplateProblem(_("Ce fichier n’est pas un document Word (.docx) lisible : %(e)s")
                              % {"e": error}) from error
    except TemplateError as error:
        line = getattr(error, "lineno", None)
        where = _(" (ligne %(n)s du modèle)") % {"n": line} if line else ""
        raise TemplateProblem(_("Le modèle ne peut pas produire le document%(where)s : %(e)s")
                              % {"where": where, "e": error.message or error}) from error
    return out.getvalue()


SAMPLES: dict[str, dict[str, Any]] = {
    "one_off_intervention": {"request": "Ajout de stations", "operations": "Paramétrage",
                             "results": "Stations actives", "recommendations": "—"},
    "delivery_note": {"version": "2.3.0", "content": "Correctifs", "installation": "Procédure",
                      "known_limits": ""},
    "test_report": {"campaign": "Non-régression", "tests": [{"name": "Import", "result": "ok", "detail": ""}],
                    "verdict": "conforme", "comments": ""},
    "audit": {"summary": "Synthèse", "domains": {d: "Conforme" for d, _label in AUDIT_DOMAINS},
              "findings": [{"domain": "purges", "severity": "Majeur", "text": "Purge inactive"}],
              "corrective_actions": [{"text": "Index reconstruit"}],
              "recommendations": [{"text": "Planifier la purge", "follow_up": "ticket", "reference": "AQR-1",
                                   "done": False}], "annexes": ""},
}


def sample(kind: str) -> Rendering:
    data = SAMPLES[kind]
    return Rendering(title=_("Essai du modèle"), kind=kind, kind_label=KINDS[kind].label, contract="—",
                     reference="—", revision=1, author="—", updated_at=datetime(2026, 1, 1), data=data,
                     sections=sections(kind, data))


def check_docx_template(template: bytes, kind: str) -> None:
    """A dry render of ``template`` with sample data of ``kind`` (a report kind, or a registered
    :class:`DocxUse`'s sample): :class:`TemplateProblem` with a clear message if it cannot render
    (not a .docx, a Jinja error, a name it does not know, something the sandbox refuses)."""
    if kind in _USES:
        fill_docx(template, _USES[kind].sample(), title=str(_("Essai du modèle")))
    else:
        docx(sample(kind), template)

"""The COPIL PDF prints every figure: large numbers too."""

from __future__ import annotations

from io import BytesIO

from django.utils import translation
from pypdf import PdfReader

from jalon.scorecards.pdf import number, scorecard_pdf


def test_thousands_are_apart_by_a_space_the_pdf_fonts_print() -> None:
    assert number(93753, 0) == "93\u00a0753"
    assert number(1234.5) == "1\u00a0234,5"
    assert number(None) == "—"


def test_the_pdf_shows_large_figures_as_written() -> None:
    data = {
        "period": "2026-Q3", "status": "validated",
        "contract": {"title": "TMA AQUAREEL", "id": "aquareel-tma", "buyer": "SCHAPI", "holder": "Titulaire"},
        "convention": {"file": "aquareel-tma.yaml", "version": "2026.1", "sha256": "0" * 64},
        "tickets": {"count": 93753}, "global_note": None, "total_penalty_points": 1250.0, "money": None,
        "bonus_malus": None, "probation": False,
        "families": [{"label": "Support", "weight": None, "note": None, "penalty_points": 1250.0, "indicators": [
            {"id": "A1", "label": "Interventions urgentes démarrées en 1 jour ouvré", "value": 87.88, "unit": "%",
             "target": ">= 100", "met": False, "note": None, "penalty_points": 1250.0, "evidence_count": 15748}]}],
    }
    with translation.override("fr"):
        text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(scorecard_pdf(data))).pages)
    assert "?" not in text
    for figure in ("93\u00a0753", "15\u00a0748", "1\u00a0250", "87,88"):
        assert figure in text or figure.replace("\u00a0", " ") in text, figure

from __future__ import annotations

from django.urls import path, register_converter

from jalon.web.forfait import views


class StatementFormat:
    regex = "pdf|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class Month:
    regex = r"\d{4}-\d{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(StatementFormat, "statementfmt")
register_converter(Month, "month")

app_name = "forfait"
urlpatterns = [
    path("marches/<slug:slug>/forfait/", views.ledger_page, name="ledger"),
    path("marches/<slug:slug>/forfait/decompte.<fmt:fmt>", views.ledger_export, name="ledger-export"),
    path("marches/<slug:slug>/forfait/releves/<month:month>.<statementfmt:fmt>", views.statement_file,
         name="statement"),
    path("marches/<slug:slug>/forfait/releves/<month:month>/prise-en-compte/", views.acknowledge,
         name="acknowledge"),
    path("marches/<slug:slug>/forfait/saisies/<int:entry>/corriger/", views.correct, name="correct"),
]

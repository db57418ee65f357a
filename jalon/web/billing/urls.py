from __future__ import annotations

from django.urls import path, register_converter

from jalon.web.billing import views


class BillingFormat:
    regex = "xlsx|facturx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(BillingFormat, "billingfmt")

app_name = "billing"
urlpatterns = [
    path("marches/<slug:slug>/facturation/", views.billing_page, name="page"),
    path("marches/<slug:slug>/facturation/<str:period>.<billingfmt:fmt>", views.billing_file, name="file"),
]

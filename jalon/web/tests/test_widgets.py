"""The widgets written out in Python (jalon.web.widgets) give Django's own markup, character for
character: on a form with every kind of widget and awkward values, and on every field of the
platform's pages (list filters, creation form, each role's action forms) as they are served."""

from __future__ import annotations

from datetime import date
from typing import Any
from unittest import mock

from django import forms

from jalon.web import widgets
from jalon.web.tests.helpers import WebTestCase, at, paris

AWKWARD = 'L’"objet" <b>&amp; co</b>'


class EveryWidget(forms.Form):
    text = forms.CharField(max_length=20, help_text="aide")
    optional = forms.CharField(required=False, disabled=True)
    number = forms.IntegerField(min_value=0)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    when = forms.DateTimeField(required=False)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    flag = forms.BooleanField(required=False)
    choice = forms.ChoiceField(choices=[("", "—"), ("a", AWKWARD), ("b", "Bé")])
    grouped = forms.ChoiceField(choices=[("Groupe <1>", [("x", "X"), ("y", "Y")]), ("z", "Z")])
    several = forms.MultipleChoiceField(choices=[("1", "un"), ("2", "deux")], required=False)
    numbered = forms.TypedChoiceField(choices=[(1, "un"), (2, "deux")], coerce=int)


def both(field: Any, attrs: dict[str, Any] | None = None) -> tuple[str, str]:
    return str(widgets.render(field, attrs)), str(field.as_widget(attrs=attrs))


class WidgetMarkupTest(WebTestCase):
    def test_unbound_bound_valid_and_invalid(self) -> None:
        data = {"text": AWKWARD, "number": "x", "day": "2026-05-07", "when": "2026-05-07 10:00",
                "secret": AWKWARD, "hidden": AWKWARD, "note": AWKWARD, "flag": "on", "choice": "a",
                "grouped": "y", "several": ["1", "2"], "numbered": "2"}
        for form in (EveryWidget(), EveryWidget(initial={"day": date(2026, 5, 7), "flag": True}),
                     EveryWidget(data), EveryWidget({"choice": "nope"})):
            form.is_valid() if form.is_bound else None
            for field in form:
                for attrs in (None, {"class": "fr-input", "aria-describedby": "m", "aria-invalid": "true",
                                     "data-on": True, "data-off": False}):
                    ours, django = both(field, attrs)
                    assert ours == django, field.name

    def test_other_widgets_go_through_their_template(self) -> None:
        class Radios(forms.Form):
            pick = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)

        field = Radios()["pick"]
        ours, django = both(field)
        assert ours == django
        assert 'type="radio"' in ours

    def test_every_field_of_the_pages_as_served(self) -> None:
        """Each call renders both ways and compares, on real pages of every role."""
        compared: list[str] = []
        original = widgets.render

        def checked(field: Any, attrs: dict[str, Any] | None = None) -> Any:
            ours = original(field, attrs)
            assert str(ours) == str(field.as_widget(attrs=attrs)), field.name
            compared.append(field.name)
            return ours

        ticket = self.worked(paris(2026, 5, 7, 9, 0))
        pages = ["/marches/aquareel/tickets/", "/marches/aquareel/tickets/?state=nope&priority=x&"
                 "opened_from=2026-13-01&at_risk=1&q=%3Cb%3E", "/tickets/", f"/tickets/{ticket.pk}/",
                 "/marches/aquareel/tickets/nouveau/"]
        with mock.patch.object(widgets, "render", checked), at(paris(2026, 5, 7, 11, 0)):
            for user in (self.level1, self.technician, self.requester, self.buyer_manager):
                self.login(user)
                for path in pages:
                    assert self.client.get(path).status_code in (200, 404), path
        assert len(set(compared)) > 20

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jalon.accounts import throttle


def locked_message() -> str:
    minutes = int(throttle.lock_period().total_seconds() // 60)
    return _("Trop de tentatives de connexion échouées pour cet identifiant. Réessayez dans "
             "%(minutes)d minutes.") % {"minutes": minutes}


class ThrottledAuthenticationForm(AuthenticationForm):
    """Password login; locks a username on one IP address after repeated failures."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        ip, now = throttle.client_ip(self.request), timezone.now()
        if throttle.locked_until(username, ip, now):
            raise ValidationError(locked_message(), code="locked")
        try:
            cleaned = super().clean()
        except ValidationError:
            throttle.record_failure(username, ip, now)
            raise
        throttle.clear(username, ip)
        return cleaned


class CodeForm(forms.Form):
    code = forms.CharField(label=_lazy("Code à 6 chiffres"), max_length=10,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                         "inputmode": "numeric"}))

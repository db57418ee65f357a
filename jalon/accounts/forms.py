from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _lazy

from jalon.accounts import lockout


class ThrottledAuthenticationForm(AuthenticationForm):
    """Password login under the lock of :mod:`jalon.accounts.lockout` (django-axes)."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        request = self.request
        if request is None:
            raise ValidationError(lockout.busy_message(), code="no_request")
        if lockout.platform_busy():
            raise ValidationError(lockout.busy_message(), code="busy")

        def check() -> dict[str, Any]:
            if lockout.is_locked(request, username):
                raise ValidationError(lockout.locked_message(), code="locked")
            return super(ThrottledAuthenticationForm, self).clean()

        return lockout.one_at_a_time(username, check)


class CodeForm(forms.Form):
    code = forms.CharField(label=_lazy("Code à 6 chiffres"), max_length=10,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                         "inputmode": "numeric"}))

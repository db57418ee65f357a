from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import urllib.parse
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import jwt
import pyotp
import pytest
import time_machine
from axes.models import AccessAttempt
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.urls import reverse

from jalon.accounts import oidc
from jalon.accounts.models import profile_of
from jalon.testing.cast import JalonTestCase

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class PasswordThrottleTest(JalonTestCase):
    def attempt(self, password: str, username: str = "luc.spcgd") -> Any:
        return self.client.post(reverse("login"), {"username": username, "password": password})

    def test_good_password_logs_in(self) -> None:
        response = self.attempt(self.password)
        self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)
        assert int(self.client.session["_auth_user_id"]) == self.level1.pk

    def test_five_failures_lock_the_username_for_fifteen_minutes(self) -> None:
        with time_machine.travel(NOW, tick=False):
            for _ in range(5):
                self.attempt("faux")
            response = self.attempt(self.password)
            self.assertContains(response, "Trop de tentatives")
            self.assertContains(response, "15 minutes")
            assert "_auth_user_id" not in self.client.session
        with time_machine.travel(NOW + timedelta(minutes=16), tick=False):
            response = self.attempt(self.password)
        assert response.status_code == 302
        assert not AccessAttempt.objects.filter(failures_since_start__gt=0).exists()

    def test_the_lock_is_per_username(self) -> None:
        with time_machine.travel(NOW, tick=False):
            for _ in range(5):
                self.attempt("faux")
            response = self.attempt(self.password, username="tina.titulaire")
        assert response.status_code == 302

    def test_four_failures_do_not_lock(self) -> None:
        with time_machine.travel(NOW, tick=False):
            for _ in range(4):
                self.attempt("faux")
            assert self.attempt(self.password).status_code == 302


class ProxyAwareLockTest(JalonTestCase):
    """Behind the trusted reverse proxy, each client keeps its own counter: one client cannot
    lock everyone; a forged X-Forwarded-For from outside counts for nothing."""

    def attempt(self, password: str, forwarded: str, remote: str = "10.0.0.2") -> Any:
        return self.client.post(reverse("login"), {"username": "luc.spcgd", "password": password},
                                REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    @override_settings(JALON_TRUSTED_PROXIES=["10.0.0.0/24"])
    def test_one_client_behind_the_proxy_cannot_lock_everyone(self) -> None:
        with time_machine.travel(NOW, tick=False):
            for _ in range(6):
                self.attempt("faux", "203.0.113.5")
            self.assertContains(self.attempt(self.password, "203.0.113.5"), "Trop de tentatives")
            response = self.attempt(self.password, "198.51.100.7")
        assert response.status_code == 302

    @override_settings(JALON_TRUSTED_PROXIES=[])
    def test_a_forged_header_from_an_untrusted_address_is_ignored(self) -> None:
        with time_machine.travel(NOW, tick=False):
            for i in range(5):
                self.attempt("faux", f"198.51.100.{i}", remote="192.0.2.9")
            response = self.attempt(self.password, "198.51.100.200", remote="192.0.2.9")
            self.assertContains(response, "Trop de tentatives")

    @override_settings(JALON_LOGIN_GLOBAL_FAILURES_PER_MINUTE=3)
    def test_a_global_rate_caps_failures_over_every_account(self) -> None:
        with time_machine.travel(NOW, tick=False):
            for name in ("a", "b", "c"):
                self.client.post(reverse("login"), {"username": name, "password": "x"})
            response = self.client.post(reverse("login"), {"username": "luc.spcgd",
                                                           "password": self.password})
            self.assertContains(response, "sur la plateforme")
        with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
            response = self.client.post(reverse("login"), {"username": "luc.spcgd",
                                                           "password": self.password})
        assert response.status_code == 302


class TotpTest(JalonTestCase):
    def enable_totp(self) -> pyotp.TOTP:
        secret = pyotp.random_base32()
        profile_of(self.technician).enable_totp(secret, 0)
        return pyotp.TOTP(secret)

    def test_login_asks_for_the_code_after_the_password(self) -> None:
        totp = self.enable_totp()
        with time_machine.travel(NOW, tick=False):
            response = self.client.post(reverse("login"), {"username": "tina.titulaire",
                                                           "password": self.password})
            self.assertRedirects(response, reverse("accounts-login-code"),
                                 fetch_redirect_response=False)
            assert "_auth_user_id" not in self.client.session
            response = self.client.post(reverse("accounts-login-code"), {"code": "000000"})
            self.assertContains(response, "Code incorrect")
            response = self.client.post(reverse("accounts-login-code"), {"code": totp.now()})
            assert response.status_code == 302
            assert int(self.client.session["_auth_user_id"]) == self.technician.pk

    def test_a_code_cannot_be_replayed(self) -> None:
        totp = self.enable_totp()
        profile = profile_of(self.technician)
        with time_machine.travel(NOW, tick=False):
            code = totp.now()
            assert profile.verify_totp(code)
            assert not profile.verify_totp(code)

    def test_the_code_step_needs_a_password_first(self) -> None:
        response = self.client.post(reverse("accounts-login-code"), {"code": "123456"})
        self.assertRedirects(response, reverse("login"), fetch_redirect_response=False)

    def test_holder_staff_enrol(self) -> None:
        self.client.force_login(self.technician)
        with time_machine.travel(NOW, tick=False):
            self.client.get(reverse("accounts-totp-setup"))
            secret = self.client.session["jalon_totp_setup"]
            response = self.client.post(reverse("accounts-totp-setup"),
                                        {"action": "enable", "code": pyotp.TOTP(secret).now()})
        assert response.status_code == 302
        assert profile_of(self.technician).totp_secret == secret

    def test_enrolment_with_a_wrong_code_changes_nothing(self) -> None:
        self.client.force_login(self.technician)
        self.client.get(reverse("accounts-totp-setup"))
        response = self.client.post(reverse("accounts-totp-setup"),
                                    {"action": "enable", "code": "000000"})
        self.assertContains(response, "Code incorrect")
        assert not profile_of(self.technician).totp_enabled

    def test_enrolment_is_for_holder_staff_only(self) -> None:
        self.client.force_login(self.level1)
        assert self.client.get(reverse("accounts-totp-setup")).status_code == 404


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class FakeProvider:
    """An OpenID provider answering :func:`oidc.http` calls, signing with its own RSA key."""

    issuer = "https://idp.example.fr"

    def __init__(self, email: str) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.email = email
        self.nonce = ""
        self.verifier = ""
        self.tamper = False
        self.challenge = ""

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}

    def id_token(self) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": "jalon", "sub": "x", "iat": now, "exp": now + 60,
                  "nonce": "autre" if self.tamper else self.nonce}
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "k1"})

    def userinfo(self) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": "jalon", "sub": "x", "iat": now, "exp": now + 60,
                  "email": self.email}
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "k1"})

    def __call__(self, url: str, form: dict[str, str] | None = None,
                 headers: dict[str, str] | None = None) -> tuple[str, bytes]:
        if url.endswith("/.well-known/openid-configuration"):
            doc = {"issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
                   "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
                   "userinfo_endpoint": f"{self.issuer}/userinfo"}
            return "application/json", json.dumps(doc).encode()
        if url.endswith("/jwks"):
            return "application/json", json.dumps(self.jwks()).encode()
        if url.endswith("/token"):
            assert form is not None
            digest = hashlib.sha256(form["code_verifier"].encode()).digest()
            assert _b64(digest) == self.challenge, "PKCE verifier does not match"
            body = {"id_token": self.id_token(), "access_token": "at"}
            return "application/json", json.dumps(body).encode()
        if url.endswith("/userinfo"):
            return "application/jwt", self.userinfo().encode()
        raise AssertionError(url)


@override_settings(JALON_OIDC_DISCOVERY_URL="https://idp.example.fr/.well-known/openid-configuration",
                   JALON_OIDC_CLIENT_ID="jalon", JALON_OIDC_CLIENT_SECRET="s3cret")
class OidcTest(JalonTestCase):
    def login_with(self, provider: FakeProvider) -> Any:
        oidc._discovery_cache.clear()
        with mock.patch.object(oidc, "http", provider):
            start = self.client.get(reverse("accounts-oidc-login"))
            query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(start["Location"]).query))
            assert query["code_challenge_method"] == "S256"
            provider.nonce, provider.challenge = query["nonce"], query["code_challenge"]
            return self.client.get(reverse("accounts-oidc-callback"),
                                   {"state": query["state"], "code": "abc"})

    def test_an_existing_user_logs_in_by_email(self) -> None:
        response = self.login_with(FakeProvider("LUC.SPCGD@example.fr"))
        assert response.status_code == 302
        assert int(self.client.session["_auth_user_id"]) == self.level1.pk

    def test_an_unknown_email_is_refused(self) -> None:
        response = self.login_with(FakeProvider("inconnu@example.fr"))
        self.assertRedirects(response, reverse("login"), fetch_redirect_response=False)
        assert "_auth_user_id" not in self.client.session

    def test_a_wrong_nonce_is_refused(self) -> None:
        provider = FakeProvider("luc.spcgd@example.fr")
        provider.tamper = True
        self.login_with(provider)
        assert "_auth_user_id" not in self.client.session

    def test_a_wrong_state_is_refused(self) -> None:
        oidc._discovery_cache.clear()
        provider = FakeProvider("luc.spcgd@example.fr")
        with mock.patch.object(oidc, "http", provider):
            self.client.get(reverse("accounts-oidc-login"))
            self.client.get(reverse("accounts-oidc-callback"), {"state": "forged", "code": "x"})
        assert "_auth_user_id" not in self.client.session

    def test_the_button_shows_only_when_configured(self) -> None:
        self.assertContains(self.client.get(reverse("login")), "Se connecter avec ProConnect")
        with override_settings(JALON_OIDC_CLIENT_ID=""):
            self.assertNotContains(self.client.get(reverse("login")), "ProConnect")
            assert self.client.get(reverse("accounts-oidc-login")).status_code == 404


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel logins need PostgreSQL")
class ParallelAttemptsTest(TransactionTestCase):
    def test_thirty_parallel_attempts_check_no_more_passwords_than_the_limit(self) -> None:
        from django.contrib.auth.base_user import AbstractBaseUser
        from django.test import Client

        from jalon.testing.cast import make_user

        make_user("cible")
        checked: list[str] = []
        guard = threading.Lock()
        real = AbstractBaseUser.check_password

        def counting(user: Any, raw: str) -> bool:
            with guard:
                checked.append(raw)
            return real(user, raw)

        barrier = threading.Barrier(30)

        def attempt(i: int) -> None:
            try:
                barrier.wait()
                Client().post(reverse("login"), {"username": "cible", "password": f"faux{i}"})
            finally:
                connection.close()

        with mock.patch.object(AbstractBaseUser, "check_password", counting):
            threads = [threading.Thread(target=attempt, args=(i,)) for i in range(30)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        assert 1 <= len(checked) <= 5, len(checked)

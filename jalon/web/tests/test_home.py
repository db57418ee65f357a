from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_home_page_is_french_and_uses_the_dsfr(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="fr"' in html
    assert "dsfr/dsfr.min.css" in html
    assert "Se connecter" in html


@pytest.mark.django_db
def test_demo_prints_an_admin_login_that_works(client, capsys):
    call_command("demo")
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if "admin /" in line)
    password = line.split("admin / ")[1].split()[0]
    assert client.login(username="admin", password=password)
    assert client.get("/admin/").status_code == 200

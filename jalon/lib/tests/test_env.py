from __future__ import annotations

import pytest

from jalon.lib.env import SettingError, env_bool, env_choices, env_database, env_int


def test_sqlite_urls_take_relative_and_absolute_paths(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/sub/jalon.sqlite3")
    config = env_database("DATABASE_URL", "sqlite:///unused.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == f"{tmp_path}/sub/jalon.sqlite3"
    assert (tmp_path / "sub").is_dir()


def test_postgres_urls_give_every_connection_field(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://jalon:s%40cret@db.example:5433/suivi")
    config = env_database("DATABASE_URL", "sqlite:///x")
    assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"], config["NAME"]) == (
        "jalon", "s@cret", "db.example", "5433", "suivi")


@pytest.mark.parametrize("url", ["mysql://x/y", "postgres://host:5432/", "sqlite:///"])
def test_unusable_database_urls_name_the_variable(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(SettingError, match="^DATABASE_URL="):
        env_database("DATABASE_URL", "sqlite:///x")


def test_booleans_and_numbers_fail_loudly(monkeypatch):
    monkeypatch.setenv("JALON_DEBUG", "peut-être")
    monkeypatch.setenv("JALON_PORT", "huit")
    with pytest.raises(SettingError, match="JALON_DEBUG='peut-être': expected true or false"):
        env_bool("JALON_DEBUG", False)
    with pytest.raises(SettingError, match="JALON_PORT='huit': expected a whole number"):
        env_int("JALON_PORT", 1)
    monkeypatch.setenv("JALON_DEBUG", "oui")
    assert env_bool("JALON_DEBUG", False) is True


def test_a_list_of_choices_names_what_it_does_not_know(monkeypatch):
    parties = ("holder", "requester", "buyer")
    assert env_choices("JALON_REPORT_SIGNATORIES", ["holder"], parties) == ["holder"]
    monkeypatch.setenv("JALON_REPORT_SIGNATORIES", "holder, buyer")
    assert env_choices("JALON_REPORT_SIGNATORIES", ["holder"], parties) == ["holder", "buyer"]
    monkeypatch.setenv("JALON_REPORT_SIGNATORIES", "holder,maire")
    with pytest.raises(SettingError, match="JALON_REPORT_SIGNATORIES='holder,maire': unknown maire "
                                           r"\(expected some of holder, requester, buyer\)"):
        env_choices("JALON_REPORT_SIGNATORIES", ["holder"], parties)

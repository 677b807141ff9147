"""Configuration: validated once, clear errors naming table and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobgate.config import load_settings
from jobgate.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "jobgate.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_example_config_is_valid() -> None:
    s = load_settings(Path(__file__).resolve().parents[2] / "examples" / "jobgate.toml")
    assert len(s.partners) >= 3
    assert {p.connector for p in s.partners} >= {"francetravail", "rss", "xml"}
    assert any("offers" in p.receives for p in s.partners)


def test_relative_urls_resolve_against_config_file(tmp_path: Path) -> None:
    cfg = write(tmp_path, '[[partners]]\nname = "a"\nconnector = "rss"\nurl = "feeds/a.xml"\n')
    s = load_settings(cfg)
    assert s.resolve_source(s.partners[0]) == str(tmp_path / "feeds" / "a.xml")


def test_file_and_http_urls(tmp_path: Path) -> None:
    cfg = write(
        tmp_path,
        '[[partners]]\nname = "a"\nconnector = "rss"\nurl = "file:///srv/a.xml"\n'
        '[[partners]]\nname = "b"\nconnector = "xml"\nurl = "https://b.example/feed.xml"\n',
    )
    s = load_settings(cfg)
    assert s.resolve_source(s.partners[0]) == "/srv/a.xml"
    assert s.resolve_source(s.partners[1]) == "https://b.example/feed.xml"


def test_errors_name_partner_and_field_all_at_once(tmp_path: Path) -> None:
    cfg = write(
        tmp_path,
        '[[partners]]\nname = "good"\nconnector = "rss"\nurl = "a.xml"\n'
        '[[partners]]\nname = "bad"\nconnector = "telex"\nurl = "ftp://x/y"\nreceives = ["everything"]\n',
    )
    with pytest.raises(ConfigError) as info:
        load_settings(cfg)
    msg = str(info.value)
    assert "[[partners]] #2 ('bad') connector" in msg
    assert "[[partners]] #2 ('bad') url" in msg and "ftp" in msg
    assert "receives" in msg


def test_duplicate_partner_names_rejected(tmp_path: Path) -> None:
    cfg = write(tmp_path, '[[partners]]\nname = "a"\nconnector = "rss"\nurl = "a"\n' * 2)
    with pytest.raises(ConfigError, match="used twice"):
        load_settings(cfg)


def test_missing_file_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path, "[[partners]\n"))


def test_secrets_come_from_environment_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = write(
        tmp_path,
        '[[partners]]\nname = "ft"\nconnector = "francetravail"\nurl = "https://api.example/x"\n'
        'auth = { client_id = "FT_CLIENT_ID", client_secret = "FT_CLIENT_SECRET" }\n',
    )
    monkeypatch.setenv("FT_CLIENT_SECRET", "s3cret")
    s = load_settings(cfg)
    assert s.partners[0].secret("client_secret") == "s3cret"
    assert "s3cret" not in cfg.read_text()
    bad = write(tmp_path, '[[partners]]\nname = "ft"\nconnector = "francetravail"\nurl = "x"\n'
                'auth = { client_secret = "plain-secret-value" }\n')
    with pytest.raises(ConfigError, match="environment variable"):
        load_settings(bad)


def test_database_url_from_env_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = write(tmp_path, '[database]\nurl = "sqlite:///db.sqlite3"\n')
    assert load_settings(cfg).database_url == f"sqlite:///{tmp_path / 'db.sqlite3'}"
    monkeypatch.setenv("JOBGATE_DATABASE_URL", "postgresql://u@h/db")
    assert load_settings(cfg).database_url == "postgresql://u@h/db"

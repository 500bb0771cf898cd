import subprocess
import sys

import pytest
from pydantic import ValidationError

from settings import MIN_SECRET_LENGTH, PROJECT_ROOT, Settings

GOOD_KEY = "k" * MIN_SECRET_LENGTH


@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "SECRET_KEY", "BEACON_DEMO", "REDIS_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BEACON_INSTANCE_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)  # no stray .env
    return monkeypatch


def test_embedded_default_is_sqlite_in_instance_dir_and_demo(env, tmp_path):
    settings = Settings()
    assert settings.database_url == f"sqlite:///{tmp_path / 'beacon.db'}"
    assert settings.demo is True
    assert settings.is_sqlite


def test_demo_secret_is_generated_once_and_kept(env, tmp_path):
    first = Settings().secret_key.get_secret_value()
    second = Settings().secret_key.get_secret_value()
    assert first == second
    assert len(first) >= MIN_SECRET_LENGTH
    assert (tmp_path / "secret_key").read_text() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_postgres_urls_are_normalised_to_psycopg3_and_leave_demo_mode(env):
    env.setenv("DATABASE_URL", "postgres://u:p@db.internal/beacon")
    env.setenv("SECRET_KEY", GOOD_KEY)
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://u:p@db.internal/beacon"
    assert settings.demo is False


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"DATABASE_URL": "mysql://x/y"},
            "DATABASE_URL must start with sqlite:// or postgresql://",
        ),
        ({"DATABASE_URL": "postgresql://x/y"}, "SECRET_KEY is required outside demo mode"),
        (
            {"DATABASE_URL": "postgresql://x/y", "SECRET_KEY": "short"},
            f"SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters; got 5",
        ),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be at least"),
        ({"BEACON_CURRENCY": "pounds"}, "(?s)BEACON_CURRENCY.*ISO 4217 currency code"),
    ],
)
def test_bad_settings_are_refused_with_a_message_naming_them(env, variables, message):
    for name, value in variables.items():
        env.setenv(name, value)
    with pytest.raises(ValidationError, match=message):
        Settings()


def test_start_up_with_a_bad_setting_stops_with_its_name_and_no_traceback(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from settings import load_settings_or_exit; load_settings_or_exit()",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": "/usr/bin:/bin",
            "BEACON_PORT": "not-a-port",
            "BEACON_INSTANCE_DIR": str(tmp_path),
        },
    )
    assert result.returncode == 1
    assert "Beacon cannot start: a setting is wrong." in result.stderr
    assert "BEACON_PORT" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("code", "amount", "shown", "header"),
    [
        ("GBP", 1250.4, "£1,250", "Principal (£)"),
        ("eur", -40, "-€40", "Principal (€)"),
        ("CHF", 1250, "1,250 CHF", "Principal (CHF)"),
    ],
)
def test_amounts_are_written_in_the_business_currency(env, code, amount, shown, header):
    from components.formatting import money, money_header
    from settings import get_settings

    env.setenv("BEACON_CURRENCY", code)
    get_settings.cache_clear()
    try:
        assert money(amount) == shown and money_header("Principal") == header
        assert money(None) == "–" and not money(-0.2).startswith("-")  # rounds to no amount
    finally:
        env.delenv("BEACON_CURRENCY")
        get_settings.cache_clear()


def test_today_is_the_business_clocks_date_not_utcs(env):
    """Kiritimati (UTC+14) and Baker Island's zone (UTC-12) are 26 hours apart: their dates
    always differ, by one or two days, whatever the hour in UTC."""
    from datetime import UTC, datetime

    from settings import business_today, get_settings

    days = {}
    try:
        for zone in ("Pacific/Kiritimati", "Etc/GMT+12"):
            env.setenv("BEACON_TIMEZONE", zone)
            get_settings.cache_clear()
            days[zone] = business_today()
    finally:
        env.delenv("BEACON_TIMEZONE")
        get_settings.cache_clear()
    utc = datetime.now(UTC).date()
    assert days["Etc/GMT+12"] <= utc <= days["Pacific/Kiritimati"]
    assert (days["Pacific/Kiritimati"] - days["Etc/GMT+12"]).days in (1, 2)

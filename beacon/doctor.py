"""`beacon doctor`: one check per part of a deployment, each with what to do about it."""

from __future__ import annotations

import shutil
import smtplib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

import requests

from jobs.readiness import database_probe, probes
from settings import Settings, get_settings

Status = Literal["ok", "warn", "fail"]


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str = ""


def settings_check(s: Settings) -> Check:
    mode = "demo mode (generated secret, demo data)" if s.demo else "production mode"
    where = "SQLite" if s.is_sqlite else "PostgreSQL"
    if not s.demo and s.public_url and s.public_url.startswith("http://"):
        return Check(
            "settings",
            "warn",
            f"{mode} on {where}; {s.public_url} is not https",
            "serve Beacon behind https and set BEACON_PUBLIC_URL=https://...",
        )
    return Check("settings", "ok", f"{mode} on {where}; links use {s.base_url}")


def database_check(s: Settings) -> Check:
    probe = database_probe()
    if probe.ok:
        return Check("database", "ok", probe.detail)
    fix = (
        "run `python -m beacon migrate`"
        if "schema" in probe.detail
        else "check DATABASE_URL and that the database server runs"
    )
    return Check("database", "fail", probe.detail, fix)


def accounts_check(s: Settings) -> Check:
    from data.accounts import admin_ids
    from data.engine import connect

    try:
        with connect() as conn:
            admins = len(admin_ids(conn=conn))
    except Exception as error:  # noqa: BLE001 - already reported by the database check
        return Check("admins", "fail", f"unknown ({type(error).__name__})")
    if admins:
        return Check("admins", "ok", f"{admins} active admin account(s)")
    return Check(
        "admins",
        "fail",
        "no active admin: nobody can manage users",
        "python -m beacon create-admin --email you@example.org",
    )


def models_check(s: Settings) -> Check:
    from beacon.first_start import has_data, trained

    try:
        models, data = trained(), has_data()
    except Exception as error:  # noqa: BLE001
        return Check("models", "fail", f"unknown ({type(error).__name__})")
    missing = [m for m in models if not models[m] and data[m]]
    if missing:
        return Check(
            "models", "warn", f"not trained yet: {', '.join(missing)}", "python -m beacon train"
        )
    shown = ", ".join(f"{m} {'trained' if models[m] else 'no data yet'}" for m in models)
    return Check("models", "ok", shown)


FIXES = {
    "redis": "start redis-server, check REDIS_URL",
    "workers": "start `celery -A app:celery_app worker` (deploy/supervisord.conf)",
    "beat": "start exactly one `celery -A jobs.celery_app beat`",
}


def redis_checks(s: Settings) -> Iterator[Check]:
    """The scale-out parts, probed as /readyz probes them."""
    if not s.redis_url:
        yield Check("redis", "ok", "not configured: one server, embedded scheduler, local cache")
        return
    for name, probe in probes(s).items():
        if name in FIXES:
            yield Check(name, "ok" if probe.ok else "fail", probe.detail, FIXES[name])


def chromium_check(s: Settings) -> Check:
    found = next(
        (
            shutil.which(n)
            for n in ("chromium", "chromium-browser", "google-chrome")
            if shutil.which(n)
        ),
        None,
    )
    if found:
        return Check("chromium", "ok", f"{found}: PNG, SVG and PDF exports work")
    return Check(
        "chromium",
        "warn",
        "not found: chart images (PNG, SVG) cannot be exported",
        "apt-get install chromium",
    )


def mail_check(s: Settings) -> Check:
    if s.mail_backend == "log":
        level: Status = "ok" if s.demo else "warn"
        return Check(
            "mail",
            level,
            "password links are written to the log, not mailed",
            "set BEACON_MAIL_BACKEND=smtp and SMTP_HOST",
        )
    try:
        with smtplib.SMTP(s.smtp_host or "localhost", s.smtp_port, timeout=5) as smtp:
            if s.smtp_starttls:
                smtp.starttls()
            if s.smtp_user and s.smtp_password:
                smtp.login(s.smtp_user, s.smtp_password.get_secret_value())
            smtp.noop()
    except (OSError, smtplib.SMTPException) as error:
        return Check(
            "mail",
            "fail",
            f"{s.smtp_host}:{s.smtp_port}: {type(error).__name__}: {error}",
            "check SMTP_HOST, SMTP_PORT, SMTP_STARTTLS, SMTP_USER and SMTP_PASSWORD",
        )
    return Check("mail", "ok", f"{s.smtp_host}:{s.smtp_port} accepts us")


def oidc_checks(s: Settings) -> Iterator[Check]:
    providers = {
        "google": (s.google_client_id, s.google_metadata_url),
        "microsoft": (s.microsoft_client_id, s.microsoft_metadata_url),
    }
    for name, (client_id, url) in providers.items():
        if not client_id:
            continue
        try:
            metadata = requests.get(url, timeout=5).json()
            missing = [
                k
                for k in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
                if k not in metadata
            ]
        except (requests.RequestException, ValueError) as error:
            yield Check(
                name,
                "fail",
                f"metadata at {url} unreadable ({type(error).__name__})",
                f"check {name.upper()}_METADATA_URL and outbound https",
            )
            continue
        if missing:
            yield Check(name, "fail", f"metadata lacks {', '.join(missing)}")
        else:
            yield Check(
                name, "ok", f"sign-in ready; redirect URI {s.base_url}/auth/{name}/callback"
            )


def run_checks() -> list[Check]:
    s = get_settings()
    single: list[Callable[[Settings], Check]] = [
        settings_check,
        database_check,
        accounts_check,
        models_check,
    ]
    found = [check(s) for check in single[:2]]
    if found[-1].status == "ok":
        found += [check(s) for check in single[2:]]
    found += list(redis_checks(s))
    found += [chromium_check(s), mail_check(s)]
    found += list(oidc_checks(s))
    return found

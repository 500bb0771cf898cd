"""Password mail leaves the request path: the Celery queue when there is one, a thread
otherwise. A known and an unknown address then answer in the same time, and a slow mail
server never holds a web worker."""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta

from auth.mail import mail_sender
from auth.requests import now
from auth.tokens import new_token
from data import accounts
from data import audit as audit_log
from data.engine import connect, transaction
from settings import get_settings

log = logging.getLogger("beacon.mail")
_threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="beacon-mail")
PURPOSES = ("reset", "invite")
# At most this many reset links per account in RESET_WINDOW: asked for from any number of
# addresses, one inbox is not flooded, and the form still answers the same (a 429 keyed on
# a typed address would let anyone block a colleague's form).
RESET_LINKS = 3
RESET_WINDOW = timedelta(minutes=15)


def password_link_later(*, email: str, purpose: str, ip: str | None) -> Future[None] | None:
    """Queue the password link for `email`. Returns the thread's future when no queue is
    configured (tests wait on it), None when Celery took it."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {PURPOSES}; got {purpose!r}")
    if get_settings().redis_url:
        try:
            from jobs.celery_app import celery_app

            celery_app.send_task(
                "beacon.password_link", kwargs={"email": email, "purpose": purpose, "ip": ip}
            )
            return None
        except Exception:  # noqa: BLE001 - Redis down: the thread still delivers it
            log.warning("mail queue unavailable; sending the password link from a thread")
    return _threads.submit(_logged, email=email, purpose=purpose, ip=ip)


def _logged(*, email: str, purpose: str, ip: str | None) -> None:
    try:
        send_password_link(email=email, purpose=purpose, ip=ip)
    except Exception:
        log.exception("the password link could not be sent")
        raise


def send_password_link(*, email: str, purpose: str, ip: str | None) -> None:
    """Make a single-use token for an active account and mail its link. Nothing is sent to
    an unknown or disabled address; the request is audited either way."""
    settings = get_settings()
    valid = (
        timedelta(minutes=settings.reset_token_minutes)
        if purpose == "reset"
        else timedelta(days=settings.invite_token_days)
    )
    with connect() as conn:
        account = accounts.account_by_email(conn=conn, email=email) if email else None
    token, hashed = new_token()
    live = account if account is not None and account.is_active else None
    with transaction() as conn:
        held_back = (
            live is not None
            and purpose == "reset"
            and accounts.password_links_since(
                conn=conn, user_id=live.id, purpose=purpose, since=now() - RESET_WINDOW
            )
            >= RESET_LINKS
        )
        if held_back:
            live = None  # its earlier links still work
        if live is not None:
            accounts.create_password_token(
                conn=conn,
                user_id=live.id,
                token_hash=hashed,
                purpose=purpose,
                now=now(),
                expires_at=now() + valid,
            )
        if purpose == "reset":
            audit_log.record(
                conn=conn,
                action="password.reset_requested",
                now=now(),
                user_id=account.id if account else None,
                ip=ip,
                detail={"email": email}
                | ({"sent": f"no: {RESET_LINKS} links in 15 minutes already"} if held_back else {}),
            )
    if live is None:
        return
    link = f"{settings.base_url}/reset-password?token={token}"
    if purpose == "reset":
        subject, opening = "Your Beacon password link", "Open this link to choose a new password"
        closing = "If you did not ask for it, ignore this message."
    else:
        subject = "You are invited to Beacon"
        opening = "An administrator gave you a Beacon account. Open this link to set your password"
        closing = "If it has expired, ask the administrator who invited you for a new link."
    mail_sender(settings).send(
        to=live.email,
        subject=subject,
        body=f"Hello {live.display_name},\n\n{opening}:\n{link}\n\n"
        f"It works once and expires {_within(valid)}. {closing}",
    )


def _within(valid: timedelta) -> str:
    """'in 30 minutes', 'in 7 days': how long a link lives, as people say it."""
    minutes = int(valid.total_seconds() // 60)
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return f"in {days} day{'s' * (days != 1)}"
    if minutes % 60 == 0:
        return f"in {minutes // 60} hour{'s' * (minutes != 60)}"
    return f"in {minutes} minutes"

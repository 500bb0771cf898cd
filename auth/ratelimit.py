"""Sign-in rate limits per client address and per account, stored in Redis when configured
so that every worker counts together (memory in the single-process embedded mode)."""

from __future__ import annotations

from flask import Response, request
from flask_limiter import Limiter

from auth.requests import client_ip
from settings import get_settings

limiter = Limiter(
    key_func=client_ip, default_limits=[], headers_enabled=True, strategy="moving-window"
)


def account_key() -> str:
    return "account:" + request.form.get("email", "").strip().lower()


def ip_limit() -> str:
    return get_settings().login_ip_limit


def account_limit() -> str:
    return get_settings().login_account_limit


def ip_ceiling() -> str:
    return get_settings().login_ip_ceiling


def refused(response: Response) -> bool:
    """A sign-in that did not succeed (a wrong password is 401, a bad form 400): what both
    limits count. Signing in eight times in a row with the right password locked the
    account's owner out for 15 minutes, and an office signing in from one address at nine
    locked everyone out after its 30th colleague."""
    return response.status_code >= 400


sign_in_limits = [
    limiter.limit(ip_limit, methods=["POST"], key_func=client_ip, deduct_when=refused),
    limiter.limit(account_limit, methods=["POST"], key_func=account_key, deduct_when=refused),
    # Every attempt, at ten times the refused ones: one valid account signing in on a loop
    # (a password check, a session and an audit row each) is stopped too.
    limiter.limit(ip_ceiling, methods=["POST"], key_func=client_ip, scope="sign-in-ceiling"),
]
# A reset request always answers the same (it never tells whether an account exists), so
# nothing is "refused": every one counts against its address, or one address could send mail
# without end. The account asked for is limited where the mail is sent (auth.outbox: at
# most 3 links in 15 minutes), not here: a 429 keyed on a typed address would let anyone
# keep a colleague's form refused.
reset_limits = [limiter.limit(ip_limit, methods=["POST"], key_func=client_ip)]


def reset_counts() -> None:
    """Forget every count: the shared storage's and the in-memory fallback's (used while Redis
    is down). Tests start from zero with it."""
    limiter.reset()
    fallback = getattr(limiter, "_fallback_storage", None)  # flask-limiter keeps it private
    if fallback is not None:
        fallback.reset()

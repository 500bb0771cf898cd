"""Sign-in, sign-out and password pages (plain Flask: they must work without a session)."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from auth.audit import audit
from auth.csrf import check_csrf, csrf_token
from auth.outbox import password_link_later
from auth.passwords import hash_password, policy_problem, verify_password
from auth.ratelimit import reset_limits, sign_in_limits
from auth.requests import client_ip, now, safe_next
from auth.sessions import sign_in, sign_out_everywhere
from auth.tokens import token_hash
from data import accounts
from data.engine import connect, transaction
from observability.metrics import LOGIN_FAILURES, RATE_LIMITED
from settings import get_settings

blueprint = Blueprint("auth", __name__, template_folder="templates")
SENT = (
    "If an account exists for that address, a link to choose a new password is on its way. "
    "It works once, for {minutes} minutes."
)
WRONG = "Email or password is wrong."


@blueprint.app_context_processor
def template_helpers() -> dict[str, object]:
    return {"csrf_token": csrf_token}


def page(template: str, title: str, status: int = 200, **context: object) -> tuple[str, int]:
    from auth.oidc import enabled_providers

    context.setdefault("providers", enabled_providers())
    return render_template(template, title=title, **context), status


def login_view() -> Response | tuple[str, int]:
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(target)
    if request.method == "GET":
        return page("login.html", "Sign in", next=target, notice=request.args.get("notice"))
    check_csrf()
    email = request.form.get("email", "").strip().lower()[:254]
    password = request.form.get("password", "")[:1024]
    with connect() as conn:
        account = accounts.account_by_email(conn=conn, email=email) if email else None
    password_ok = verify_password(account.password_hash if account else None, password)
    if not (account and account.is_active and password_ok):
        reason = (
            "unknown email"
            if not account
            else "disabled"
            if not account.is_active
            else ("wrong password")
        )
        audit("login.failure", user_id=account.id if account else None, email=email, reason=reason)
        LOGIN_FAILURES.labels(reason).inc()
        return page("login.html", "Sign in", 401, error=WRONG, email=email, next=target)
    sign_in(account, method="password")
    return redirect(target)


for limit in sign_in_limits:
    login_view = limit(login_view)
blueprint.add_url_rule("/login", "login", login_view, methods=["GET", "POST"])


@blueprint.post("/logout")
@login_required
def logout() -> Response:
    check_csrf()
    sign_out_everywhere(current_user._get_current_object())
    return redirect(url_for("auth.login", notice="You are signed out on every device."))


def forgot_password() -> tuple[str, int]:
    """The same answer, in the same time, for any address: the lookup and the mail happen
    off the request path (auth.outbox)."""
    settings = get_settings()
    title = "Choose a new password"
    if request.method == "GET":
        return page("forgot.html", title)
    check_csrf()
    email = request.form.get("email", "").strip().lower()[:254]
    if email:
        password_link_later(email=email, purpose="reset", ip=client_ip())
    return page("forgot.html", title, notice=SENT.format(minutes=settings.reset_token_minutes))


for limit in reset_limits:
    forgot_password = limit(forgot_password)
blueprint.add_url_rule(
    "/forgot-password", "forgot_password", forgot_password, methods=["GET", "POST"]
)


@blueprint.route("/reset-password", methods=["GET", "POST"])
def reset_password() -> Response | tuple[str, int]:
    title = "Choose a new password"
    token = (request.values.get("token") or "")[:100]
    if request.method == "GET":
        return page("reset.html", title, token=token)
    check_csrf()
    password, confirm = request.form.get("password", ""), request.form.get("confirm", "")
    problem = "The two passwords differ." if password != confirm else policy_problem(password)
    if problem:
        return page("reset.html", title, 422, token=token, error=problem)
    with connect() as conn:
        user_id = accounts.password_token_user(conn=conn, token_hash=token_hash(token), now=now())
        account = accounts.account_by_id(conn=conn, user_id=user_id) if user_id else None
    expired = "This link has expired or was already used. Ask for a new one."
    if account is None:
        return page("reset.html", title, 400, token="", error=expired)
    problem = policy_problem(password, user_inputs=[account.email, account.display_name])
    if problem:
        return page("reset.html", title, 422, token=token, error=problem)
    with transaction() as conn:
        if (
            accounts.consume_password_token(conn=conn, token_hash=token_hash(token), now=now())
            != account.id
        ):
            return page("reset.html", title, 400, token="", error=expired)
        accounts.set_password(
            conn=conn, user_id=account.id, password_hash=hash_password(password), now=now()
        )
        audit("password.changed", conn=conn, user_id=account.id, sessions="all ended")
    return redirect(url_for("auth.login", notice="Password set. Sign in with it now."))


def rate_limited(error: RateLimitExceeded) -> tuple[str, int]:
    RATE_LIMITED.labels(request.url_rule.rule if request.url_rule else "unmatched").inc()
    audit(
        "login.rate_limited",
        email=request.form.get("email", "")[:254],
        limit=str(error.limit.limit),
    )
    current_app.logger.warning("sign-in rate limit hit: %s", error.description)
    if request.endpoint == "auth.forgot_password":
        return page(
            "forgot.html",
            "Choose a new password",
            429,
            error="Too many requests for password links. Wait 15 minutes, then try again.",
        )
    return page(
        "login.html",
        "Sign in",
        429,
        next=safe_next(request.args.get("next")),
        error="Too many sign-in attempts. Wait 15 minutes, then try again.",
    )

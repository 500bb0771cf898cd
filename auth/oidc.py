"""Google and Microsoft Entra sign-in: OpenID Connect code flow with state, nonce and PKCE.

Accounts are keyed by (issuer, subject). An existing account is linked only on a
verified email; a new account is created only for an allowed email domain, as viewer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, Flask, redirect, request, session, url_for
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

from auth.audit import audit
from auth.requests import now, safe_next
from auth.sessions import sign_in
from data import accounts
from data.accounts import Account
from data.engine import transaction
from settings import Settings, get_settings

blueprint = Blueprint("oidc", __name__)
oauth = OAuth()
LABELS = {"google": "Google", "microsoft": "Microsoft"}
ENTRA_ISSUER = "https://login.microsoftonline.com/{tid}/v2.0"


class Refused(Exception):
    """A sign-in the provider accepted but we do not: the message is shown to the user."""


def register_providers(app: Flask, settings: Settings) -> None:
    oauth.init_app(app)
    for key in LABELS:
        client_id = getattr(settings, f"{key}_client_id")
        secret = getattr(settings, f"{key}_client_secret")
        if client_id and secret and key not in oauth._registry:
            oauth.register(
                key,
                client_id=client_id,
                client_secret=secret.get_secret_value(),
                server_metadata_url=getattr(settings, f"{key}_metadata_url"),
                client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
            )


def enabled_providers() -> list[tuple[str, str]]:
    return [(key, LABELS[key]) for key in LABELS if key in oauth._registry]


def issuer_check(provider: str, settings: Settings) -> dict[str, Any]:
    """Claims options pinning the issuer we expect, instead of trusting the metadata document."""
    if provider == "microsoft":

        def entra_issuer(claims: dict[str, Any], value: str) -> bool:
            return entra_problem(claims, settings.microsoft_allowed_tenants) is None

        return {"iss": {"essential": True, "validate": entra_issuer}}
    return {"iss": {"essential": True, "values": [settings.google_issuer]}}


def entra_problem(claims: dict[str, Any], allowed_tenants: list[str]) -> str | None:
    """Multi-tenant Entra: the issuer must be the token's own tenant, and the tenant allowed."""
    tenant = str(claims.get("tid", "")).lower()
    if not tenant or tenant not in allowed_tenants:
        return "this organisation is not allowed to sign in"
    if claims.get("iss") != ENTRA_ISSUER.format(tid=claims.get("tid")):
        return "the token's issuer does not match its tenant"
    return None


@dataclass(frozen=True)
class Identity:
    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    name: str


def identity_from(claims: dict[str, Any]) -> Identity:
    email = claims.get("email") or claims.get("preferred_username")
    return Identity(
        issuer=str(claims["iss"]),
        subject=str(claims["sub"]),
        email=str(email).strip().lower() if email else None,
        email_verified=claims.get("email_verified") is True,
        name=str(claims.get("name") or email or claims["sub"])[:120],
    )


def account_for(identity: Identity, allowed_domains: list[str]) -> Account:
    """Find, link or create the account for a verified identity, or refuse with a reason."""
    event: tuple[str, dict[str, Any]] | None = None
    with transaction() as conn:
        account = accounts.account_by_identity(
            conn=conn, issuer=identity.issuer, subject=identity.subject
        )
        if account is None:
            if not identity.email:
                raise Refused("the provider did not share an email address")
            account = accounts.account_by_email(conn=conn, email=identity.email)
            if account is not None:
                if not identity.email_verified:
                    raise Refused(
                        "the provider has not verified this email, so it cannot be linked"
                    )
                if account.oidc_subject:
                    raise Refused("this account is already linked to another sign-in")
                accounts.link_identity(
                    conn=conn, user_id=account.id, issuer=identity.issuer, subject=identity.subject
                )
                event = ("account.linked", {"issuer": identity.issuer})
            else:
                domain = identity.email.rsplit("@", 1)[-1]
                if not identity.email_verified or domain not in allowed_domains:
                    raise Refused("there is no Beacon account for this email; ask an administrator")
                user_id = accounts.create_account(
                    conn=conn,
                    email=identity.email,
                    display_name=identity.name,
                    role="viewer",
                    issuer=identity.issuer,
                    subject=identity.subject,
                )
                account = accounts.account_by_id(conn=conn, user_id=user_id)
                event = ("account.created", {"via": identity.issuer, "role": "viewer"})
        assert account is not None
        if event:
            audit(event[0], conn=conn, user_id=account.id, **event[1])
    return account


@blueprint.get("/auth/<provider>/login")
def oidc_login(provider: str) -> Response:
    client = oauth.create_client(provider) if provider in LABELS else None
    if client is None:
        return redirect(url_for("auth.login"))
    session["oidc_next"] = safe_next(request.args.get("next"))
    return client.authorize_redirect(
        get_settings().base_url + url_for("oidc.oidc_callback", provider=provider)
    )


@blueprint.get("/auth/<provider>/callback")
def oidc_callback(provider: str) -> Response | tuple[str, int]:
    from auth.views import page

    client = oauth.create_client(provider) if provider in LABELS else None
    if client is None:
        return redirect(url_for("auth.login"))
    settings = get_settings()
    try:
        token = client.authorize_access_token(
            claims_options=issuer_check(provider, settings), leeway=settings.oidc_leeway_seconds
        )
        claims = dict(token.get("userinfo") or {})
        if not claims:
            raise Refused("the provider sent no identity token")
        if provider == "microsoft" and (
            problem := entra_problem(claims, settings.microsoft_allowed_tenants)
        ):
            raise Refused(problem)
        account = account_for(identity_from(claims), settings.oidc_allowed_domains)
        if not account.is_active:
            raise Refused("this account is disabled")
    except (AuthlibBaseError, JoseError, Refused) as error:
        reason = str(error) if isinstance(error, Refused) else type(error).__name__
        audit("login.failure", provider=provider, reason=reason, at=now().isoformat())
        return page(
            "login.html",
            "Sign in",
            400,
            next="/",
            error=f"Sign-in with {LABELS[provider]} did not work: {reason}.",
        )
    sign_in(account, method=provider)
    return redirect(session.pop("oidc_next", "/"))

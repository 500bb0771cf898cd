"""OpenID Connect against a real provider running locally (oidc-provider-mock), end to end."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc.errors import ExpiredTokenError, JoseError
from oidc_provider_mock import run_server_in_thread

import app as beacon
from auth import oidc
from data import accounts
from data.engine import connect
from settings import get_settings
from tests.auth.helpers import new_client, signed_in_ok
from tests.conftest import create_test_account

TOKEN_SECONDS = 3


@pytest.fixture(scope="module")
def provider():
    with run_server_in_thread(
        require_nonce=True, access_token_max_age=timedelta(seconds=TOKEN_SECONDS)
    ) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def google(provider, monkeypatch, sqlite_url, use_database):
    """Our app with "Sign in with Google" pointed at the local provider."""
    use_database(sqlite_url)
    for name, value in {
        "GOOGLE_CLIENT_ID": "beacon",
        "GOOGLE_CLIENT_SECRET": "beacon-secret",
        "GOOGLE_METADATA_URL": f"{provider}/.well-known/openid-configuration",
        "GOOGLE_ISSUER": provider,
        "OIDC_ALLOWED_DOMAINS": "school.example",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    oidc.oauth._registry.pop("google", None)
    oidc.oauth._clients.pop("google", None)
    oidc.register_providers(beacon.server, get_settings())
    yield provider
    oidc.oauth._registry.pop("google", None)
    oidc.oauth._clients.pop("google", None)


def sign_in_with(provider: str, claims: dict, client=None, tamper_state: bool = False):
    """The whole code flow: our redirect, the provider's consent, our callback."""
    client = client or new_client()
    subject = claims.pop("sub", None) or f"sub-{uuid.uuid4().hex[:8]}"
    requests.put(f"{provider}/users/{subject}", json=claims, timeout=10).raise_for_status()
    start = client.get("/auth/google/login")
    assert start.status_code == 302
    authorize = start.headers["Location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    consent = requests.post(authorize, data={"sub": subject}, allow_redirects=False, timeout=10)
    back = urlsplit(consent.headers["Location"])
    params = back.query.replace("state=", "state=forged") if tamper_state else back.query
    return client, client.get(f"{back.path}?{params}"), subject


def test_first_sign_in_from_an_allowed_domain_creates_a_viewer(google):
    client, response, subject = sign_in_with(
        google, {"email": "new@school.example", "email_verified": True, "name": "Nia New"}
    )
    assert response.status_code == 302 and signed_in_ok(client)
    with connect() as conn:
        account = accounts.account_by_identity(conn=conn, issuer=google, subject=subject)
    assert account and account.role == "viewer" and account.email == "new@school.example"


def test_the_account_is_found_by_issuer_and_subject_not_by_email(google):
    _, _, subject = sign_in_with(google, {"email": "kim@school.example", "email_verified": True})
    client, response, _ = sign_in_with(
        google, {"sub": subject, "email": "kim.renamed@elsewhere.example", "email_verified": True}
    )
    assert response.status_code == 302 and signed_in_ok(client)
    with connect() as conn:
        assert accounts.account_by_email(conn=conn, email="kim.renamed@elsewhere.example") is None


def test_an_existing_account_is_linked_on_a_verified_email(google):
    local = create_test_account("manager")
    client, response, subject = sign_in_with(google, {"email": local.email, "email_verified": True})
    assert response.status_code == 302 and signed_in_ok(client)
    with connect() as conn:
        linked = accounts.account_by_identity(conn=conn, issuer=google, subject=subject)
    assert linked is not None and linked.id == local.id and linked.role == "manager"


def test_an_unverified_email_cannot_take_over_an_existing_account(google):
    local = create_test_account("admin")
    client, response, subject = sign_in_with(
        google, {"email": local.email, "email_verified": False}
    )
    assert response.status_code == 400
    assert "has not verified this email" in response.get_data(as_text=True)
    assert not signed_in_ok(client)
    with connect() as conn:
        assert accounts.account_by_identity(conn=conn, issuer=google, subject=subject) is None


def test_no_account_is_created_for_another_domain(google):
    client, response, _ = sign_in_with(google, {"email": "x@gmail.example", "email_verified": True})
    assert response.status_code == 400 and not signed_in_ok(client)
    assert "no Beacon account for this email" in response.get_data(as_text=True)


def test_a_bad_state_is_refused(google):
    client, response, _ = sign_in_with(
        google, {"email": "s@school.example", "email_verified": True}, tamper_state=True
    )
    assert response.status_code == 400 and not signed_in_ok(client)
    assert "MismatchingStateError" in response.get_data(as_text=True)


def test_a_token_from_another_issuer_is_refused(google, monkeypatch):
    monkeypatch.setenv("GOOGLE_ISSUER", "https://accounts.google.com")
    get_settings.cache_clear()
    client, response, _ = sign_in_with(
        google, {"email": "i@school.example", "email_verified": True}
    )
    assert response.status_code == 400 and not signed_in_ok(client)
    assert "InvalidClaimError" in response.get_data(as_text=True)


def id_token_for(provider: str, client_id: str) -> tuple[dict, str]:
    """A real ID token from the provider, obtained by a separate client, and its nonce."""
    metadata = requests.get(f"{provider}/.well-known/openid-configuration", timeout=10).json()
    session = OAuth2Session(
        client_id,
        "secret",
        scope="openid email",
        redirect_uri="http://localhost/elsewhere",
        code_challenge_method="S256",
    )
    verifier, nonce = uuid.uuid4().hex * 2, uuid.uuid4().hex
    url, _ = session.create_authorization_url(
        metadata["authorization_endpoint"], nonce=nonce, code_verifier=verifier
    )
    consent = requests.post(url, data={"sub": "someone"}, allow_redirects=False, timeout=10)
    token = session.fetch_token(
        metadata["token_endpoint"],
        authorization_response=consent.headers["Location"],
        code_verifier=verifier,
    )
    return token, nonce


def our_validation(token: dict, nonce: str, leeway: int):
    """Exactly what our callback applies: our registered client and our claims options."""
    client = oidc.oauth.create_client("google")
    return client.parse_id_token(
        token,
        nonce=nonce,
        leeway=leeway,
        claims_options=oidc.issuer_check("google", get_settings()),
    )


def test_a_token_for_another_audience_is_refused(google):
    token, nonce = id_token_for(google, "beacon")
    assert our_validation(token, nonce, leeway=0)["sub"] == "someone"
    token, nonce = id_token_for(google, "some-other-app")
    with pytest.raises(JoseError, match="aud|azp"):
        our_validation(token, nonce, leeway=0)


def test_an_expired_token_is_refused(google):
    token, nonce = id_token_for(google, "beacon")
    time.sleep(TOKEN_SECONDS + 1.5)
    with pytest.raises(ExpiredTokenError):
        our_validation(token, nonce, leeway=0)


@pytest.mark.parametrize(
    ("claims", "problem"),
    [
        ({"tid": "t-allowed", "iss": "https://login.microsoftonline.com/t-allowed/v2.0"}, None),
        (
            {"tid": "t-other", "iss": "https://login.microsoftonline.com/t-other/v2.0"},
            "not allowed",
        ),
        (
            {"tid": "t-allowed", "iss": "https://login.microsoftonline.com/t-other/v2.0"},
            "does not match its tenant",
        ),
        ({"iss": "https://login.microsoftonline.com/t-allowed/v2.0"}, "not allowed"),
    ],
)
def test_entra_issuer_must_be_the_tokens_own_allowed_tenant(claims, problem):
    result = oidc.entra_problem(claims, ["t-allowed"])
    assert (result is None) if problem is None else (problem in result)

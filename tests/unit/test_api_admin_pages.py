"""Admin > API tokens and Admin > Webhooks: their callbacks called as the page calls them."""

from __future__ import annotations

import dash
import pytest

import app as beacon  # noqa: F401  (pages register with the app)
from data import api_tokens, webhooks
from data.engine import connect
from pages import admin_tokens, admin_webhooks
from tests.conftest import acting_as


@pytest.fixture
def db(seeded_copy):  # type: ignore[no-untyped-def]
    return seeded_copy


def test_a_token_is_created_shown_once_listed_and_revoked(db):
    with acting_as("admin"):
        shown, table, options = admin_tokens.create(
            _clicks=1, name="BI dashboard", role="analyst", regions=None, days=30, allow=""
        )
        secret = next(
            c.value for c in shown.children[2].children if getattr(c, "id", None) == "tokens-secret"
        )
        assert secret.startswith("bcn_") and "will not show it again" in str(shown.children[0])
        assert "BI dashboard" in str(table)
        (option,) = options
        message, table, options = admin_tokens.revoke(_clicks=1, token_id=option["value"])
        assert "revoked" in str(message.children) and options == []
        again, *_ = admin_tokens.revoke(_clicks=1, token_id=option["value"])
        assert again.color == "warning"
    with connect() as conn:
        listed = api_tokens.tokens(conn=conn)
    assert listed.iloc[0]["revoked_at"] is not None and secret not in str(listed.to_dict())


def test_token_form_problems_are_shown_and_nothing_is_made(db):
    with acting_as("admin"):
        shown, table, options = admin_tokens.create(
            _clicks=1, name="", role="manager", regions=None, days=999, allow="not an ip"
        )
    assert shown.color == "warning" and table is dash.no_update
    for words in ("Name", "at least one region", "1 to 366 days", "Allowed addresses"):
        assert words in shown.children
    with connect() as conn:
        assert api_tokens.tokens(conn=conn).empty


def test_a_webhook_is_registered_with_its_secret_shown_once_and_turned_off(db):
    with acting_as("admin"):
        _, _, token_options = admin_tokens.create(
            _clicks=1, name="hooks", role="admin", regions=None, days=30, allow=""
        )
        shown, table, options = admin_webhooks.register(
            _clicks=1,
            name="On-call",
            url="https://93.184.215.14/beacon",
            token_id=token_options[0]["value"],
            events=["refresh.failed", "import.finished"],
        )
        assert "whsec_" in str(shown) and "On-call" in str(table)
        refused, *_ = admin_webhooks.register(
            _clicks=1, name="x", url="http://example.org", token_id=None, events=[]
        )
        assert refused.color == "warning" and "HTTPS only" in refused.children
        message, table, options = admin_webhooks.turn_off(
            _clicks=1, endpoint_id=options[0]["value"]
        )
        assert "is off" in str(message.children) and options == []
        log = admin_webhooks.reload_log(_clicks=1)
    assert "Nothing sent yet" in str(log)
    with connect() as conn:
        assert webhooks.endpoints(conn=conn).iloc[0]["disabled_at"] is not None

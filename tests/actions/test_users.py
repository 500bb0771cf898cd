"""User administration through its actions, without Dash: admins only, every problem named,
audited, and no invitation mailed for an account that was not made."""

from __future__ import annotations

from datetime import UTC, datetime

from actions.base import Actor, Refused
from actions.users import Changed, Created, change_user, invite_user
from data import accounts
from data import audit as audit_log
from data.engine import connect, transaction
from tests.conftest import create_test_account

NOW = datetime(2026, 6, 16, 9, 0, tzinfo=UTC)


def admin() -> Actor:
    me = create_test_account("admin")
    return Actor(user_id=me.id, display_name=me.display_name, role="admin")


def test_an_invitation_makes_an_account_without_a_password_and_audits_it(seeded_copy):
    result = invite_user(
        actor=admin(),
        email=" New.Person@Example.org ",
        name="New Person",
        role="manager",
        regions=[1],
        now=NOW,
    )
    assert isinstance(result, Created) and result.email == "new.person@example.org"
    with connect() as conn:
        made = accounts.account_by_id(conn=conn, user_id=result.user_id)
        entries, _ = audit_log.audit_log(conn=conn, action="user.invited", limit=1)
    assert made is not None and made.password_hash is None and made.region_ids == (1,)
    assert entries.iloc[0]["detail"]["email"] == "new.person@example.org"
    again = invite_user(
        actor=admin(),
        email="new.person@example.org",
        name="Twice",
        role="viewer",
        regions=[],
        now=NOW,
    )
    # Never signed up: invited again as asked (a mistaken role or region is corrected), with
    # a new link, on record.
    assert again == Created(user_id=result.user_id, email="new.person@example.org", resent=True)
    with connect() as conn:
        resent, _ = audit_log.audit_log(conn=conn, action="user.invite_resent", limit=1)
        corrected = accounts.account_by_id(conn=conn, user_id=result.user_id)
    assert (corrected.display_name, corrected.role, corrected.region_ids) == ("Twice", "viewer", ())
    assert resent.iloc[0]["detail"]["role"] == "viewer"
    with transaction() as conn:
        accounts.set_password(conn=conn, user_id=result.user_id, password_hash="x", now=NOW)
    assert resent.iloc[0]["entity_id"] == result.user_id
    signed_up = invite_user(
        actor=admin(), email="new.person@example.org", name="Twice", role="viewer", regions=[],
        now=NOW,
    )  # fmt: skip
    assert signed_up == Refused("new.person@example.org already has an account.")


def test_every_problem_of_an_invitation_is_named_at_once(seeded_copy):
    result = invite_user(
        actor=admin(),
        email="not-an-email",
        name="",
        role="owner",
        regions=["1; DROP TABLE users"],
        now=NOW,
    )
    assert result == Refused(
        "Enter a valid email address. Enter a name (up to 120 characters). Choose a role. "
        "Choose regions from the list."
    )


def test_only_admins_manage_users_and_nobody_locks_themselves_out(seeded_copy):
    someone = create_test_account("viewer")
    manager = create_test_account("manager", (1,))
    as_manager = Actor(user_id=manager.id, display_name="M", role="manager", region_ids=(1,))
    refused = change_user(
        actor=as_manager, user_id=someone.id, role="admin", regions=[], active=True, now=NOW
    )
    assert isinstance(refused, Refused) and refused.denied
    me = admin()
    assert change_user(
        actor=me, user_id=me.user_id, role="viewer", regions=[], active=True, now=NOW
    ) == Refused("You cannot remove your own admin role or disable yourself.")
    # Each refusal names what is missing: a viewer needs no region, only a user.
    assert change_user(
        actor=me, user_id=None, role="viewer", regions=[], active=True, now=NOW
    ) == Refused("Choose a user from the list.")
    assert change_user(
        actor=me, user_id=someone.id, role="manager", regions=[10**6], active=True, now=NOW
    ) == Refused("Choose regions from the list.")
    done = change_user(
        actor=me, user_id=someone.id, role="viewer", regions=[], active=False, now=NOW
    )
    assert isinstance(done, Changed)
    assert done.message.endswith("every session of it has ended.")
    assert done.changes == {"active": {"before": True, "after": False}}
    unchanged = change_user(
        actor=me, user_id=someone.id, role="viewer", regions=[], active=False, now=NOW
    )
    assert isinstance(unchanged, Changed) and unchanged.message == "Nothing changed."


def test_a_manager_needs_a_region_to_be_invited_or_made(seeded_copy):
    """A manager sees only their regions: with none, every page read as empty data."""
    from actions.users import NO_REGION, change_user

    none = invite_user(
        actor=admin(), email="m@example.org", name="M", role="manager", regions=[], now=NOW
    )
    assert none == Refused(NO_REGION)
    made = invite_user(
        actor=admin(), email="m@example.org", name="M", role="manager", regions=[2], now=NOW
    )
    assert not isinstance(made, Refused)
    stripped = change_user(
        actor=admin(), user_id=made.user_id, role="manager", regions=[], active=True, now=NOW
    )
    assert stripped == Refused(NO_REGION)
    viewer = invite_user(
        actor=admin(), email="v@example.org", name="V", role="viewer", regions=[], now=NOW
    )
    assert not isinstance(viewer, Refused)  # other roles see every region

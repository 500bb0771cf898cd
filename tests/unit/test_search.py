"""The global search on a real database: what it finds, within the user's role and regions,
with the user's text taken literally; and that it only ever opens addresses inside Beacon."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from dash.exceptions import PreventUpdate
from sqlalchemy import select

from data import links
from data.engine import connect, transaction
from data.models import CreditCustomer, PEClass, School, Student, Tutor
from tests.conftest import acting_as
from web.search import find_anywhere, open_answer


def first_name_in(model, region_id: int) -> str:  # type: ignore[no-untyped-def]
    with connect() as conn:
        return conn.execute(
            select(model.name).where(model.region_id == region_id).order_by(model.id).limit(1)
        ).scalar_one()


def values(answers: list[dict]) -> list[str]:
    return [a["value"] for a in answers]


def test_each_kind_is_found_and_opens_its_page(seeded_copy):
    tutor = first_name_in(Tutor, 1)
    student = first_name_in(Student, 1)
    customer = first_name_in(CreditCustomer, 1)
    with connect() as conn:
        school, klass, class_id = conn.execute(
            select(School.name, PEClass.name, PEClass.id)
            .join(School, School.id == PEClass.school_id)
            .where(School.region_id == 1)
            .limit(1)
        ).one()
    with acting_as("manager", (1,)):
        for text, kind, opens in [
            (tutor, "Tutor", "/tutor-risk/tutor?id="),
            (student, "Student", "/schedules?student="),
            (customer, "Customer", "/credit/customer?id="),
            (f"{school} · {klass}", "PE class", f"/pe?class={class_id}"),
            ("calen", "Page", "/schedules"),
        ]:
            answers = find_anywhere(text=text)
            found = [a for a in answers if a["label"].startswith(f"{kind} · ")]
            assert found and all(text.lower() in a["label"].lower() for a in found), text
            assert any(a["value"].startswith(opens) for a in found), (text, values(found))


def test_answers_stay_in_the_users_regions_and_role(seeded_copy):
    elsewhere = first_name_in(Tutor, 2)
    with acting_as("manager", (1,)):
        answers = find_anywhere(text=elsewhere)
    with connect() as conn:
        region_one = {
            f"/tutor-risk/tutor?id={i}"
            for i in conn.execute(select(Tutor.id).where(Tutor.region_id == 1)).scalars()
        }
    tutors = [a["value"] for a in answers if a["label"].startswith("Tutor · ")]
    assert set(tutors) <= region_one  # a namesake in region 1 may show; region 2's may not
    with acting_as("viewer", (1,)):
        assert not any("/admin/" in v for v in values(find_anywhere(text="users")))
    with acting_as("admin"):
        assert "/admin/users" in values(find_anywhere(text="users"))


def test_closing_the_box_keeps_the_answers_so_the_pick_still_opens(seeded_copy):
    """The dropdown clears its text to None as it closes on a pick; were the answers emptied,
    it would drop the picked value and Dash would discard the callback that opens it."""
    with acting_as("admin"), pytest.raises(PreventUpdate):
        find_anywhere(text=None)


def test_the_text_is_taken_literally_and_needs_two_letters(seeded_copy):
    with acting_as("admin"):
        assert find_anywhere(text="a") == []
        assert find_anywhere(text="") == []
        assert find_anywhere(text="%%") == []  # no wildcard: nobody's name holds "%%"
        assert find_anywhere(text="'; DROP TABLE tutors;--") == []
        with connect() as conn:
            assert conn.execute(select(Tutor.id).limit(1)).first() is not None


def test_share_links_found_are_the_users_own_and_live(seeded_copy):
    with acting_as("manager", (1,)) as me:
        with transaction() as conn:
            made = [
                links.create_link(
                    conn=conn,
                    kind="share",
                    view="credit-watchlist",
                    query="?severity=high",
                    created_by=me.id,
                    now=datetime.now(UTC),
                )
                for _ in range(2)
            ]
            links.revoke_link(conn=conn, link_id=made[1].id, by_user=me.id, now=datetime.now(UTC))
        mine = values(find_anywhere(text="watchlist"))
    assert f"/s/{made[0].code}" in mine and f"/s/{made[1].code}" not in mine  # revoked
    with acting_as("manager", (1,)):  # another manager
        assert f"/s/{made[0].code}" not in values(find_anywhere(text="watchlist"))


@pytest.mark.parametrize(
    "chosen",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "/admin/users/../../evil",
        None,
        3,
    ],
)
def test_only_addresses_inside_beacon_are_opened(seeded_copy, chosen):
    with acting_as("viewer"), pytest.raises(PreventUpdate):
        open_answer(chosen=chosen)


def test_a_picked_answer_opens_and_the_box_empties(seeded_copy):
    with acting_as("viewer"):
        assert open_answer(chosen="/schedules?student=4") == ("/schedules?student=4", None)

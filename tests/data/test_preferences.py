"""Per-user settings round-trip on SQLite and PostgreSQL; a second save replaces the first."""

from sqlalchemy import text

from data.engine import engine_for
from data.preferences import read_preference, save_preference
from tests.conftest import create_test_account, pointed_at


def test_a_preference_is_saved_replaced_and_read_back(empty_url):
    with pointed_at(empty_url):
        user = create_test_account("viewer")
    engine = engine_for(empty_url)
    with engine.begin() as conn:
        assert read_preference(conn=conn, user_id=user.id, name="theme") is None
        save_preference(conn=conn, user_id=user.id, name="theme", value="dark")
        save_preference(conn=conn, user_id=user.id, name="theme", value="colourful")
        save_preference(conn=conn, user_id=user.id, name="board", value={"widgets": [1, "x"]})
    with engine.connect() as conn:
        assert read_preference(conn=conn, user_id=user.id, name="theme") == "colourful"
        assert read_preference(conn=conn, user_id=user.id, name="board") == {"widgets": [1, "x"]}
        rows = conn.execute(text("SELECT count(*) FROM user_preferences")).scalar_one()
    assert rows == 2


def test_text_that_is_not_json_reads_as_no_preference(empty_url):
    with pointed_at(empty_url):
        user = create_test_account("viewer")
    engine = engine_for(empty_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO user_preferences (user_id, name, value, updated_at) "
                "VALUES (:u, 'theme', '{broken', CURRENT_TIMESTAMP)"
            ),
            {"u": user.id},
        )
    with engine.connect() as conn:
        assert read_preference(conn=conn, user_id=user.id, name="theme") is None

import pytest

from auth.passwords import MAX_LENGTH, hash_password, policy_problem, verify_password


def test_hashes_are_argon2id_and_verify():
    hashed = hash_password("violet tractor mango 42")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "violet tractor mango 42")
    assert not verify_password(hashed, "violet tractor mango 43")
    assert not verify_password(None, "anything at all")
    assert not verify_password("not-a-hash", "anything at all")


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short pass", "at least 12"),
        ("x" * (MAX_LENGTH + 1), "at most 128"),
        ("password1234", "very common password"),
        ("qwertyuiop12", "commonly used"),
        ("123456789012", "common"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password, problem):
    assert problem in (policy_problem(password) or "")


def test_a_password_made_of_the_users_own_details_is_refused():
    assert policy_problem("lopezana2024!", user_inputs=["ana.lopez@example.org", "Ana Lopez"])


def test_a_long_phrase_is_accepted():
    assert policy_problem("violet tractor mango 42") is None

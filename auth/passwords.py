"""argon2id password hashes and the password policy."""

from __future__ import annotations

from collections.abc import Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

MIN_LENGTH, MAX_LENGTH = 12, 128
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified when an email is unknown, so a miss takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password, only spends the same time")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def policy_problem(password: str, *, user_inputs: Sequence[str] = ()) -> str | None:
    """Why a new password is refused, in words for the user; None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    # zxcvbn knows common passwords, names, keyboard walks and the user's own details.
    verdict = zxcvbn(password[:100], user_inputs=[i for i in user_inputs if i])
    if verdict["score"] < 3:
        warning = verdict["feedback"]["warning"] or "This password is too easy to guess."
        return f"{warning} Try a longer phrase of unrelated words."
    return None

"""argon2id password hashes and the password policy."""

from __future__ import annotations

import re
from collections.abc import Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

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
    words = {w for text in user_inputs for w in re.split(r"[^a-z0-9]+", text.lower()) if len(w) > 2}
    rest = password.lower()
    for word in sorted(words, key=len, reverse=True):
        rest = rest.replace(word, "")
    if words and sum(c.isalpha() for c in rest) < 4:
        return "Do not build your password from your name or email address."
    from zxcvbn import zxcvbn  # its dictionaries (13 MB) only where a password is chosen

    verdict = zxcvbn(password[:100], user_inputs=sorted(words))
    if verdict["score"] < 3:
        warning = verdict["feedback"]["warning"] or "This password is too easy to guess."
        return f"{warning} Try a longer phrase of unrelated words."
    return None

"""Password hashes: argon2id (argon2-cffi, RFC 9106's low-memory profile) for new ones;
older Werkzeug hashes (scrypt, pbkdf2) still verify and are replaced at next sign-in."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

ARGON2 = "argon2id"
_argon2 = PasswordHasher()


def hash_password(password: str) -> str:
    method = current_app.config["COURSE_PASSWORD_HASH_METHOD"]
    if method == ARGON2:
        return _argon2.hash(password)
    return generate_password_hash(password, method=method)  # e.g. fast pbkdf2 in tests


def verify_password(stored: str, password: str) -> bool:
    if stored.startswith("$argon2"):
        try:
            return _argon2.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
    return check_password_hash(stored, password)


def needs_rehash(stored: str) -> bool:
    """True when the hash was made by another method or weaker settings than today's."""
    method = current_app.config["COURSE_PASSWORD_HASH_METHOD"]
    if method == ARGON2:
        return not stored.startswith("$argon2id$") or _argon2.check_needs_rehash(stored)
    return not stored.startswith(f"{method}$")

"""Secrets at rest: argon2id password hashes, encrypted TOTP seeds, hashed bearer tokens."""

from __future__ import annotations

import hashlib
import secrets

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from palermo.errors import Invalid
from palermo.settings import Settings
from palermo.translatable import N_

MIN_PASSWORD_LENGTH = 12  # NIST SP 800-63B allows 8; police systems ask for more.
TOKEN_PREFIX = "plm_"  # noqa: S105 - a visible marker, not a secret
TOTP_DIGITS = 6
TOTP_INTERVAL = 30


class Credentials:
    """Everything that turns a secret into what is stored, bound to this node's settings."""

    def __init__(self, settings: Settings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib
        )
        self._totp_key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"palermo totp seed v1"
        ).derive(settings.secret_key.encode())

    # Passwords -----------------------------------------------------------------------
    def hash_password(self, password: str) -> str:
        check_password_strength(password)
        return self._hasher.hash(password)

    def verify_password(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def burn_password_check(self) -> None:
        """Spend the time of one verification, so unknown usernames answer as slowly."""
        self._hasher.hash("timing-equaliser")

    # TOTP seeds ----------------------------------------------------------------------
    def seal_totp_secret(self, secret: str) -> bytes:
        nonce = secrets.token_bytes(12)
        return nonce + AESGCM(self._totp_key).encrypt(nonce, secret.encode(), b"totp")

    def open_totp_secret(self, sealed: bytes) -> str:
        return AESGCM(self._totp_key).decrypt(sealed[:12], sealed[12:], b"totp").decode()


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            N_("password must have at least %(length)s characters"), length=MIN_PASSWORD_LENGTH
        )
    if len(password) > 256:
        raise Invalid(N_("password must have at most 256 characters"))


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_step(secret: str, code: str, *, at: float) -> int | None:
    """The time step a code belongs to (±1 step of clock drift), or None if it is wrong."""
    totp = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_INTERVAL)
    code = code.strip().replace(" ", "")
    step = int(at // TOTP_INTERVAL)
    for drift in (0, -1, 1):
        candidate = step + drift
        if secrets.compare_digest(totp.at(candidate * TOTP_INTERVAL), code):
            return candidate
    return None


def provisioning_uri(secret: str, *, username: str, issuer: str) -> str:
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_INTERVAL).provisioning_uri(
        name=username, issuer_name=issuer
    )


def new_bearer_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest(secret: str) -> bytes:
    """Bearer secrets carry 256 bits of entropy, so a plain SHA-256 is the right hash."""
    return hashlib.sha256(secret.encode()).digest()

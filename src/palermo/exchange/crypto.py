"""The exchange's cryptography: canonical bytes, HPKE sealing per recipient agency (RFC 9180:
DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM — AES-256 as LEGAL S4 asks), Ed25519
signatures, attachment encryption, and agency private keys sealed under the node secret."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SUITE = Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.AES_256_GCM)
RAW = (serialization.Encoding.Raw, serialization.PublicFormat.Raw)
RAW_PRIVATE = (
    serialization.Encoding.Raw,
    serialization.PrivateFormat.Raw,
    serialization.NoEncryption(),
)


class CryptoFailure(Exception):
    """A signature that does not verify or a ciphertext that does not open."""


def canonical(document: Any) -> bytes:
    """Sorted, compact UTF-8 JSON: the bytes that are signed and hashed."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: object, what: str) -> bytes:
    if not isinstance(text, str):
        raise ValueError(f"{what} must be base64 text")
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise ValueError(f"{what} is not valid base64") from None


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# Key pairs -----------------------------------------------------------------------------
def new_encryption_key() -> tuple[bytes, bytes]:
    """(public, private) raw X25519 bytes."""
    private = X25519PrivateKey.generate()
    return private.public_key().public_bytes(*RAW), private.private_bytes(*RAW_PRIVATE)


def new_signing_key() -> tuple[bytes, bytes]:
    """(public, private) raw Ed25519 bytes."""
    private = Ed25519PrivateKey.generate()
    return private.public_key().public_bytes(*RAW), private.private_bytes(*RAW_PRIVATE)


# HPKE ----------------------------------------------------------------------------------
def _info(context: str) -> bytes:
    return b"palermo exchange v1|" + context.encode()


def seal_for(public: bytes, plaintext: bytes, context: str) -> bytes:
    """HPKE-encrypt to one agency; `context` (message id and agency) binds the ciphertext to
    its place, so a copy cannot be moved to another message or recipient."""
    return SUITE.encrypt(plaintext, X25519PublicKey.from_public_bytes(public), info=_info(context))


def opening_key(private: bytes) -> X25519PrivateKey:
    """The key that opens an agency's copies, from its raw private bytes."""
    try:
        return X25519PrivateKey.from_private_bytes(private)
    except ValueError:
        raise CryptoFailure("the agency's private key is malformed") from None


def open_sealed(private: X25519PrivateKey, ciphertext: bytes, context: str) -> bytes:
    try:
        return SUITE.decrypt(ciphertext, private, info=_info(context))
    except (InvalidTag, ValueError):
        raise CryptoFailure("the sealed content does not open with this agency's key") from None


# Signatures ----------------------------------------------------------------------------
def sign(private: bytes, data: bytes) -> bytes:
    return _signing_key(private).sign(data)


@lru_cache(maxsize=64)
def _signing_key(private: bytes) -> Ed25519PrivateKey:
    # Loading a private key derives its public half (70 µs here, half a signature's cost);
    # an agency signs with the same key message after message.
    return Ed25519PrivateKey.from_private_bytes(private)


def verify(public: bytes, signature: bytes, data: bytes) -> None:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, data)
    except (InvalidSignature, ValueError):
        raise CryptoFailure("signature does not verify") from None


# Attachments ---------------------------------------------------------------------------
def encrypt_blob(content: bytes) -> tuple[bytes, bytes]:
    """(key, nonce || ciphertext) with a fresh AES-256-GCM key per attachment."""
    key = AESGCM.generate_key(bit_length=256)
    nonce = secrets.token_bytes(12)
    return key, nonce + AESGCM(key).encrypt(nonce, content, None)


def decrypt_blob(key: bytes, blob: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(blob[:12], blob[12:], None)
    except (InvalidTag, ValueError):
        raise CryptoFailure("the attachment does not decrypt") from None


# Private keys at rest ------------------------------------------------------------------
class KeySealer:
    """Agency private keys are stored sealed (AES-256-GCM, key derived from the node secret,
    the key id as associated data): the database alone opens nothing."""

    def __init__(self, secret_key: str) -> None:
        self._aead = AESGCM(
            HKDF(
                algorithm=hashes.SHA256(), length=32, salt=None, info=b"palermo agency keys v1"
            ).derive(secret_key.encode())
        )

    def seal(self, kid: str, private: bytes) -> bytes:
        nonce = secrets.token_bytes(12)
        return nonce + self._aead.encrypt(nonce, private, kid.encode())

    def open(self, kid: str, sealed: bytes) -> bytes:
        try:
            return self._aead.decrypt(sealed[:12], sealed[12:], kid.encode())
        except InvalidTag:
            raise CryptoFailure(
                f"agency key {kid} does not open: was PALERMO_SECRET_KEY changed?"
            ) from None


@lru_cache(maxsize=4)
def sealer_for(secret_key: str) -> KeySealer:
    return KeySealer(secret_key)

"""Partner API keys: issued at random, stored only as SHA-256 hashes, checked in constant time.

A key looks like ``jgk_<prefix>_<secret>``: ``prefix`` (8 random bytes, hex) is its public
id, stored in clear to find the row and to let operators name a key; ``secret`` is 32
random bytes (256 bits, URL-safe base64). Only ``sha256(key)`` is stored
(:class:`~jobgate.storage.models.PartnerKey`): a leaked table opens nothing, and a plain
hash is enough because the key is high-entropy (no password stretching needed).

Keys named by a partner's ``api_key_env`` keep working: :class:`KeyChecker` reads them
once when the API starts and keeps only their hashes in memory.

Every comparison is between two SHA-256 digests with :func:`hmac.compare_digest`, so
neither the time taken nor the error returned tells how much of a key was right, nor
whether the partner exists.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from jobgate.config import Settings
from jobgate.storage import Store
from jobgate.storage.models import PartnerKey, utcnow

KEY_PREFIX = "jgk_"
_KEY_RE = re.compile(r"^jgk_([0-9a-f]{16})_[A-Za-z0-9_-]{43}$")
#: ``last_used_at`` is written at most this often per key: a busy partner must not
#: turn every feed read into a write.
LAST_USED_EVERY = timedelta(minutes=5)


def key_digest(key: str) -> bytes:
    """SHA-256 of a key (what is stored and compared)."""
    return hashlib.sha256(key.encode("utf-8")).digest()


@dataclass(frozen=True)
class IssuedKey:
    """A key just issued: ``key`` is shown once and never stored."""

    partner: str
    prefix: str
    key: str
    created_at: datetime


@dataclass(frozen=True)
class KeyInfo:
    """What the store knows of a key (no secret, no hash)."""

    partner: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def issue_key(store: Store, settings: Settings, partner: str) -> IssuedKey:
    """Create a new key for a configured partner; the returned key is the only copy."""
    settings.partner(partner)  # ConfigError when unknown
    prefix = secrets.token_hex(8)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    now = utcnow()
    with store.session() as s:
        s.add(PartnerKey(prefix=prefix, partner=partner, key_hash=key_digest(key).hex(), created_at=now))
    return IssuedKey(partner, prefix, key, now)


def list_keys(store: Store, partner: str | None = None) -> list[KeyInfo]:
    """Every stored key (revoked ones too), oldest first."""
    with store.session() as s:
        q = select(PartnerKey).order_by(PartnerKey.created_at, PartnerKey.id)
        if partner:
            q = q.where(PartnerKey.partner == partner)
        return [KeyInfo(k.partner, k.prefix, k.created_at, k.last_used_at, k.revoked_at) for k in s.scalars(q)]


def revoke_key(store: Store, prefix: str) -> bool:
    """Revoke the key with this prefix; returns whether a live key was revoked."""
    with store.session() as s:
        res = s.execute(update(PartnerKey).where(PartnerKey.prefix == prefix, PartnerKey.revoked_at.is_(None))
                        .values(revoked_at=utcnow()))
        return bool(getattr(res, "rowcount", 0))


class KeyChecker:
    """Answers "is this the key of that partner?" from the key store and ``api_key_env``.

    Environment keys are read when the checker is built (the API's start) and only
    their SHA-256 is kept: rotating one means restarting the API. Unknown partners,
    wrong keys, revoked keys and another partner's key all answer ``False`` alike.
    """

    def __init__(self, settings: Settings, store: Store) -> None:
        self._store = store
        self._env: dict[str, bytes] = {}
        for p in settings.partners:
            value = p.secret("api_key")
            if value:
                self._env[p.name] = key_digest(value)

    def identify(self, key: str | None) -> str | None:
        """The partner whose live key ``key`` is, or ``None`` (constant-time on the digests)."""
        if not key:
            return None
        given = key_digest(key)
        owner = None
        for partner, digest in self._env.items():  # every one compared: no early exit
            if hmac.compare_digest(given, digest):
                owner = partner
        m = _KEY_RE.match(key)
        if owner is None and m:
            owner = self._stored_owner(m.group(1), given)
        return owner

    def _stored_owner(self, prefix: str, given: bytes) -> str | None:
        now = utcnow()
        with self._store.session() as s:
            row = s.scalar(select(PartnerKey).where(PartnerKey.prefix == prefix))
            if row is None:
                return None
            if not hmac.compare_digest(given, bytes.fromhex(row.key_hash)) or row.revoked_at is not None:
                return None
            last = row.last_used_at
            if last is None or (last if last.tzinfo else last.replace(tzinfo=now.tzinfo)) < now - LAST_USED_EVERY:
                row.last_used_at = now
            return row.partner



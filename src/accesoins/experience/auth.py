"""Authentication primitives: argon2id hashes, tokens, session expiry, CSRF, rate limits.

No personal data of respondents is involved here. For rate limiting, a client is
known only by an HMAC of its address under a random salt that lives in memory
and changes every day (UTC): the address itself is never stored, and the hash
cannot be linked across days or after a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, date, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

ROLES = ("editor", "site_manager", "admin")
ROLE_LABELS = {"editor": "Éditeur (association)", "site_manager": "Responsable de site", "admin": "Administrateur"}
# argon2-cffi's defaults are the RFC 9106 "low memory" profile, argon2id.
_hasher = PasswordHasher()
MIN_PASSWORD = 12


def hash_password(password: str) -> str:
    """An argon2id hash (salt and parameters included) of ``password``."""
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    """True when ``password`` matches the stored hash; never raises on a bad hash."""
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


_DUMMY = None


def burn_time(password: str) -> None:
    """Spend a hash verification's time when the login is unknown (no timing oracle)."""
    global _DUMMY
    if _DUMMY is None:
        _DUMMY = hash_password(secrets.token_urlsafe(16))
    verify_password(_DUMMY, password)


def new_token() -> str:
    """A 256-bit random token (session identifier, CSRF token, idempotency token)."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the database keeps of a session token: its SHA-256 (a stolen table opens no session)."""
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two tokens."""
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


@dataclass(frozen=True)
class SessionTimes:
    """When a session started and was last used (UTC seconds)."""

    created: float
    last_seen: float


def session_expired(times: SessionTimes, now: float, idle: int, absolute: int) -> bool:
    """True when the session has been idle too long or is too old."""
    return now - times.last_seen > idle or now - times.created > absolute


class DailySalt:
    """A random salt, kept in memory only, replaced at each new UTC day."""

    def __init__(self) -> None:
        self._day: date | None = None
        self._salt = b""
        self._lock = threading.Lock()

    def fingerprint(self, client: str, now: float | None = None) -> str:
        """HMAC-SHA256 of the client's address under today's salt (hex, 16 bytes)."""
        day = datetime.fromtimestamp(now if now is not None else time.time(), UTC).date()
        with self._lock:
            if day != self._day:
                self._day, self._salt = day, secrets.token_bytes(32)
            salt = self._salt
        return hmac.new(salt, client.encode(), hashlib.sha256).hexdigest()[:32]


class RateLimiter:
    """At most ``limit`` events per ``window`` seconds per key (sliding window, in memory)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        """Record an event for ``key`` and say whether it is within the limit."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._events) > 100_000:  # bound memory: forget idle keys
                self._events = {k: v for k, v in self._events.items() if v and now - v[-1] < self.window}
            q = self._events.setdefault(key, deque())
            while q and now - q[0] >= self.window:
                q.popleft()
            if len(q) >= self.limit:
                return False
            q.append(now)
            return True

"""Who is calling, and what they may do: API keys, optional OIDC JWT bearer tokens, roles.

API keys look like ``kz_<key id>_<secret>``. The key id is public (it names the key in logs, the
audit trail and ``kizuna keys list``); the 256-bit secret is shown once and stored only as
HMAC-SHA256(pepper, secret), compared in constant time.

Why HMAC-SHA256 with a pepper rather than argon2: argon2's cost protects low-entropy passwords
from guessing. A key secret is 32 random bytes: no guessing attack exists to slow down, so a
slow hash would only add tens of milliseconds of CPU to every request (the look-up target is
50 ms at p95). The server-side pepper means a stolen copy of the database alone cannot even
confirm a guess.

Roles: viewer < investigator < reviewer < admin form a ladder; auditor stands apart and may
only read the audit trail (nobody else may).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from enum import Enum
from typing import Any

import jwt
import strawberry
from strawberry.permission import BasePermission

from api.config import ApiConfig
from graph.db import Database
from graph.provenance import utc_now_iso
from kizuna.errors import InvalidInput, NotFound, Unauthenticated
from queries import keys as keys_q

KEY_PATTERN = re.compile(r"^kz_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")


@strawberry.enum(description="Access roles. viewer < investigator < reviewer < admin; auditor reads only the audit trail.")
class Role(Enum):
    VIEWER = "viewer"
    INVESTIGATOR = "investigator"
    REVIEWER = "reviewer"
    ADMIN = "admin"
    AUDITOR = "auditor"


LADDER = [Role.VIEWER, Role.INVESTIGATOR, Role.REVIEWER, Role.ADMIN]


def role_from(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise InvalidInput(f"unknown role {value!r}; roles are {', '.join(r.value for r in Role)}") from None


def allows(role: Role, required: Role) -> bool:
    """True when ``role`` may do what ``required`` may. The auditor is outside the ladder."""
    if required is Role.AUDITOR or role is Role.AUDITOR:
        return role is required
    return LADDER.index(role) >= LADDER.index(required)


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: ``actor`` is what the audit trail records (``key:<id>`` or
    ``oidc:<issuer>|<subject>``), never a secret."""

    actor: str
    name: str
    role: Role


def hash_secret(secret: str, pepper: str) -> str:
    return hmac.new(pepper.encode("utf-8"), secret.encode("utf-8"), hashlib.sha256).hexdigest()


def new_key() -> tuple[str, str, str]:
    """A fresh key: (key id, secret, the full key to hand out once)."""
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return key_id, secret, f"kz_{key_id}_{secret}"


async def create_api_key(db: Database, config: ApiConfig, *, name: str, role: str) -> tuple[str, str]:
    """Store a new key for ``role``; returns (key id, full key). The full key is not kept."""
    role_value = role_from(role).value
    if not name.strip():
        raise InvalidInput("a key needs a name (who or what system uses it)")
    key_id, secret, full = new_key()
    await keys_q.create_key(db, key_id=key_id, name=name.strip(), role=role_value, key_hash=hash_secret(secret, config.key_pepper), created_at=utc_now_iso())
    return key_id, full


async def revoke_api_key(db: Database, key_id: str) -> dict:
    row = await keys_q.revoke_key(db, key_id, utc_now_iso())
    if row is None:
        raise NotFound(f"no API key with id {key_id!r}", hint="`kizuna keys list` shows the ids")
    return row


class Authenticator:
    """Turns an Authorization / X-API-Key header into a Principal, or raises Unauthenticated.

    Verified keys are cached for ``key_cache_seconds`` so that a look-up does not cost a database
    round trip per request; revocation therefore takes effect within that time."""

    def __init__(self, db: Database, config: ApiConfig):
        self.db = db
        self.config = config
        self._cache: dict[str, tuple[float, Principal]] = {}
        self._jwks = jwt.PyJWKClient(config.oidc_jwks_url) if config.oidc_jwks_url else None

    async def authenticate(self, headers: Any) -> Principal:
        api_key = headers.get("x-api-key")
        auth = headers.get("authorization") or ""
        if not api_key and auth[:7].lower() == "bearer ":
            token = auth[7:].strip()
            if token.startswith("kz_"):
                api_key = token
            else:
                return self._from_jwt(token)
        if not api_key:
            raise Unauthenticated("no credentials: send an API key (X-API-Key or Authorization: Bearer) or an OIDC token")
        return await self._from_key(api_key.strip())

    async def _from_key(self, api_key: str) -> Principal:
        match = KEY_PATTERN.match(api_key)
        if not match:
            raise Unauthenticated("malformed API key")
        key_id, secret = match.groups()
        digest = hash_secret(secret, self.config.key_pepper)
        cached = self._cache.get(digest)
        now = time.monotonic()
        if cached and now - cached[0] < self.config.key_cache_seconds:
            return cached[1]
        row = await keys_q.get_key(self.db, key_id)
        if row is None or not hmac.compare_digest(row["key_hash"], digest):
            raise Unauthenticated("unknown API key")
        if row.get("revoked_at"):
            self._cache.pop(digest, None)
            raise Unauthenticated("this API key was revoked")
        principal = Principal(actor=f"key:{key_id}", name=row["name"], role=role_from(row["role"]))
        self._cache[digest] = (now, principal)
        return principal

    def _from_jwt(self, token: str) -> Principal:
        cfg = self.config
        if not (cfg.oidc_public_key or self._jwks):
            raise Unauthenticated("bearer tokens are not accepted here (no OIDC provider configured)")
        try:
            key: Any = self._jwks.get_signing_key_from_jwt(token).key if self._jwks else cfg.oidc_public_key
            claims = jwt.decode(
                token,
                key,
                algorithms=cfg.oidc_algorithms,
                audience=cfg.oidc_audience,
                issuer=cfg.oidc_issuer,
                options={"require": ["exp", "sub"] + (["iss"] if cfg.oidc_issuer else []) + (["aud"] if cfg.oidc_audience else [])},
            )
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"the bearer token was refused: {exc}") from None
        role_claim = claims.get(cfg.oidc_role_claim)
        if isinstance(role_claim, list):
            roles = [r for r in (Role._value2member_map_.get(str(v).lower()) for v in role_claim) if r]
            role = max(roles, key=lambda r: LADDER.index(r) if r in LADDER else -1, default=None)
        else:
            role = Role._value2member_map_.get(str(role_claim).lower()) if role_claim else None
        if role is None:
            raise Unauthenticated(f"the bearer token carries no Kizuna role in claim {cfg.oidc_role_claim!r}")
        return Principal(actor=f"oidc:{claims.get('iss', '')}|{claims['sub']}", name=str(claims.get("name") or claims["sub"]), role=role)


def requires(required: Role) -> type[BasePermission]:
    """A strawberry permission class admitting ``required`` (and higher ranks on the ladder)."""

    class _Requires(BasePermission):
        message = f"this needs the {required.value} role" + (" or higher" if required in LADDER[:-1] else "")
        error_extensions = {"code": "FORBIDDEN", "required_role": required.value}

        def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
            principal: Principal | None = info.context.get("principal")
            return principal is not None and allows(principal.role, required)

    _Requires.__name__ = f"Requires{required.name.title()}"
    return _Requires


class IsAuthenticated(BasePermission):
    """Any signed-in caller, whatever the role (the auditor included): for questions about oneself."""

    message = "sign in with an API key or a bearer token"
    error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return info.context.get("principal") is not None


IsViewer = requires(Role.VIEWER)
IsInvestigator = requires(Role.INVESTIGATOR)
IsReviewer = requires(Role.REVIEWER)
IsAdmin = requires(Role.ADMIN)
IsAuditor = requires(Role.AUDITOR)

"""API key records (label ApiKey, no Entity label): created, read, listed and revoked.

Only the public key id and a peppered hash are stored; the secret is shown once at creation.
Revocation keeps the record (who had access, and until when, stays on file).
"""

from __future__ import annotations

from graph.db import Database
from queries.cypher import cypher


async def create_key(db: Database, *, key_id: str, name: str, role: str, key_hash: str, created_at: str) -> None:
    await db.write(
        cypher("keys", "create"),
        {"id": f"key:{key_id}", "key_id": key_id, "name": name, "role": role, "key_hash": key_hash, "created_at": created_at},
    )


async def get_key(db: Database, key_id: str) -> dict | None:
    rows = await db.read(cypher("keys", "get"), {"key_id": key_id})
    return rows[0] if rows else None


async def list_keys(db: Database) -> list[dict]:
    return await db.read(cypher("keys", "list"))


async def revoke_key(db: Database, key_id: str, at: str) -> dict | None:
    rows = await db.write(cypher("keys", "revoke"), {"key_id": key_id, "at": at})
    return rows[0] if rows else None

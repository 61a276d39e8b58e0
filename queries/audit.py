"""The append-only audit trail of person look-ups, with a tamper-evident hash chain.

Each entry's hash covers its own fields and the previous entry's hash, so changing, removing
or re-ordering any entry breaks every later link; ``verify_chain`` finds the first break.
Appends lock one head node inside the write transaction, so concurrent API processes still
produce one linear chain. No function here updates or deletes an entry, and nothing in the API
calls Cypher that could.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import neo4j

from graph.db import Database
from queries.cypher import cypher

GENESIS = "0" * 64
ENTRY_FIELDS = ("seq", "at", "actor", "actor_role", "operation", "person_id", "prev_hash")


def entry_hash(entry: dict) -> str:
    """SHA-256 over the canonical JSON of the entry's fields (including the previous hash)."""
    canonical = json.dumps({k: entry.get(k) for k in ENTRY_FIELDS}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Head:
    """Where the chain ends: the last entry's sequence number and hash."""

    seq: int
    hash: str


EMPTY_HEAD = Head(0, GENESIS)


def chain_rows(entries: list[dict], head: Head) -> tuple[list[dict], Head]:
    """The entries as rows linked onto ``head`` (seq, prev_hash, id, hash), and the new head."""
    seq, prev = head.seq, head.hash
    rows = []
    for e in entries:
        seq += 1
        row = {k: e.get(k) for k in ("at", "actor", "actor_role", "operation", "person_id")}
        row.update(seq=seq, prev_hash=prev, id=f"aud:{seq}")
        row["hash"] = prev = entry_hash(row)
        rows.append(row)
    return rows, Head(seq, prev)


async def append_entries(db: Database, entries: list[dict], expected: Head = EMPTY_HEAD) -> tuple[list[int], Head]:
    """Append entries (at, actor, actor_role, operation, person_id) in one transaction; returns
    their sequence numbers and the new head. Either all are written or none.

    Why ``expected``: a caller that remembers the head it left (the API's one appender per
    process) appends in a single statement, one round trip fewer than reading the head first.
    A wrong guess costs one more statement, never a fork."""

    async def work(tx: neo4j.AsyncManagedTransaction) -> tuple[list[int], Head]:
        head = expected
        while True:
            rows, new_head = chain_rows(entries, head)
            result = await tx.run(cypher("audit", "append"), rows=rows, seq=new_head.seq, hash=new_head.hash,
                                  expected_seq=head.seq, expected_hash=head.hash, genesis=GENESIS, at=entries[0]["at"])
            found = await result.single()
            if found["ok"]:
                return [r["seq"] for r in rows], new_head
            head = Head(found["seq"], found["hash"])  # another process appended; the lock is ours now

    return await db.execute_write(work)


async def read_page(db: Database, *, person_id: str | None, actor: str | None, skip: int, limit: int) -> tuple[int, list[dict]]:
    rows = await db.read(cypher("audit", "page"), {"person_id": person_id, "actor": actor, "skip": skip, "limit": limit})
    return rows[0]["total"], rows[0]["items"]


@dataclass
class ChainStatus:
    valid: bool
    entries: int
    first_broken_seq: int | None
    head_seq: int


async def verify_chain(db: Database, *, batch: int = 5000) -> ChainStatus:
    """Recompute every link from the genesis hash; report the first entry that does not match
    (edited, deleted, inserted or re-ordered) and whether the head agrees with the last entry."""
    head_rows = await db.read(cypher("audit", "head"))
    head_seq, head_hash = (head_rows[0]["seq"], head_rows[0]["hash"]) if head_rows else (0, GENESIS)
    prev, expected_seq, count, after = GENESIS, 1, 0, 0
    while True:
        rows = await db.read(cypher("audit", "chain"), {"after_seq": after, "limit": batch})
        if not rows:
            break
        for r in rows:
            e = r["entry"]
            if e.get("seq") != expected_seq or e.get("prev_hash") != prev or entry_hash(e) != e.get("hash"):
                return ChainStatus(False, count, expected_seq, head_seq)
            prev, expected_seq, count, after = e["hash"], expected_seq + 1, count + 1, e["seq"]
    if count != head_seq or prev != head_hash:
        return ChainStatus(False, count, count + 1, head_seq)
    return ChainStatus(True, count, None, head_seq)

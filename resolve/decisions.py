"""Human decisions on SAME_AS pairs: same / not same, who, when, why — and what follows from them.

Why they live in the graph, on the SAME_AS relationship itself: a decision must survive
re-ingest (ingestors MERGE nodes by deterministic id and never touch SAME_AS) and re-resolution
(the pipeline never overwrites a decided pair). Each decision also appends one evidence entry
(locator "decision <time> by <who>", text = why), so the history of a pair, including an undo, is
kept even though the current decision is a single property.

Positives propagate transitively (A=B and B=C make A, B, C one cluster); a negative between two
members forbids the whole clusters from being proposed again. Propagation is computed when read
(``Decisions``), not materialized, so undoing one decision undoes everything derived from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph.db import Database
from graph.provenance import Evidence, utc_now_iso
from graph.writer import GraphWriter
from kizuna.errors import InvalidInput, NotFound
from resolve.graph_io import DECISIONS_SOURCE_ID, cypher, pair, same_as_record

HUMAN_DECISIONS = ("same", "not_same")


@dataclass
class Decisions:
    """The decided pairs of the graph, with clusters of "same" and the negatives between them."""

    pairs: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    parent: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: list[dict[str, Any]]) -> "Decisions":
        d = cls()
        for r in rows:
            d.pairs[pair(r["a"], r["b"])] = r
        for (a, b), r in d.pairs.items():
            if r.get("decision") == "same":
                d._union(a, b)
        return d

    def _find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def cluster(self, entity_id: str) -> set[str]:
        root = self._find(entity_id)
        return {x for x in list(self.parent) if self._find(x) == root}

    def decided(self, a: str, b: str) -> str | None:
        """"same" / "not_same" for the pair, directly or by propagation; None when open."""
        r = self.pairs.get(pair(a, b))
        if r and r.get("decision") in HUMAN_DECISIONS and (r.get("decided_by") or "").split(":")[0] != "rule":
            return r["decision"]
        ra, rb = self._find(a), self._find(b)
        if ra == rb:
            return "same"
        for (x, y), r in self.pairs.items():
            if r.get("decision") == "not_same" and {self._find(x), self._find(y)} == {ra, rb}:
                return "not_same"
        return None

    def conflicts(self) -> list[tuple[str, str]]:
        """Pairs decided "not same" although their clusters say "same" (a human must look)."""
        return [(a, b) for (a, b), r in self.pairs.items()
                if r.get("decision") == "not_same" and self._find(a) == self._find(b)]

    def negative_clusters(self) -> set[frozenset[str]]:
        return {frozenset((self._find(a), self._find(b))) for (a, b), r in self.pairs.items() if r.get("decision") == "not_same"}


PROPAGATION = "propagation"


async def load_decisions(db: Database) -> Decisions:
    """Human and identifier-rule decisions; pairs marked by propagation are derived, not sources."""
    rows = await db.read(cypher("same_as"))
    return Decisions.from_rows([r for r in rows if r.get("decision") in HUMAN_DECISIONS and r.get("decided_by") != PROPAGATION])


async def refresh_propagated(db: Database, decisions: Decisions) -> int:
    """Bring undecided and propagated pairs in line with the current decisions: a pending candidate
    inside one "same" cluster, or across two clusters kept apart, is marked as decided by
    propagation; a propagated pair whose reason was undone becomes a candidate again."""
    rows = await db.read(cypher("same_as"))
    now = utc_now_iso()
    updates = []
    for r in rows:
        if r.get("decided_by") not in (None, PROPAGATION):
            continue
        target = decisions.decided(r["a"], r["b"]) or "candidate"
        if target != r.get("decision"):
            why = "follows from the decisions on related pairs" if target != "candidate" else "the decision it followed from was undone"
            props = {"candidate": target == "candidate", "decision": target, "decided_by": PROPAGATION, "decided_at": now, "rationale": why}
            ev = Evidence(DECISIONS_SOURCE_ID, f"propagation {now}: {target}", now, "decision propagation", text=why)
            updates.append(same_as_record(r["a"], r["b"], props, ev))
    if updates:
        await GraphWriter(db).write_relationships(updates)
    return len(updates)


async def decide(db: Database, a: str, b: str, *, same: bool, by: str, why: str, undo: bool = False) -> dict[str, Any]:
    """Record a human decision on a pair. ``undo`` marks the reversal of an earlier "same"."""
    if not by or not by.strip():
        raise InvalidInput("a decision needs who made it (--by)")
    if not why or not why.strip():
        raise InvalidInput("a decision needs a reason (--why)")
    if a == b:
        raise InvalidInput("an entity is trivially the same as itself")
    rows = await db.read(cypher("labels"), {"ids": [a, b]})
    labels = {r["id"]: r["labels"] for r in rows}
    for x in (a, b):
        if not labels.get(x):
            raise NotFound(f"no Organization or Person with id {x!r}")
    if labels[a] != labels[b]:
        raise InvalidInput("an organization and a person cannot be the same entity")
    now = utc_now_iso()
    decision = "same" if same else "not_same"
    rationale = f"undo: {why}" if undo else why
    props = {"candidate": False, "decision": decision, "decided_by": by, "decided_at": now, "rationale": rationale}
    ev = Evidence(DECISIONS_SOURCE_ID, f"decision {now} by {by}: {'undo' if undo else decision}", now, "human decision", text=rationale)
    await GraphWriter(db).write_relationships([same_as_record(a, b, props, ev)])
    return {"a": pair(a, b)[0], "b": pair(a, b)[1], **props}


async def undo(db: Database, a: str, b: str, *, by: str, why: str) -> dict[str, Any]:
    """Undo a merge: the pair becomes "not same" (and stays so in later runs); the earlier
    decision remains in the pair's evidence history."""
    current = await db.read(cypher("same_as_pair"), {"a": pair(a, b)[0], "b": pair(a, b)[1]})
    if not current or current[0].get("decision") != "same":
        raise NotFound(f"there is no 'same' decision between {a} and {b} to undo")
    return await decide(db, a, b, same=False, by=by, why=why, undo=True)


async def history(db: Database, a: str, b: str) -> dict[str, Any] | None:
    rows = await db.read(cypher("same_as_pair"), {"a": pair(a, b)[0], "b": pair(a, b)[1]})
    return rows[0] if rows else None


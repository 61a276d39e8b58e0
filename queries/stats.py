"""Counts per label and relationship type (`kizuna stats`), read from the count store."""

from __future__ import annotations

from graph.db import Database
from queries.cypher import cypher


async def graph_stats(db: Database) -> dict:
    labels = {r["label"]: r["count"] for r in await db.read(cypher("stats", "labels"))}
    rels = {r["type"]: r["count"] for r in await db.read(cypher("stats", "relationships"))}
    return {"labels": labels, "relationships": rels, "nodes": labels.get("Entity", 0), "relationship_total": sum(rels.values())}

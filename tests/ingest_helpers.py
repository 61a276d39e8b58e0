"""Small read helpers shared by the ingest tests (reads only; writes go through the ingestors)."""

from __future__ import annotations

from graph.db import Database

DATA = __import__("pathlib").Path(__file__).resolve().parent / "data" / "ingest"


async def graph_counts(db: Database) -> dict[str, int]:
    """Nodes, relationships, properties and evidence entries: what re-ingesting must not change."""
    rows = await db.read(
        "MATCH (n) WHERE NOT n:KizunaSchema "
        "RETURN count(n) AS nodes, sum(size(keys(n))) AS node_props, sum(size(coalesce(n.ev_key, []))) AS node_ev, "
        "sum(size(coalesce(n.names, []))) AS names"
    )
    rel_rows = await db.read(
        "MATCH ()-[r]->() RETURN count(r) AS rels, sum(size(keys(r))) AS rel_props, sum(size(coalesce(r.ev_key, []))) AS rel_ev"
    )
    return {**{k: v or 0 for k, v in rows[0].items()}, **{k: v or 0 for k, v in rel_rows[0].items()}}


async def one(db: Database, cypher: str, **params) -> dict:
    rows = await db.read(cypher, params)
    assert len(rows) == 1, f"expected one row, got {len(rows)}: {rows[:3]}"
    return rows[0]


async def value(db: Database, cypher: str, **params):
    row = await one(db, cypher, **params)
    return next(iter(row.values()))

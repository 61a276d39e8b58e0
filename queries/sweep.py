"""Sweep reads: sweeps and their results (for the CLI and the GraphQL `sweep`/`sweeps`
operations), named populations, and the batch concern-path finder used by sweeps.

The concern-path finder here is the sweep's stand-in until queries/paths.py + queries/assess.py
(issue 6) are merged; ingest/sweep/steps.py is the single place that chooses between them.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from graph.db import Database
from graph.model import load_model
from graph.schema import ident
from queries.cypher import cypher

#: Relationship categories a concern path may follow (SAME_AS only when decided 'same').
PATH_CATEGORIES = ("link", "structure", "resolution")


def _decode(sweep: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in sweep.items() if not k.startswith("ev_") and k not in ("first_seen", "last_seen", "confidence")}
    for key in ("diff", "counts", "source_checksums"):
        if isinstance(out.get(key), str):
            out[key] = json.loads(out[key])
    return out


async def get_sweep(db: Database, sweep_id: str) -> dict[str, Any] | None:
    """One sweep with its counts, source checksums and diff (decoded), or None."""
    rows = await db.read(cypher("sweep", "sweep_by_id"), {"id": sweep_id})
    return _decode(rows[0]["sweep"]) if rows else None


async def list_sweeps(db: Database, definition_id: str | None = None, *, limit: int = 50, skip: int = 0) -> list[dict]:
    """Sweeps, newest first, optionally of one definition (without their diff, which can be large)."""
    rows = await db.read(cypher("sweep", "sweeps"), {"definition_id": definition_id, "limit": limit, "skip": skip})
    out = []
    for r in rows:
        sweep = _decode(r["sweep"])
        sweep.pop("diff", None)
        out.append(sweep)
    return out


async def count_sweeps(db: Database, definition_id: str | None = None) -> int:
    return (await db.read(cypher("sweep", "count_sweeps"), {"definition_id": definition_id}))[0]["total"]


async def sweep_results(db: Database, sweep_id: str) -> list[dict[str, Any]]:
    """Every subject's stored result of a sweep, findings decoded, ordered by subject id."""
    rows = await db.read(cypher("sweep", "sweep_results"), {"sweep_id": sweep_id})
    for r in rows:
        r["findings"] = json.loads(r["findings"]) if r.get("findings") else []
    return rows


async def population(db: Database, statement: str) -> list[str]:
    """Subject ids of a named population statement (allow-listed in ingest/sweep/definition.py)."""
    return [r["id"] for r in await db.read(cypher("sweep", statement))]


def link_types() -> list[str]:
    return load_model().rel_types("link", "structure")


@lru_cache(maxsize=8)
def concern_paths_statement(max_hops: int) -> str:
    """The batch concern-path statement with allow-listed relationship types and the hop bound."""
    if not 1 <= int(max_hops) <= 6:
        raise ValueError("max_hops must be between 1 and 6")
    types = "|".join(ident(t) for t in load_model().rel_types(*PATH_CATEGORIES))
    return (
        cypher("sweep", "concern_paths_batch").replace("$$REL_TYPES$$", types).replace("$$MAX_HOPS$$", str(int(max_hops)))
    )


async def subjects(db: Database, ids: list[str]) -> list[dict[str, Any]]:
    return await db.read(cypher("sweep", "subjects"), {"ids": ids, "link_types": link_types()})


async def concern_paths(db: Database, ids: list[str], *, lists: list[str], as_of: str, max_hops: int) -> list[dict]:
    """Best path per (subject, listed entity, watchlist) for a batch of subjects."""
    return await db.read(concern_paths_statement(max_hops), {"ids": ids, "lists": lists, "as_of": as_of})

"""Screening: rank the listed entities of chosen watchlists against a name, with listings and
an explanation for every hit.

Why an index per list selection: screening is many short queries against the same few thousand
listed names; building the ``NameIndex`` once per (lists, kind) and reusing it keeps one query
well under a millisecond. Screening ranks names; it never links or merges anything, and for
persons a hit means only "this name is on the list" — the explanation says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph.db import Database
from resolve.graph_io import cypher
from resolve.index import EntityRecord, NameIndex

SCREEN_THRESHOLD = 0.90


@dataclass
class Screener:
    """Listed entities of the chosen lists, indexed per kind."""

    indexes: dict[str, NameIndex]
    listings: dict[str, list[dict[str, Any]]]
    lists: list[str] | None

    @classmethod
    async def load(cls, db: Database, lists: list[str] | None = None) -> "Screener":
        rows = await db.read(cypher("listed"), {"lists": lists or None})
        by_kind: dict[str, list[EntityRecord]] = {"org": [], "person": []}
        listings: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            names = [row.get("name"), *row.get("names", []), *(x.get("listed_name") for x in row["listings"])]
            ids = {k: row.get(k) for k in ("ror", "wikidata", "lei", "orcid") if row.get(k)}
            ctx = {"country": row.get("country"), "city": row.get("city")} if row["kind"] == "org" else {}
            by_kind[row["kind"]].append(EntityRecord(row["id"], row["kind"], [n for n in dict.fromkeys(names) if n],
                                                     ids, ctx, row.get("acronyms") or [], label=row.get("name") or ""))
            listings[row["id"]] = row["listings"]
        return cls({k: NameIndex(v, k) for k, v in by_kind.items()}, listings, lists)

    def screen(self, name: str, *, kind: str | None = None, threshold: float = SCREEN_THRESHOLD, limit: int = 10) -> dict[str, Any]:
        kinds = [kind] if kind else ["org", "person"]
        hits = []
        for k in kinds:
            for cand in self.indexes[k].screen(name, threshold=threshold, limit=limit):
                hit = cand.as_dict()
                hit["kind"] = k
                hit["listings"] = self.listings.get(cand.entity_id, [])
                if k == "person":
                    hit["features"]["note"] = {"value": "name match only: not evidence that this is the same person"}
                hits.append(hit)
        hits.sort(key=lambda h: (-h["score"], h["entity_id"]))
        return {"query": name, "kind": kind or "any", "lists": self.lists or "all", "matches": hits[:limit]}

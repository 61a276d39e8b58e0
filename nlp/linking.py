"""Linking organization mentions to graph organizations.

Entity resolution proper (resolve/) is built in parallel; the extractor depends only on the
``OrgLinker`` protocol below, so the resolver can replace the default without touching nlp/.
The default links by the gazetteer (exact normalized name or alias in any script, built from the
graph), then by the graph's full-text index ``entity_names`` confirmed with a fuzzy name score.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from rapidfuzz import fuzz

from graph.db import Database
from nlp.gazetteer import Gazetteer, OrgEntry, normalize_name

FULLTEXT_MIN_SIMILARITY = 92.0
_NAME = re.compile(r"^//\s*name:\s*(\S+)\s*$", re.M)
_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/&|])')


@lru_cache(maxsize=1)
def graph_statements() -> dict[str, str]:
    text = (Path(__file__).resolve().parent / "graph.cypher").read_text(encoding="utf-8")
    parts = _NAME.split(text)
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts), 2)}


class OrgLinker(Protocol):
    """Resolve an organization name found in a disclosure to a graph id.

    ``context`` may carry the gazetteer entry id of the mention (``entry_id``) and nearby words.
    Returns ``(org_id, score)`` with score in [0, 1], or ``(None, 0.0)`` when unresolved.
    """

    def link(self, name: str, lang: str, context: dict) -> tuple[str | None, float]: ...


async def load_graph_entries(db: Database) -> list[OrgEntry]:
    rows = await db.read(graph_statements()["organization_names"])
    return [
        OrgEntry(r["id"], r["name"] or (r["names"] or [r["id"]])[0], [n for n in r["names"] if n], r["kind"], r["ror"], unresolved=r["unresolved"])
        for r in rows
    ]


class GraphOrgLinker:
    """Default linker: gazetteer hit or exact normalized name first, then full-text + fuzzy check.

    Full-text look-ups need the database, which is async; ``prepare`` runs them for the names of
    a document in advance, and ``link`` (sync, called per fact) reads the answers.
    """

    def __init__(self, gazetteer: Gazetteer, db: Database | None = None):
        self.gazetteer = gazetteer
        self.db = db
        self._fulltext: dict[str, tuple[str | None, float]] = {}

    async def prepare(self, names: list[str]) -> None:
        if self.db is None:
            return
        for name in names:
            key = normalize_name(name)
            if key in self._fulltext or self.gazetteer.lookup(name) is not None:
                continue
            terms = [_LUCENE_SPECIAL.sub(r"\\\1", t) for t in name.split() if t.strip()]
            terms = [t for t in terms if t.upper() not in {"AND", "OR", "NOT"}]
            best: tuple[str | None, float] = (None, 0.0)
            if terms:
                rows = await self.db.read(graph_statements()["fulltext_organizations"], {"lucene": " AND ".join(terms), "limit": 10})
                for row in rows:
                    sim = max((fuzz.ratio(key, normalize_name(n)) for n in [row["name"] or "", *row["names"]] if n), default=0.0)
                    if sim >= FULLTEXT_MIN_SIMILARITY and sim / 100 > best[1]:
                        best = (row["id"], sim / 100)
            self._fulltext[key] = best

    def link(self, name: str, lang: str, context: dict) -> tuple[str | None, float]:
        entry_id = context.get("entry_id")
        if entry_id and entry_id in self.gazetteer.entries and not self.gazetteer.entries[entry_id].unresolved:
            return entry_id, 1.0
        entry = self.gazetteer.lookup(name)
        if entry is not None and not entry.unresolved:
            return entry.id, 0.95
        return self._fulltext.get(normalize_name(name), (None, 0.0))

"""Find entities by name or alias (any script) or by identifier.

Why full-text and not CONTAINS: the index tokenizes CJK text into bigrams and Latin text into
words, so 清華 finds 清華大学 and "tsinghua" finds "Tsinghua University" without a scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph.db import Database
from graph.model import load_model
from kizuna.errors import InvalidInput
from queries.cypher import cypher

MAX_QUERY_LENGTH = 200
_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/&|])')


@dataclass
class SearchHit:
    id: str
    label: str
    name: str | None
    names: list[str]
    kind: str | None
    score: float


def lucene_query(text: str) -> str:
    """Escape user text for Lucene; every term must match (AND), with a fuzzy fallback term."""
    terms = [_LUCENE_SPECIAL.sub(r"\\\1", t) for t in text.split() if t.strip()]
    terms = [t for t in terms if t.upper() not in {"AND", "OR", "NOT"}]
    if not terms:
        raise InvalidInput("the search text has no searchable characters")
    return " AND ".join(terms)


async def search(db: Database, text: str, *, labels: list[str] | None = None, limit: int = 20, skip: int = 0) -> list[SearchHit]:
    """Ranked entities whose names or aliases match ``text``; identifiers match exactly first."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput("the search text is empty")
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidInput(f"the search text is longer than {MAX_QUERY_LENGTH} characters")
    model = load_model()
    if labels:
        unknown = [label for label in labels if label not in model.nodes]
        if unknown:
            raise InvalidInput(f"unknown entity types: {', '.join(unknown)}")
    limit = max(1, min(int(limit), 100))
    rows = await db.read(cypher("search", "by_identifier"), {"q": text, "limit": limit}) if skip == 0 else []
    seen = {r["id"] for r in rows}
    rows += [
        r
        for r in await db.read(
            cypher("search", "fulltext"),
            {"lucene": lucene_query(text), "labels": labels, "limit": limit, "skip": max(0, int(skip))},
        )
        if r["id"] not in seen
    ]
    return [SearchHit(r["id"], r["label"], r["name"], r["names"] or [], r["kind"], float(r["score"])) for r in rows[:limit]]

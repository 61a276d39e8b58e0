"""Batched look-ups of persons, organizations, their relationships and watchlists.

Why batched: the API resolves nested fields (a person's affiliations, each organization's
listings, each list) through per-request loaders that ask for many ids at once, so a nested
query costs a handful of round trips however many rows it returns (no N+1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graph.db import Database
from graph.model import load_model
from graph.schema import ident
from queries.cypher import cypher

# Relationship types that only bookkeeping or protected data use: never shown as relations.
HIDDEN_TYPES = frozenset({"HAS_PERSONAL_DATA"})


@dataclass
class NodeRow:
    id: str
    label: str
    props: dict[str, Any]


@dataclass
class RelRow:
    type: str
    outgoing: bool
    props: dict[str, Any]
    other: NodeRow


@dataclass
class RelPage:
    total: int
    items: list[RelRow] = field(default_factory=list)


def visible_types(types: list[str] | None) -> list[str]:
    """The requested relationship types that the model knows and that may be shown."""
    model = load_model()
    chosen = types or list(model.relationships)
    return [t for t in chosen if t in model.relationships and t not in HIDDEN_TYPES]


async def nodes_by_ids(db: Database, ids: list[str]) -> dict[str, NodeRow]:
    rows = await db.read(cypher("people", "nodes_by_ids"), {"ids": list(dict.fromkeys(ids))})
    return {r["id"]: NodeRow(r["id"], r["label"], r["props"]) for r in rows}


async def relations_page(
    db: Database, ids: list[str], *, types: list[str] | None, direction: str, skip: int, limit: int
) -> dict[str, RelPage]:
    """For each id, one page of its relationships (types, direction) and the total count."""
    _arrows(direction)
    pages = {i: RelPage(0) for i in ids}
    shown = tuple(visible_types(types))
    if not shown:
        return pages
    rows = await db.read(relations_statement(shown, direction), {"ids": list(dict.fromkeys(ids)), "skip": skip, "limit": limit})
    for r in rows:
        pages[r["id"]] = RelPage(
            r["total"],
            [RelRow(i["type"], i["outgoing"], i["props"], NodeRow(i["other_id"], i["other_label"], i["other_props"])) for i in r["items"]],
        )
    return pages


_ARROWS = {"out": ("-", "->"), "in": ("<-", "-"), "both": ("-", "-")}


def _arrows(direction: str) -> tuple[str, str]:
    if direction not in _ARROWS:
        raise ValueError(f"direction must be out, in or both, not {direction!r}")
    return _ARROWS[direction]


@lru_cache(maxsize=256)
def relations_statement(types: tuple[str, ...], direction: str) -> str:
    """``relations_page`` with the relationship types and direction in its pattern. Both come
    from allow-lists (the model's types, three directions), never from request text."""
    left, right = _arrows(direction)
    pattern = f"{left}[r:{'|'.join(ident(t) for t in types)}]{right}"
    return cypher("people", "relations_page").replace("-[r:__TYPES__]-", pattern)


async def ids_by_identifier(db: Database, label: str, value: str, *, limit: int = 5) -> list[str]:
    """Persons or organizations carrying ``value`` as one of their identifiers."""
    name = {"Person": "persons_by_identifier", "Organization": "organizations_by_identifier"}[label]
    return [r["id"] for r in await db.read(cypher("people", name), {"value": value, "limit": limit})]


async def watchlists_page(db: Database, *, skip: int, limit: int) -> tuple[int, list[NodeRow]]:
    rows = await db.read(cypher("people", "watchlists_page"), {"skip": skip, "limit": limit})
    row = rows[0]
    return row["total"], [NodeRow(i["id"], i["label"], i["props"]) for i in row["items"]]

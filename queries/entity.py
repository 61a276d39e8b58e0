"""One entity by id: properties, identifiers, evidence and its (capped) relationships."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph.db import Database
from graph.model import load_model
from graph.provenance import evidence_list
from kizuna.errors import NotFound
from queries.cypher import cypher

PROVENANCE_KEYS = {"ev_key", "ev_source", "ev_locator", "ev_start", "ev_end", "ev_text", "ev_observed", "ev_method", "ev_confidence"}


@dataclass
class Relation:
    type: str
    outgoing: bool
    other_id: str
    other_label: str
    other_name: str | None
    properties: dict[str, Any]
    evidence: list[dict]


@dataclass
class EntityView:
    id: str
    label: str
    properties: dict[str, Any]
    evidence: list[dict]
    degree: int
    relations: list[Relation] = field(default_factory=list)


def split_props(props: dict[str, Any]) -> tuple[dict[str, Any], list[dict]]:
    """Separate a stored property map into plain properties and its evidence list."""
    plain = {k: v for k, v in props.items() if k not in PROVENANCE_KEYS}
    return plain, evidence_list(props)


async def get_entity(db: Database, entity_id: str, *, limit: int = 200) -> EntityView:
    """The entity ``entity_id``; raises NotFound. Protected personal data is never returned."""
    hidden = [t for t, r in load_model().relationships.items() if t == "HAS_PERSONAL_DATA"]
    rows = await db.read(cypher("entity", "entity"), {"id": entity_id, "limit": max(1, min(limit, 1000)), "hidden_types": hidden})
    if not rows:
        raise NotFound(f"no entity with id {entity_id!r}")
    row = rows[0]
    props, evidence = split_props(row["props"])
    relations = []
    for rel in row["rels"]:
        rprops, rev = split_props(rel["props"])
        other = rel["other"]
        relations.append(Relation(rel["type"], rel["outgoing"], other["id"], other["label"], other["name"], rprops, rev))
    return EntityView(props.pop("id"), row["label"], props, evidence, row["degree"], relations)

"""The GraphQL schema (strawberry). Resolvers are thin: they call queries/ and map results."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from kizuna.errors import KizunaError
from queries import entity as entity_q
from queries import search as search_q


@strawberry.type
class Evidence:
    source_id: str | None
    locator: str | None
    start: int | None
    end: int | None
    text: str | None
    observed_at: str | None
    method: str | None
    confidence: float | None


def _evidence(items: list[dict]) -> list[Evidence]:
    return [Evidence(**e) for e in items]


@strawberry.type
class SearchHit:
    id: str
    label: str
    name: str | None
    names: list[str]
    kind: str | None
    score: float


@strawberry.type
class Relation:
    type: str
    outgoing: bool
    other_id: str
    other_label: str | None
    other_name: str | None
    properties: JSON
    evidence: list[Evidence]


@strawberry.type
class Entity:
    id: str
    label: str
    name: str | None
    names: list[str]
    properties: JSON
    evidence: list[Evidence]
    degree: int
    relations: list[Relation]


def _db(info: Info) -> Any:
    return info.context["db"]


@strawberry.type
class Query:
    @strawberry.field(description="Entities whose names or aliases (any script) or identifiers match the text.")
    async def search(self, info: Info, query: str, first: int = 20, types: list[str] | None = None) -> list[SearchHit]:
        hits = await search_q.search(_db(info), query, labels=types, limit=first)
        return [SearchHit(**h.__dict__) for h in hits]

    @strawberry.field(description="One entity by id, with its relations and the evidence for each.")
    async def entity(self, info: Info, id: str) -> Entity | None:
        try:
            view = await entity_q.get_entity(_db(info), id)
        except KizunaError as exc:
            if exc.code == "NOT_FOUND":
                return None
            raise
        props = view.properties
        return Entity(
            id=view.id,
            label=view.label,
            name=props.get("name") or props.get("title"),
            names=list(props.get("names") or []),
            properties=props,
            evidence=_evidence(view.evidence),
            degree=view.degree,
            relations=[
                Relation(
                    type=r.type,
                    outgoing=r.outgoing,
                    other_id=r.other_id,
                    other_label=r.other_label,
                    other_name=r.other_name,
                    properties=r.properties,
                    evidence=_evidence(r.evidence),
                )
                for r in view.relations
            ],
        )


schema = strawberry.Schema(query=Query)

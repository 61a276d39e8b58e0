"""Per-request DataLoaders over the shared Database, and a per-request round-trip counter.

Why: a nested query (search -> persons -> affiliations -> organizations -> listings -> lists)
would otherwise cost one database call per row at each level. Each loader gathers the keys asked
for in one tick of the event loop and answers them with one batched query; loaders live for one
request, so nothing is cached across callers. The counter makes the promise testable: the
response's ``extensions.dbRoundTrips`` says how many database calls the request made.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from strawberry.dataloader import DataLoader

from graph.db import Database
from queries import decisions as decisions_q
from queries import people as people_q
from queries.people import NodeRow, RelPage


class CountingDatabase:
    """The shared Database seen through one request: same driver, counted calls."""

    def __init__(self, db: Database):
        self._db = db
        self.round_trips = 0
        self.settings = db.settings
        self.database = db.database
        self.driver = db.driver

    async def read(self, cypher: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        self.round_trips += 1
        return await self._db.read(cypher, params)

    async def write(self, cypher: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        self.round_trips += 1
        return await self._db.write(cypher, params)

    async def execute_write(self, work):
        self.round_trips += 1
        return await self._db.execute_write(work)


class Loaders:
    """The loaders of one request. Keys of the paged loaders carry the page so that siblings
    asking for the same page share one query."""

    def __init__(self, db: CountingDatabase):
        self.db = db
        self.nodes: DataLoader[str, NodeRow | None] = DataLoader(load_fn=self._load_nodes)
        self.relations: DataLoader[tuple, RelPage] = DataLoader(load_fn=self._load_relations)
        self.decisions: DataLoader[str, list[dict]] = DataLoader(load_fn=self._load_decisions)
        self.responses: DataLoader[str, list[dict]] = DataLoader(load_fn=self._load_responses)

    def prime_node(self, node: NodeRow) -> None:
        """Remember a node already read (e.g. the far end of a relation) for later look-ups."""
        self.nodes.prime(node.id, node)

    async def _load_nodes(self, ids: list[str]) -> list[NodeRow | None]:
        found = await people_q.nodes_by_ids(self.db, ids)
        return [found.get(i) for i in ids]

    async def _load_relations(self, keys: list[tuple]) -> list[RelPage]:
        """Keys are (id, types tuple, direction, skip, limit); one query per distinct page shape."""
        groups: dict[tuple, list[str]] = defaultdict(list)
        for key in keys:
            groups[key[1:]].append(key[0])
        pages: dict[tuple, RelPage] = {}
        for (types, direction, skip, limit), ids in groups.items():
            found = await people_q.relations_page(self.db, ids, types=list(types), direction=direction, skip=skip, limit=limit)
            for i in ids:
                page = found[i]
                for item in page.items:
                    self.prime_node(item.other)
                pages[(i, types, direction, skip, limit)] = page
        return [pages[k] for k in keys]

    async def _load_decisions(self, ids: list[str]) -> list[list[dict]]:
        found = await decisions_q.decisions_for(self.db, ids)
        return [found[i] for i in ids]

    async def _load_responses(self, ids: list[str]) -> list[list[dict]]:
        found = await decisions_q.responses_for(self.db, ids)
        return [found[i] for i in ids]

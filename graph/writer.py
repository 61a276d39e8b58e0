"""The one place that writes facts: batched UNWIND MERGE with deterministic ids and provenance.

Why this shape: MERGE on a deterministic id makes every write idempotent; evidence is appended
only when its key (source + locator) is new, so re-reading a source changes nothing; list
properties declared ``merge: union`` in the model accumulate names from every source.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import neo4j
from neo4j.exceptions import ConstraintError

from graph import proximity
from graph.db import Database
from graph.model import GraphModel, load_model
from graph.provenance import Evidence
from graph.schema import ident, refresh_search_index
from kizuna.errors import InvalidInput
from kizuna.ids import make_id

# Evidence is appended only when its key (source + locator) is new. One SET clause computes
# every list from the old ev_key, which is updated last, so the planner needs no Eager barrier.
_EV_ON_CREATE = (
    "{v}.ev_key = [row.ev.key], {v}.ev_source = [row.ev.source], {v}.ev_locator = [row.ev.locator], "
    "{v}.ev_start = [row.ev.start], {v}.ev_end = [row.ev.end], {v}.ev_text = [row.ev.text], "
    "{v}.ev_observed = [row.ev.observed], {v}.ev_method = [row.ev.method], "
    "{v}.ev_confidence = [row.ev.confidence], {v}.confidence = row.ev.confidence, "
    "{v}.first_seen = row.ev.observed, {v}.last_seen = row.ev.observed"
)
_EV_ON_MATCH_ITEMS = [
    "{v}.ev_source = {v}.ev_source + CASE WHEN row.ev.key IN {v}.ev_key THEN [] ELSE [row.ev.source] END",
    "{v}.ev_locator = {v}.ev_locator + CASE WHEN row.ev.key IN {v}.ev_key THEN [] ELSE [row.ev.locator] END",
    "{v}.ev_start = {v}.ev_start + CASE WHEN row.ev.key IN {v}.ev_key THEN [] ELSE [row.ev.start] END",
    "{v}.ev_end = {v}.ev_end + CASE WHEN row.ev.key IN {v}.ev_key THEN [] ELSE [row.ev.end] END",
    "{v}.ev_text = {v}.ev_text + CASE WHEN row.ev.key IN {v}.ev_key THEN [] ELSE [row.ev.text] END",
    "{v}.ev_observed = {v}.ev_observed + CASE WHEN row.ev.key IN {v}.ev_key THEN [] ELSE [row.ev.observed] END",
    "{v}.ev_method = {v}.ev_method + CASE WHEN row.ev.key IN {v}.ev_key THEN [] ELSE [row.ev.method] END",
    "{v}.ev_confidence = {v}.ev_confidence + CASE WHEN row.ev.key IN {v}.ev_key THEN [] ELSE [row.ev.confidence] END",
    "{v}.confidence = CASE WHEN row.ev.confidence > {v}.confidence THEN row.ev.confidence ELSE {v}.confidence END",
    "{v}.first_seen = CASE WHEN row.ev.observed < {v}.first_seen THEN row.ev.observed ELSE {v}.first_seen END",
    "{v}.last_seen = CASE WHEN row.ev.observed > {v}.last_seen THEN row.ev.observed ELSE {v}.last_seen END",
    "{v}.ev_key = {v}.ev_key + CASE WHEN row.ev.key IN {v}.ev_key THEN [] ELSE [row.ev.key] END",
]


def _provenance_clauses(v: str) -> str:
    return (
        "\nON CREATE SET " + _EV_ON_CREATE.format(v=v)
        + "\nON MATCH SET " + ", ".join(item.format(v=v) for item in _EV_ON_MATCH_ITEMS)
    )


@dataclass
class NodeRecord:
    """A node fact: its label (from the model), deterministic id, properties and evidence."""

    label: str
    id: str
    props: dict[str, Any]
    evidence: Evidence


@dataclass
class RelRecord:
    """A relationship fact between two existing nodes; ``key`` separates parallel facts
    (two appointments at the same organization with different roles or dates)."""

    type: str
    start: str
    end: str
    props: dict[str, Any]
    evidence: Evidence
    key: str = ""

    @property
    def id(self) -> str:
        return rel_id(self.type, self.start, self.end, self.key)


def rel_id(rel_type: str, start: str, end: str, key: str = "") -> str:
    return make_id("rel", rel_type, start, end, key)


@dataclass
class WriteReport:
    nodes: int = 0
    relationships: int = 0
    missing_endpoints: list[str] = field(default_factory=list)

    def add(self, other: "WriteReport") -> None:
        self.nodes += other.nodes
        self.relationships += other.relationships
        self.missing_endpoints.extend(other.missing_endpoints)


# A deferred proximity update runs once this many seeds are waiting, not only at the end: a 1M-row
# list held 1M seed ids (~150 MB) until the end of the file. Updating in several rounds ends in
# the same values (each round propagates to its fixpoint; values only go down).
PROXIMITY_SEEDS_KEPT = 50_000


class GraphWriter:
    """Writes node and relationship records in batches, one managed transaction per batch."""

    def __init__(self, db: Database, *, batch_size: int = 2000, model: GraphModel | None = None, defer_proximity: bool = False):
        """``defer_proximity``: collect the entities whose concern proximity may have changed and
        update it once in ``flush_proximity`` (a bulk ingest), instead of after every write."""
        self.db = db
        self.batch_size = batch_size
        self.model = model or load_model()
        self.defer_proximity = defer_proximity
        self.proximity_seeds: set[str] = set()
        # One proximity update at a time: two writers' updates running together could each write
        # a node's concern_hops from what it read before the other's write.
        self._proximity_lock = asyncio.Lock()
        self._followed = set(self.model.rel_types("link", "structure", "resolution"))
        self._listing = set(self.model.rel_types("listing"))
        self._node_cypher = {label: self._build_node_cypher(label) for label in self.model.nodes}
        self._rel_cypher = {t: self._build_rel_cypher(t) for t in self.model.relationships}
        self._node_create = {
            label: "UNWIND $rows AS row CREATE (n:Entity:" + ident(label) + ") SET n = row.all" for label in self.model.nodes
        }
        self._rel_create = {
            t: (
                "UNWIND $rows AS row MATCH (a:Entity {id: row.start}) MATCH (b:Entity {id: row.end}) "
                "CREATE (a)-[r:" + ident(t) + "]->(b) SET r = row.all RETURN count(*) AS written"
            )
            for t in self.model.relationships
        }
        self._rel_existing = {
            t: "UNWIND $ids AS id MATCH ()-[r:" + ident(t) + " {id: id}]->() RETURN r.id AS id" for t in self.model.relationships
        }

    # -- Cypher, assembled once from the model's allow-listed names ---------------------------

    def _build_node_cypher(self, label: str) -> str:
        node = self.model.node(label)
        unions = "".join(
            "\nSET n.{p} = CASE WHEN row.lists.{p} IS NULL THEN n.{p} ELSE "
            "reduce(acc = coalesce(n.{p}, []), x IN row.lists.{p} | CASE WHEN x IN acc THEN acc ELSE acc + x END) END".format(
                p=ident(p)
            )
            for p in node.union_lists
        )
        return (
            "UNWIND $rows AS row\n"
            "MERGE (n:Entity {id: row.id})" + _provenance_clauses("n") + "\n"
            "SET n:" + ident(label) + ", n += row.props" + unions
        )

    def _build_rel_cypher(self, rel_type: str) -> str:
        return (
            "UNWIND $rows AS row\n"
            "MATCH (a:Entity {id: row.start})\n"
            "MATCH (b:Entity {id: row.end})\n"
            "MERGE (a)-[r:" + ident(rel_type) + " {id: row.id}]->(b)" + _provenance_clauses("r") + "\n"
            "SET r += row.props\n"
            "RETURN count(*) AS written"
        )

    # -- validation -----------------------------------------------------------------------------

    def node_row(self, rec: NodeRecord) -> dict:
        """The validated parameter row of a node fact (raises InvalidInput against the model).

        Public so that a bulk loader can validate once while reading, spill the rows, and hand
        them to ``write_node_rows`` later without building records again."""
        try:
            node = self.model.node(rec.label)
        except KeyError:
            raise InvalidInput(f"unknown node label {rec.label!r}") from None
        props: dict[str, Any] = {}
        lists: dict[str, list] = {}
        for key, value in rec.props.items():
            spec = node.properties.get(key)
            if spec is None:
                raise InvalidInput(f"{rec.label} has no property {key!r} in the graph model")
            if spec.protected and rec.label != "PersonalData":
                raise InvalidInput(f"{key!r} is protected and may only be stored on PersonalData")
            if value is None or value == [] or value == "":
                continue
            if spec.enum and value not in spec.enum:
                raise InvalidInput(f"{rec.label}.{key} must be one of {', '.join(spec.enum)}, not {value!r}")
            if spec.list and spec.merge == "union":
                lists[key] = list(dict.fromkeys(str(v) for v in value if v not in (None, "")))
            else:
                props[key] = value
        return {"id": rec.id, "props": props, "lists": lists, "ev": rec.evidence.as_row()}

    def rel_row(self, rec: RelRecord) -> dict:
        """The validated parameter row of a relationship fact (see ``node_row``)."""
        try:
            rel = self.model.rel(rec.type)
        except KeyError:
            raise InvalidInput(f"unknown relationship type {rec.type!r}") from None
        props = {}
        for key, value in rec.props.items():
            if key not in rel.properties:
                raise InvalidInput(f"{rec.type} has no property {key!r} in the graph model")
            if value is not None and value != "":
                props[key] = value
        return {"id": rec.id, "start": rec.start, "end": rec.end, "props": props, "ev": rec.evidence.as_row()}

    # -- writing --------------------------------------------------------------------------------
    #
    # Each batch is one managed transaction in two steps: ids already in the graph take the MERGE
    # path (union lists, evidence appended only when new); ids not yet there are CREATEd with every
    # property computed here, which is as cheap as a raw CREATE. The unique constraints on `id`
    # guarantee that a concurrent writer can never produce a duplicate.

    async def write_nodes(self, records: list[NodeRecord]) -> WriteReport:
        groups: dict[str, list[dict]] = defaultdict(list)
        for rec in records:
            groups[rec.label].append(self.node_row(rec))
        report = WriteReport()
        for label, rows in groups.items():
            report.add(await self.write_node_rows(label, rows, refresh=False))
        if self.needs_refresh(groups):
            await refresh_search_index(self.db)
        return report

    async def write_node_rows(self, label: str, rows: list[dict], *, refresh: bool = True) -> WriteReport:
        """Write rows made by ``node_row`` for one label. ``refresh=False`` leaves the wait for the
        full-text index to the caller, who can then wait once after many batches."""
        report = WriteReport()
        for i in range(0, len(rows), self.batch_size):
            batch = rows[i : i + self.batch_size]
            await self._racing(self._node_batch, label, batch)
            report.nodes += len(batch)
        if refresh and self.needs_refresh([label]):
            await refresh_search_index(self.db)
        return report

    def needs_refresh(self, labels) -> bool:
        """Whether nodes of these labels feed the full-text index (which is eventually consistent)."""
        return any(self.model.node(label).fulltext_properties for label in labels)

    async def _racing(self, make_work, name: str, batch: list[dict]):
        """Run a batch; if a concurrent writer created one of its new ids first (the unique
        constraint refused our CREATE), run it again with every row on the MERGE path."""
        try:
            return await self.db.execute_write(make_work(name, batch))
        except InvalidInput as exc:
            if not isinstance(exc.__cause__, ConstraintError):
                raise
            return await self.db.execute_write(make_work(name, batch, merge_only=True))

    def _node_batch(self, label: str, batch: list[dict], merge_only: bool = False):
        async def work(tx: neo4j.AsyncManagedTransaction) -> None:
            result = await tx.run(_EXISTING_NODES, ids=[r["id"] for r in batch])
            existing = {r["id"] async for r in result}
            fresh, known = ([], batch) if merge_only else _split_new(batch, existing)
            if fresh:
                await (await tx.run(self._node_create[label], rows=[{"all": _all_properties(r)} for r in fresh])).consume()
            if known:
                await (await tx.run(self._node_cypher[label], rows=known)).consume()

        return work

    async def write_relationships(self, records: list[RelRecord]) -> WriteReport:
        groups: dict[str, list[dict]] = defaultdict(list)
        for rec in records:
            groups[rec.type].append(self.rel_row(rec))
        report = WriteReport()
        for rel_type, rows in groups.items():
            report.add(await self.write_rel_rows(rel_type, rows, flush=False))
        if not self.defer_proximity:
            await self.flush_proximity()
        return report

    async def write_rel_rows(self, rel_type: str, rows: list[dict], *, flush: bool = True) -> WriteReport:
        """Write rows made by ``rel_row`` for one relationship type; rows whose endpoints do not
        exist are not written and are listed in ``missing_endpoints``. Concern proximity is
        updated around them unless the writer defers it (or ``flush=False``)."""
        report = WriteReport()
        for i in range(0, len(rows), self.batch_size):
            batch = rows[i : i + self.batch_size]
            written = await self._racing(self._rel_batch, rel_type, batch)
            if written < len(batch):
                report.missing_endpoints.extend(await self._missing_endpoints(batch))
            report.relationships += written
        if rel_type in self._followed:
            for row in rows:
                self.proximity_seeds.update((row["start"], row["end"]))
        elif rel_type in self._listing:
            self.proximity_seeds.update(row["start"] for row in rows)
        if (flush and not self.defer_proximity) or len(self.proximity_seeds) >= PROXIMITY_SEEDS_KEPT:
            await self.flush_proximity()
        return report

    async def flush_proximity(self) -> int:
        """Bring concern proximity (graph/proximity.py) up to date around what was written."""
        async with self._proximity_lock:
            seeds, self.proximity_seeds = self.proximity_seeds, set()
            return await proximity.update(self.db, seeds) if seeds else 0

    def _rel_batch(self, rel_type: str, batch: list[dict], merge_only: bool = False):
        async def work(tx: neo4j.AsyncManagedTransaction) -> int:
            result = await tx.run(self._rel_existing[rel_type], ids=[r["id"] for r in batch])
            existing = {r["id"] async for r in result}
            fresh, known = ([], batch) if merge_only else _split_new(batch, existing)
            written = 0
            for cypher, rows in (
                (self._rel_create[rel_type], [{"start": r["start"], "end": r["end"], "all": _all_properties(r)} for r in fresh]),
                (self._rel_cypher[rel_type], known),
            ):
                if rows:
                    result = await tx.run(cypher, rows=rows)
                    written += (await result.single())["written"]
            return written

        return work

    async def _missing_endpoints(self, batch: list[dict]) -> list[str]:
        """Ids of the relationship rows whose start or end node does not exist (not written)."""
        rows = await self.db.read(_MISSING_ENDPOINTS, {"rows": [{"id": r["id"], "start": r["start"], "end": r["end"]} for r in batch]})
        return [r["missing"] for r in rows]

    async def write(self, nodes: list[NodeRecord], rels: list[RelRecord]) -> WriteReport:
        """Nodes first, then relationships, so relationship endpoints exist."""
        report = await self.write_nodes(nodes)
        report.add(await self.write_relationships(rels))
        return report


_EXISTING_NODES = "UNWIND $ids AS id MATCH (n:Entity {id: id}) RETURN n.id AS id"


def _split_new(batch: list[dict], existing: set[str]) -> tuple[list[dict], list[dict]]:
    """Rows whose id is new (first occurrence only) and rows that must take the MERGE path."""
    fresh, known, seen = [], [], set(existing)
    for row in batch:
        if row["id"] in seen:
            known.append(row)
        else:
            seen.add(row["id"])
            fresh.append(row)
    return fresh, known


def _all_properties(row: dict) -> dict:
    """Every property of a brand-new node or relationship, provenance included."""
    ev = row["ev"]
    out = dict(row["props"])
    out.update(row.get("lists") or {})
    out.update(
        id=row["id"],
        ev_key=[ev["key"]],
        ev_source=[ev["source"]],
        ev_locator=[ev["locator"]],
        ev_start=[ev["start"]],
        ev_end=[ev["end"]],
        ev_text=[ev["text"]],
        ev_observed=[ev["observed"]],
        ev_method=[ev["method"]],
        ev_confidence=[ev["confidence"]],
        confidence=ev["confidence"],
        first_seen=ev["observed"],
        last_seen=ev["observed"],
    )
    return out


_MISSING_ENDPOINTS = (
    "UNWIND $rows AS row "
    "OPTIONAL MATCH (a:Entity {id: row.start}) OPTIONAL MATCH (b:Entity {id: row.end}) "
    "WITH row, a, b WHERE a IS NULL OR b IS NULL RETURN row.id AS missing"
)


"""The one place that writes facts: batched UNWIND MERGE with deterministic ids and provenance.

Why this shape: MERGE on a deterministic id makes every write idempotent; evidence is appended
only when its key (source + locator) is new, so re-reading a source changes nothing; list
properties declared ``merge: union`` in the model accumulate names from every source.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import neo4j

from graph.db import Database
from graph.model import GraphModel, load_model
from graph.provenance import Evidence
from graph.schema import ident
from kizuna.errors import InvalidInput
from kizuna.ids import make_id

_EV_INIT = (
    "ev_key = [], {v}.ev_source = [], {v}.ev_locator = [], {v}.ev_start = [], {v}.ev_end = [], "
    "{v}.ev_text = [], {v}.ev_observed = [], {v}.ev_method = [], {v}.ev_confidence = [], "
    "{v}.confidence = 0.0, {v}.first_seen = row.ev.observed"
)
_EV_APPEND = """
WITH {v}, row WHERE NOT row.ev.key IN {v}.ev_key
SET {v}.ev_key = {v}.ev_key + row.ev.key,
    {v}.ev_source = {v}.ev_source + row.ev.source,
    {v}.ev_locator = {v}.ev_locator + row.ev.locator,
    {v}.ev_start = {v}.ev_start + row.ev.start,
    {v}.ev_end = {v}.ev_end + row.ev.end,
    {v}.ev_text = {v}.ev_text + row.ev.text,
    {v}.ev_observed = {v}.ev_observed + row.ev.observed,
    {v}.ev_method = {v}.ev_method + row.ev.method,
    {v}.ev_confidence = {v}.ev_confidence + row.ev.confidence,
    {v}.confidence = CASE WHEN row.ev.confidence > {v}.confidence THEN row.ev.confidence ELSE {v}.confidence END,
    {v}.first_seen = CASE WHEN row.ev.observed < {v}.first_seen THEN row.ev.observed ELSE {v}.first_seen END,
    {v}.last_seen = CASE WHEN {v}.last_seen IS NULL OR row.ev.observed > {v}.last_seen
                         THEN row.ev.observed ELSE {v}.last_seen END
"""


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


class GraphWriter:
    """Writes node and relationship records in batches, one managed transaction per batch."""

    def __init__(self, db: Database, *, batch_size: int = 2000, model: GraphModel | None = None):
        self.db = db
        self.batch_size = batch_size
        self.model = model or load_model()
        self._node_cypher = {label: self._build_node_cypher(label) for label in self.model.nodes}
        self._rel_cypher = {t: self._build_rel_cypher(t) for t in self.model.relationships}

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
            "MERGE (n:Entity {id: row.id})\n"
            "ON CREATE SET n." + _EV_INIT.format(v="n") + "\n"
            "SET n:" + ident(label) + "\n"
            "SET n += row.props" + unions + _EV_APPEND.format(v="n")
        )

    def _build_rel_cypher(self, rel_type: str) -> str:
        return (
            "UNWIND $rows AS row\n"
            "OPTIONAL MATCH (a:Entity {id: row.start})\n"
            "OPTIONAL MATCH (b:Entity {id: row.end})\n"
            "CALL (row, a, b) {\n"
            "WITH row, a, b WHERE a IS NOT NULL AND b IS NOT NULL\n"
            "MERGE (a)-[r:" + ident(rel_type) + " {id: row.id}]->(b)\n"
            "ON CREATE SET r." + _EV_INIT.format(v="r") + "\n"
            "SET r += row.props" + _EV_APPEND.format(v="r") + "}\n"
            "WITH row, a, b WHERE a IS NULL OR b IS NULL\n"
            "RETURN row.id AS missing"
        )

    # -- validation -----------------------------------------------------------------------------

    def _node_row(self, rec: NodeRecord) -> dict:
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

    def _rel_row(self, rec: RelRecord) -> dict:
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

    async def write_nodes(self, records: list[NodeRecord]) -> WriteReport:
        groups: dict[str, list[dict]] = defaultdict(list)
        for rec in records:
            groups[rec.label].append(self._node_row(rec))
        report = WriteReport()
        for label, rows in groups.items():
            cypher = self._node_cypher[label]
            for i in range(0, len(rows), self.batch_size):
                batch = rows[i : i + self.batch_size]
                await self.db.execute_write(_runner(cypher, batch))
                report.nodes += len(batch)
        return report

    async def write_relationships(self, records: list[RelRecord]) -> WriteReport:
        groups: dict[str, list[dict]] = defaultdict(list)
        for rec in records:
            groups[rec.type].append(self._rel_row(rec))
        report = WriteReport()
        for rel_type, rows in groups.items():
            cypher = self._rel_cypher[rel_type]
            for i in range(0, len(rows), self.batch_size):
                batch = rows[i : i + self.batch_size]
                missing = await self.db.execute_write(_runner(cypher, batch, collect="missing"))
                report.missing_endpoints.extend(missing)
                report.relationships += len(batch) - len(missing)
        return report

    async def write(self, nodes: list[NodeRecord], rels: list[RelRecord]) -> WriteReport:
        """Nodes first, then relationships, so relationship endpoints exist."""
        report = await self.write_nodes(nodes)
        report.add(await self.write_relationships(rels))
        return report


def _runner(cypher: str, rows: list[dict], collect: str | None = None):
    async def work(tx: neo4j.AsyncManagedTransaction) -> list:
        result = await tx.run(cypher, rows=rows)
        values = [r[collect] async for r in result] if collect else []
        await result.consume()
        return values

    return work

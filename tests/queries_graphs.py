"""Crafted graphs for the risk-question tests, written through graph.writer like any source.

Each helper returns ids so that tests state their known answers explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph.provenance import Evidence
from graph.writer import GraphWriter, NodeRecord, RelRecord

OBSERVED = "2025-06-01T00:00:00+00:00"


def evidence(source: str = "src:crafted", locator: str = "crafted", *, method: str = "crafted", confidence: float = 0.9, text: str = "") -> Evidence:
    return Evidence(source, locator, OBSERVED, method, confidence, text=text)


@dataclass
class GraphBuilder:
    nodes: list[NodeRecord] = field(default_factory=list)
    rels: list[RelRecord] = field(default_factory=list)

    def node(self, label: str, node_id: str, *, source: str = "src:crafted", **props: Any) -> str:
        self.nodes.append(NodeRecord(label, node_id, props, evidence(source, f"node {node_id}")))
        return node_id

    def person(self, node_id: str, name: str, **props: Any) -> str:
        return self.node("Person", node_id, name=name, names=[name], **props)

    def org(self, node_id: str, name: str, kind: str = "university", **props: Any) -> str:
        return self.node("Organization", node_id, name=name, names=[name], kind=kind, **props)

    def watchlist(self, node_id: str, name: str, jurisdiction: str = "US", severity: str | None = None) -> str:
        return self.node("Watchlist", node_id, name=name, names=[name], jurisdiction=jurisdiction, severity=severity)

    def rel(self, rel_type: str, a: str, b: str, *, source: str = "src:crafted", method: str = "crafted", confidence: float = 0.9,
            key: str = "", text: str = "", **props: Any) -> str:
        locator = f"{rel_type} {a}->{b} {key}"
        record = RelRecord(rel_type, a, b, props, evidence(source, locator, method=method, confidence=confidence, text=text), key)
        self.rels.append(record)
        return record.id

    def listed(self, entity: str, watchlist: str, start: str | None = None, end: str | None = None, **props: Any) -> str:
        return self.rel("LISTED_ON", entity, watchlist, source=watchlist, start=start, end=end, **props)

    async def write(self, db) -> None:
        report = await GraphWriter(db).write(self.nodes, self.rels)
        assert not report.missing_endpoints, report.missing_endpoints

"""The graph model, loaded from graph/model.yaml: the single definition every layer reads.

Labels, relationship types and property keys that reach Cypher text come from here (an
allow-list), never from a request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

MODEL_PATH = Path(__file__).with_name("model.yaml")


@dataclass(frozen=True)
class PropertySpec:
    name: str
    type: str
    list: bool = False
    merge: str | None = None
    fulltext: bool = False
    identifier: bool = False
    protected: bool = False
    enum: tuple[str, ...] = ()


@dataclass(frozen=True)
class NodeType:
    label: str
    id_prefix: str
    properties: dict[str, PropertySpec]

    @property
    def union_lists(self) -> list[str]:
        return [p.name for p in self.properties.values() if p.list and p.merge == "union"]

    @property
    def fulltext_properties(self) -> list[str]:
        return [p.name for p in self.properties.values() if p.fulltext]


@dataclass(frozen=True)
class RelType:
    type: str
    from_labels: tuple[str, ...]
    to_labels: tuple[str, ...]
    category: str
    properties: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GraphModel:
    version: int
    nodes: dict[str, NodeType]
    relationships: dict[str, RelType]
    provenance_lists: tuple[str, ...]
    protected_properties: frozenset[str]
    organization_kinds: tuple[str, ...]

    def node(self, label: str) -> NodeType:
        """The node type for a label; raises KeyError for anything not in the model."""
        return self.nodes[label]

    def rel(self, rel_type: str) -> RelType:
        return self.relationships[rel_type]

    def rel_types(self, *categories: str) -> list[str]:
        """Relationship types of the given categories, in model order."""
        return [r.type for r in self.relationships.values() if r.category in categories]

    @property
    def fulltext_labels(self) -> list[str]:
        return [n.label for n in self.nodes.values() if n.fulltext_properties]

    @property
    def fulltext_properties(self) -> list[str]:
        seen: list[str] = []
        for n in self.nodes.values():
            for p in n.fulltext_properties:
                if p not in seen:
                    seen.append(p)
        return seen


def _load(path: Path) -> GraphModel:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    enums = {"organization_kinds": tuple(raw["organization_kinds"])}
    protected = frozenset(raw["protected_properties"])
    nodes: dict[str, NodeType] = {}
    for label, spec in raw["nodes"].items():
        props = {}
        for name, p in (spec.get("properties") or {}).items():
            props[name] = PropertySpec(
                name=name,
                type=p["type"],
                list=bool(p.get("list", False)),
                merge=p.get("merge"),
                fulltext=bool(p.get("fulltext", False)),
                identifier=bool(p.get("identifier", False)),
                protected=bool(p.get("protected", False)),
                enum=enums.get(p.get("enum", ""), ()),
            )
            if name in protected and not props[name].protected and label != "PersonalData":
                raise ValueError(f"{label}.{name} is a protected attribute and must live on PersonalData")
        nodes[label] = NodeType(label=label, id_prefix=spec["id_prefix"], properties=props)
    rels = {
        t: RelType(
            type=t,
            from_labels=tuple(spec["from"]),
            to_labels=tuple(spec["to"]),
            category=spec["category"],
            properties=dict(spec.get("properties") or {}),
        )
        for t, spec in raw["relationships"].items()
    }
    for r in rels.values():
        for label in r.from_labels + r.to_labels:
            if label not in nodes:
                raise ValueError(f"relationship {r.type} names unknown label {label}")
    return GraphModel(
        version=int(raw["version"]),
        nodes=nodes,
        relationships=rels,
        provenance_lists=tuple(raw["provenance"]["lists"]),
        protected_properties=protected,
        organization_kinds=enums["organization_kinds"],
    )


@lru_cache(maxsize=1)
def load_model() -> GraphModel:
    """The model, parsed once per process."""
    return _load(MODEL_PATH)

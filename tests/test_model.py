"""The graph model as data: consistent, and protected attributes confined to PersonalData."""

import pytest

from graph.model import load_model
from graph.provenance import Evidence
from graph.schema import schema_statements
from graph.writer import GraphWriter, NodeRecord
from kizuna.errors import InvalidInput

EV = Evidence("src:test", "row 1", "2026-01-01T00:00:00+00:00", "test")


def test_model_has_the_required_types():
    model = load_model()
    for label in ["Person", "Organization", "Grant", "Contract", "Publication", "Disclosure", "Source", "Watchlist", "TechnologyArea"]:
        assert label in model.nodes
    for rel in ["AFFILIATED_WITH", "FUNDED_BY", "RECEIVED", "AWARDED_TO", "PARTY_TO", "PARTICIPATES_IN", "ADVISES",
                "AUTHORED", "PART_OF", "SUBSIDIARY_OF", "SUPERVISED_BY", "OWNED_BY", "LISTED_ON", "SAME_AS"]:
        assert rel in model.relationships
    assert set(model.organization_kinds) >= {"university", "research_institute", "company", "government_body",
                                             "military_body", "funder", "talent_program", "other"}
    assert {"role", "role_normalized", "start", "end", "paid", "primary"} <= set(model.rel("AFFILIATED_WITH").properties)
    assert {"start", "end", "reason", "program"} <= set(model.rel("LISTED_ON").properties)


def test_protected_attributes_live_only_on_personal_data():
    model = load_model()
    for label, node in model.nodes.items():
        for name, spec in node.properties.items():
            if name in model.protected_properties:
                assert label == "PersonalData" and spec.protected
    assert "HAS_PERSONAL_DATA" in model.rel_types("record")
    assert "HAS_PERSONAL_DATA" not in model.rel_types("link", "structure", "listing", "resolution")


def test_schema_statements_are_idempotent_ddl():
    statements = schema_statements()
    assert all("IF NOT EXISTS" in s for s in statements)
    assert any("FULLTEXT" in s for s in statements)


async def test_writer_refuses_protected_and_unknown_properties(graph):
    writer = GraphWriter(graph)
    with pytest.raises(InvalidInput, match="no property 'nationality'"):
        await writer.write_nodes([NodeRecord("Person", "per:x", {"name": "X", "nationality": "JP"}, EV)])
    with pytest.raises(InvalidInput, match="unknown node label"):
        await writer.write_nodes([NodeRecord("Spaceship", "x:1", {}, EV)])
    with pytest.raises(InvalidInput, match="must be one of"):
        await writer.write_nodes([NodeRecord("Organization", "org:x", {"name": "X", "kind": "club"}, EV)])
    rows = await graph.read("MATCH (n:Entity) RETURN count(n) AS c")
    assert rows[0]["c"] == 0

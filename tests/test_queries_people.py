"""Relationship pages with the types and direction written into the pattern (queries.people)."""

import pytest

from graph.provenance import Evidence
from graph.writer import GraphWriter, NodeRecord, RelRecord
from queries.people import relations_page, relations_statement

EV = Evidence("src:test", "row 1", "2026-01-01T00:00:00+00:00", "test", 0.9)


async def _hub(db, affiliates: int) -> None:
    """A university with many affiliates, two listings and a parent; one affiliate's personal data."""
    nodes = [NodeRecord("Organization", "org:hub", {"name": "Hub University"}, EV),
             NodeRecord("Organization", "org:parent", {"name": "Parent Ministry"}, EV),
             NodeRecord("Watchlist", "wl:a", {"name": "List A"}, EV), NodeRecord("Watchlist", "wl:b", {"name": "List B"}, EV),
             NodeRecord("PersonalData", "pd:p0", {"nationality": "XX"}, EV)]
    nodes += [NodeRecord("Person", f"per:p{i:03d}", {"name": f"Person {i}"}, EV) for i in range(affiliates)]
    rels = [RelRecord("AFFILIATED_WITH", f"per:p{i:03d}", "org:hub", {"role": "Researcher"}, EV) for i in range(affiliates)]
    rels += [RelRecord("LISTED_ON", "org:hub", "wl:a", {"start": "2020-01-01"}, EV), RelRecord("LISTED_ON", "org:hub", "wl:b", {}, EV),
             RelRecord("PART_OF", "org:hub", "org:parent", {}, EV), RelRecord("HAS_PERSONAL_DATA", "per:p000", "pd:p0", {}, EV)]
    await GraphWriter(db).write(nodes, rels)


async def test_types_and_direction_select_the_relationships_and_their_total(graph):
    await _hub(graph, 120)
    listings = (await relations_page(graph, ["org:hub"], types=["LISTED_ON"], direction="out", skip=0, limit=5))["org:hub"]
    assert listings.total == 2 and [r.other.id for r in listings.items] == ["wl:a", "wl:b"]
    assert all(r.outgoing and r.type == "LISTED_ON" for r in listings.items)
    assert listings.items[0].props["start"] == "2020-01-01" and listings.items[0].other.label == "Watchlist"

    assert (await relations_page(graph, ["org:hub"], types=["LISTED_ON"], direction="in", skip=0, limit=5))["org:hub"].total == 0
    affiliates = (await relations_page(graph, ["org:hub"], types=["AFFILIATED_WITH"], direction="in", skip=10, limit=3))["org:hub"]
    assert affiliates.total == 120 and [r.other.id for r in affiliates.items] == ["per:p010", "per:p011", "per:p012"]
    assert not any(r.outgoing for r in affiliates.items)

    everything = (await relations_page(graph, ["org:hub", "per:p000"], types=None, direction="both", skip=0, limit=200))
    assert everything["org:hub"].total == 123  # 120 affiliates, 2 listings, 1 parent
    assert {r.type for r in everything["org:hub"].items} == {"AFFILIATED_WITH", "LISTED_ON", "PART_OF"}
    # personal data is never a relation, asked for or not
    assert [r.other.id for r in everything["per:p000"].items] == ["org:hub"]
    hidden = await relations_page(graph, ["per:p000"], types=["HAS_PERSONAL_DATA"], direction="both", skip=0, limit=5)
    assert hidden["per:p000"].total == 0 and hidden["per:p000"].items == []


def test_the_pattern_takes_only_model_types_and_known_directions():
    assert "-[r:`LISTED_ON`|`PART_OF`]->" in relations_statement(("LISTED_ON", "PART_OF"), "out")
    assert "<-[r:`AFFILIATED_WITH`]-" in relations_statement(("AFFILIATED_WITH",), "in")
    assert "[r:__TYPES__]" not in relations_statement(("AFFILIATED_WITH",), "both")
    with pytest.raises(ValueError):
        relations_statement(("LISTED_ON]-() DETACH DELETE n //",), "out")
    with pytest.raises(ValueError):
        relations_statement(("LISTED_ON",), "sideways")

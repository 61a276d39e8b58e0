"""Undisclosed links: open-source links that the latest disclosure does not match."""

from __future__ import annotations

from queries.undisclosed import undisclosed_links
from tests.queries_graphs import GraphBuilder


def disclosure(g: GraphBuilder, person: str, did: str, version: int, superseded: bool = False) -> str:
    g.node("Disclosure", did, subject_id=person, version=version, superseded=superseded, submitted_at=f"202{version}-04-01")
    g.rel("SUBMITTED", person, did)
    return did


async def test_matching_by_org_relation_period_and_same_as(graph):
    g = GraphBuilder()
    p = g.person("per:d", "Dana Researcher")
    g.org("org:home", "Home University")
    g.org("org:foreign", "Foreign Institute")
    g.org("org:foreign-str", "Foreign Inst. (as written)", unresolved=True)
    g.org("org:lab", "Company Lab", kind="company")
    g.org("org:funder", "Foreign Funder", kind="funder")
    g.watchlist("wl:l", "List")
    g.listed("org:foreign", "wl:l")
    old = disclosure(g, p, "dis:d:v1", 1, superseded=True)
    latest = disclosure(g, p, "dis:d:v2", 2)
    # Open sources (ORCID): home appointment, visiting post at Foreign Institute 2019–2021,
    # consulting for Company Lab 2015–2016, a grant from Foreign Funder.
    g.rel("AFFILIATED_WITH", p, "org:home", start="2010", source="src:orcid", key="orcid")
    g.rel("AFFILIATED_WITH", p, "org:foreign", start="2019", end="2021", role="visiting professor", source="src:orcid", key="orcid")
    g.rel("ADVISES", p, "org:lab", start="2015", end="2016", source="src:orcid")
    g.node("Grant", "grt:g1", title="Foreign Grant")
    g.rel("FUNDED_BY", "grt:g1", "org:funder", source="src:grants")
    g.rel("RECEIVED", p, "grt:g1", start="2020", end="2022", source="src:grants")
    # Latest disclosure: home appointment (same relationship, disclosure evidence), the foreign
    # post under an unresolved string decided SAME_AS, and Company Lab but for 2018–2019.
    g.rel("AFFILIATED_WITH", p, "org:home", start="2010", source=latest, method="disclosure-form", key="orcid", text="Professor, Home University")
    g.rel("AFFILIATED_WITH", p, "org:foreign-str", start="2019", end="2020", source=latest, method="disclosure-nlp", text="客員教授 Foreign Inst.")
    g.rel("SAME_AS", "org:foreign-str", "org:foreign", decision="same")
    g.rel("ADVISES", p, "org:lab", start="2018", end="2019", source=latest, method="disclosure-form", key="disclosed")
    # The old, superseded disclosure did state the grant: that does not count any more.
    g.rel("RECEIVED", p, "grt:g1", start="2020", end="2022", source=old, method="disclosure-form", key="old")
    await g.write(graph)

    res = await undisclosed_links(graph, p)
    assert res.disclosure.id == latest and res.disclosure.version == 2
    undisclosed = {(u.link.relation, u.link.target_id): u for u in res.undisclosed}
    matched = {(m.link.relation, m.link.target_id): m for m in res.matched}
    assert set(matched) == {("AFFILIATED_WITH", "org:home"), ("AFFILIATED_WITH", "org:foreign")}
    assert matched[("AFFILIATED_WITH", "org:foreign")].disclosure_evidence[0]["text"] == "客員教授 Foreign Inst."
    assert matched[("AFFILIATED_WITH", "org:foreign")].open_evidence[0]["source_id"] == "src:orcid"
    assert set(undisclosed) == {("ADVISES", "org:lab"), ("RECEIVED", "grt:g1")}
    lab = undisclosed[("ADVISES", "org:lab")]
    assert "not with a compatible relation and overlapping period" in lab.reason
    assert lab.nearest_disclosed and lab.nearest_disclosed[0].start == "2018"
    grant = undisclosed[("RECEIVED", "grt:g1")]
    assert grant.link.counterparty_ids == ["org:funder"]
    assert [e["source_id"] for e in grant.open_evidence] == ["src:grants"]
    assert "does not mention" in grant.reason


async def test_no_disclosure_lists_every_open_link_and_says_so(graph):
    g = GraphBuilder()
    p = g.person("per:e", "Eve")
    g.org("org:x", "X University")
    g.rel("AFFILIATED_WITH", p, "org:x", source="src:orcid")
    await g.write(graph)
    res = await undisclosed_links(graph, p)
    assert res.disclosure is None
    assert [u.reason for u in res.undisclosed] == ["no disclosure on file for this person"]
    assert "not itself a finding" in res.note


async def test_compatible_relations_and_other_peoples_disclosures(graph):
    g = GraphBuilder()
    p = g.person("per:f", "Frank")
    g.person("per:g", "Grace")
    g.org("org:y", "Y Institute")
    latest = disclosure(g, p, "dis:f:v1", 1)
    disclosure(g, "per:g", "dis:g:v1", 1)
    # Grace's disclosure says Frank advises Y (an open source as far as Frank is concerned);
    # Frank disclosed an appointment at Y: ADVISES and AFFILIATED_WITH are compatible.
    g.rel("ADVISES", p, "org:y", start="2021", source="dis:g:v1", method="disclosure-nlp")
    g.rel("AFFILIATED_WITH", p, "org:y", start="2020", source=latest, method="disclosure-form")
    await g.write(graph)
    res = await undisclosed_links(graph, p)
    assert [(m.link.relation, m.disclosed_by.relation) for m in res.matched] == [("ADVISES", "AFFILIATED_WITH")]
    assert res.undisclosed == []

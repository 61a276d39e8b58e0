"""Talent programs, funding exposure, co-authorship exposure, contract review."""

from __future__ import annotations

from queries.exposure import classify_clauses, coauthorship_exposure, contract_review, funding_exposure, talent_programs
from tests.queries_graphs import GraphBuilder


async def exposure_graph(db) -> None:
    g = GraphBuilder()
    g.person("per:h", "Hana")
    g.person("per:co", "Coauthor One")
    g.person("per:co2", "Coauthor Two")
    g.watchlist("wl:1286", "DoD 1286", severity="high")
    g.org("org:ttp", "Thousand Talents Plan", kind="talent_program")
    g.org("org:prog2", "Unlisted Visiting Scheme", kind="talent_program")
    g.org("org:conglomerate", "Listed Conglomerate", kind="company")
    g.org("org:sub", "Subsidiary Foundation", kind="funder")
    g.org("org:clean", "Clean Funder", kind="funder")
    g.org("org:listed-uni", "Listed University")
    g.org("org:partner", "Partner Company", kind="company")
    g.listed("org:ttp", "wl:1286", start="2020", program="talent programs")
    g.listed("org:conglomerate", "wl:1286", start="2020")
    g.listed("org:listed-uni", "wl:1286", start="2020")
    g.rel("PARTICIPATES_IN", "per:h", "org:ttp", start="2018", end="2021")
    g.rel("PARTICIPATES_IN", "per:h", "org:prog2", start="2022")
    g.rel("SUBSIDIARY_OF", "org:sub", "org:conglomerate", share=0.8)
    g.node("Grant", "grt:1", title="Grant from subsidiary")
    g.rel("FUNDED_BY", "grt:1", "org:sub")
    g.rel("RECEIVED", "per:h", "grt:1", start="2021", end="2023", role="PI")
    g.rel("FUNDED_BY", "per:h", "org:clean", start="2021")
    g.rel("FUNDED_BY", "per:h", "org:conglomerate", start="2022", in_kind=True)
    # Co-authors: one at a listed university in 2019 (paper 2019), one who joined it after the 2016 paper.
    g.node("Publication", "pub:2019", title="Paper 2019", year=2019)
    g.node("Publication", "pub:2016", title="Paper 2016", year=2016)
    for pub in ("pub:2019", "pub:2016"):
        g.rel("AUTHORED", "per:h", pub)
    g.rel("AUTHORED", "per:co", "pub:2019")
    g.rel("AUTHORED", "per:co2", "pub:2016")
    g.rel("AFFILIATED_WITH", "per:co", "org:listed-uni", start="2017", end="2020")
    g.rel("AFFILIATED_WITH", "per:co2", "org:listed-uni", start="2018")
    # Contracts: one with a listed counterparty, one with an unresolved name only, one clean.
    g.node("Contract", "ctr:a", title="Joint research A", kind="joint research", clauses=["Intellectual property: jointly owned"], start="2022")
    g.node("Contract", "ctr:b", title="Consulting B", kind="consulting", counterparty_name="Shadow Tech Ltd", clauses=["confidentiality", "data access by named staff only", "IP stays with university"], start="2022")
    g.node("Contract", "ctr:c", title="MOU C", kind="MOU", clauses=["IP", "confidentiality", "data access"], start="2022")
    g.rel("PARTY_TO", "per:h", "ctr:a")
    g.rel("PARTY_TO", "org:listed-uni", "ctr:a")
    g.rel("PARTY_TO", "per:h", "ctr:b")
    g.rel("PARTY_TO", "per:h", "ctr:c")
    g.rel("PARTY_TO", "org:partner", "ctr:c")
    await g.write(db)


async def test_talent_programs(graph):
    await exposure_graph(graph)
    facts = {f.counterparty_id: f for f in await talent_programs(graph, "per:h")}
    assert set(facts) == {"org:ttp", "org:prog2"}
    assert facts["org:ttp"].listed[0].watchlist_id == "wl:1286" and facts["org:ttp"].end == "2021"
    assert facts["org:prog2"].listed == []
    # As of 2019 the list did not exist yet and the 2022 program had not started.
    early = await talent_programs(graph, "per:h", as_of="2019-06-01")
    assert [(f.counterparty_id, f.listed) for f in early] == [("org:ttp", [])]


async def test_funding_from_listed_entity_or_its_subsidiary(graph):
    await exposure_graph(graph)
    facts = {f.counterparty_id: f for f in await funding_exposure(graph, "per:h")}
    assert set(facts) == {"org:sub", "org:conglomerate"}  # the clean funder is no exposure
    via_sub = facts["org:sub"]
    assert via_sub.chain[0]["id"] == "grt:1" and via_sub.listed[0].entity_id == "org:conglomerate"
    assert via_sub.listed[0].via == ["SUBSIDIARY_OF"]
    assert facts["org:conglomerate"].properties["in_kind"] is True
    assert await funding_exposure(graph, "per:h", as_of="2019-01-01") == []


async def test_coauthorship_within_window_and_affiliation_at_publication_time(graph):
    await exposure_graph(graph)
    facts = await coauthorship_exposure(graph, "per:h")
    assert [(f.chain[1]["id"], f.counterparty_id) for f in facts] == [("per:co", "org:listed-uni")]
    assert await coauthorship_exposure(graph, "per:h", as_of="2025-01-01", window_from="2020-01-01") == []
    assert len(await coauthorship_exposure(graph, "per:h", as_of="2025-01-01", window_from="2019-01-01")) == 1


async def test_contract_review_listed_unresolved_and_missing_clauses(graph):
    await exposure_graph(graph)
    facts = {f.chain[0]["id"]: f for f in await contract_review(graph, "per:h")}
    assert set(facts) == {"ctr:a", "ctr:b"}
    a, b = facts["ctr:a"], facts["ctr:b"]
    assert a.listed[0].entity_id == "org:listed-uni"
    assert a.clauses_stated == ["ip"] and set(a.clauses_missing) == {"data_access", "confidentiality"}
    assert b.counterparty_unresolved and b.counterparty_name == "Shadow Tech Ltd" and b.clauses_missing == []


def test_clause_classification_in_english_and_japanese():
    assert classify_clauses(["知的財産権の帰属", "秘密保持義務"]) == (["ip", "confidentiality"], ["data_access"])
    assert classify_clauses([]) == ([], ["ip", "data_access", "confidentiality"])


async def test_listed_organizations_give_the_same_coauthorship_facts(graph):
    """A sweep reads the organizations under a listing once (ListedOrganizations) and the
    co-authorship question keeps only those: every answer equals the one that looks listings up
    itself — through structure hops, with listings not yet or no longer in effect, for one list."""
    import dataclasses

    import pytest

    from kizuna.errors import InvalidInput
    from queries.exposure import ListedOrganizations, all_exposures_many

    await exposure_graph(graph)
    g = GraphBuilder()
    g.watchlist("wl:other", "Other list")
    g.org("org:lab", "Lab under the conglomerate's subsidiary")
    g.org("org:ended", "Formerly listed institute")
    g.rel("PART_OF", "org:lab", "org:sub")
    g.listed("org:ended", "wl:other", start="2015", end="2018")
    g.listed("org:sub", "wl:other", start="2019")
    g.node("Publication", "pub:2021", title="Paper 2021", year=2021)
    for who in ("per:h", "per:co", "per:co2"):
        g.rel("AUTHORED", who, "pub:2021")
    g.rel("AFFILIATED_WITH", "per:co", "org:lab", start="2020")
    g.rel("AFFILIATED_WITH", "per:co2", "org:ended", start="2010")
    await g.write(graph)

    def key(facts):  # every field of every fact, its listings in one order
        return sorted(repr(dataclasses.replace(f, listed=sorted(f.listed, key=repr), chain=[sorted(c.items()) for c in f.chain])) for f in facts)

    ids = ["per:h", "per:co", "per:co2"]
    cases = {("2022-06-01", "2015-01-01", None): {"org:lab", "org:listed-uni"}, ("2017-01-01", "2014-01-01", None): {"org:ended"},
             ("2022-06-01", "2015-01-01", ("wl:other",)): {"org:lab"}, ("2022-06-01", "2015-01-01", ("wl:1286",)): {"org:lab", "org:listed-uni"}}
    for (as_of, window_from, lists), expected in cases.items():
        lists = list(lists) if lists else None
        plain = await all_exposures_many(graph, ids, as_of=as_of, window_from=window_from, lists=lists)
        listed = ListedOrganizations(as_of=as_of, lists=lists)
        shared = await all_exposures_many(graph, ids, as_of=as_of, window_from=window_from, lists=lists, listed_orgs=listed)
        for sid in ids:
            assert key(shared[sid]) == key(plain[sid]), (as_of, lists, sid)
        assert {f.counterparty_id for f in shared["per:h"] if f.kind == "coauthorship"} == expected, (as_of, lists)
    lab = [f for f in (await all_exposures_many(graph, ["per:h"], as_of="2022-06-01", window_from="2015-01-01"))["per:h"]
           if f.counterparty_id == "org:lab"]
    assert sorted((x.entity_id, x.via) for x in lab[0].listed) == [("org:conglomerate", ["PART_OF", "SUBSIDIARY_OF"]), ("org:sub", ["PART_OF"])]
    with pytest.raises(InvalidInput, match="another as_of"):
        await all_exposures_many(graph, ids, as_of="2022-06-01", listed_orgs=ListedOrganizations(as_of="2021-01-01", lists=None))

"""Risk assessment of persons, projects and organizations on crafted graphs with known answers."""

from __future__ import annotations

from queries.assess import assess
from tests.queries_graphs import GraphBuilder

AS_OF = "2025-06-01"
BUDGET = 60_000  # ms: answers must not depend on machine load


def disclosed(g: GraphBuilder, person: str, *facts: tuple[str, str, dict]) -> str:
    did = f"dis:{person}:v1"
    g.node("Disclosure", did, subject_id=person, version=1, submitted_at="2025-01-10")
    g.rel("SUBMITTED", person, did)
    for rel_type, target, props in facts:
        g.rel(rel_type, person, target, source=did, method="disclosure-form", key="disclosed", **props)
    return did


async def scenario(db) -> None:
    g = GraphBuilder()
    g.watchlist("wl:ca-nro", "Canada Named Research Organizations", jurisdiction="CA", severity="high")
    g.watchlist("wl:us-dod-1286", "DoD Section 1286", severity="high")
    g.org("org:home", "Home University", ror="0home00")
    g.org("org:nro", "Named Institute", kind="research_institute")
    g.org("org:ttp", "Listed Talent Plan", kind="talent_program")
    g.listed("org:nro", "wl:ca-nro", start="2024-04-18")
    g.listed("org:ttp", "wl:us-dod-1286", start="2022")
    g.node("TechnologyArea", "tech:strac:quantum", name="Quantum science", scheme="strac")
    g.node("TechnologyArea", "tech:general:materials", name="Materials", scheme="general")
    # Ken: clean — open-source appointment matched by his disclosure.
    g.person("per:ken", "Ken Clean", orcid="0000-0000-0000-0001")
    g.rel("AFFILIATED_WITH", "per:ken", "org:home", start="2012", source="src:orcid", key="orcid")
    disclosed(g, "per:ken", ("AFFILIATED_WITH", "org:home", {"start": "2012"}))
    # Mia: current appointment at the Named Institute (disclosed), plus home university.
    g.person("per:mia", "Mia Member", orcid="0000-0000-0000-0002")
    g.rel("AFFILIATED_WITH", "per:mia", "org:home", start="2016", source="src:orcid", key="orcid")
    g.rel("AFFILIATED_WITH", "per:mia", "org:nro", start="2023", role="adjunct", source="src:orcid", key="orcid")
    disclosed(g, "per:mia", ("AFFILIATED_WITH", "org:home", {"start": "2016"}), ("AFFILIATED_WITH", "org:nro", {"start": "2023"}))
    # Tom: in a listed talent plan since 2021, not disclosed.
    g.person("per:tom", "Tom Talent", orcid="0000-0000-0000-0003")
    g.rel("AFFILIATED_WITH", "per:tom", "org:home", start="2010", source="src:orcid", key="orcid")
    g.rel("PARTICIPATES_IN", "per:tom", "org:ttp", start="2021", source="src:news-archive")
    disclosed(g, "per:tom", ("AFFILIATED_WITH", "org:home", {"start": "2010"}))
    # Nell: new researcher, nothing known at all.
    g.person("per:nell", "Nell New")
    # Projects.
    g.node("Project", "prj:q", title="Quantum sensing")
    g.rel("IN_AREA", "prj:q", "tech:strac:quantum")
    g.node("Project", "prj:m", title="Coatings")
    g.rel("IN_AREA", "prj:m", "tech:general:materials")
    for prj in ("prj:q", "prj:m"):
        g.rel("MEMBER_OF", "per:ken", prj, start="2024")
        g.rel("MEMBER_OF", "per:mia", prj, start="2024")
    g.node("Project", "prj:empty", title="No team yet")
    await g.write(db)


def add_partner_owned_by_listed_parent(g: GraphBuilder) -> None:
    """A company 60 % owned by a company on the §1286 list."""
    g.org("org:partner", "Partner Co", kind="company", lei="LEI0001")
    g.org("org:parent-co", "Listed Parent Co", kind="company")
    g.rel("OWNED_BY", "org:partner", "org:parent-co", share=0.6, source="src:registry")
    g.listed("org:parent-co", "wl:us-dod-1286", start="2020")


async def test_clean_person_is_accepted_with_no_tier(graph):
    await scenario(graph)
    a = await assess(graph, "per:ken", as_of=AS_OF, time_budget_ms=BUDGET)
    # Ken's only ties are through colleagues: a project shared with Mia (at the Named Institute)
    # and the home university shared with Tom (in the talent plan) — findings for context
    # (tier low) that no rule acts on.
    assert (a.recommendation, a.tier) == ("ACCEPT", "low")
    assert a.rules_fired == [] and a.coverage.sufficient
    found = sorted((f.kind, f.entity_id, f.hops, f.via_structure_only, f.path.hops[0].relation) for f in a.findings)
    # Of the two three-hop paths to the Named Institute (shared project, shared university), the
    # stronger one is kept: appointments weigh more than project membership.
    assert found == [("concern_path", "org:nro", 3, False, "AFFILIATED_WITH"), ("concern_path", "org:ttp", 3, False, "AFFILIATED_WITH")]


async def test_no_information_is_not_a_clean_bill(graph):
    await scenario(graph)
    a = await assess(graph, "per:nell", as_of=AS_OF, time_budget_ms=BUDGET)
    assert a.recommendation == "INSUFFICIENT_INFORMATION"
    assert any("no disclosure on file" in m for m in a.coverage.missing)
    assert any("no open-source record" in m for m in a.coverage.missing)
    empty = await assess(graph, "prj:empty", as_of=AS_OF, time_budget_ms=BUDGET)
    assert empty.recommendation == "INSUFFICIENT_INFORMATION" and any("no team members" in m for m in empty.coverage.missing)


async def test_talent_plan_undisclosed_us_avoid_japan_mitigate(graph):
    await scenario(graph)
    us = await assess(graph, "per:tom", packs=["us-dod-matrix"], as_of=AS_OF, time_budget_ms=BUDGET)
    assert us.recommendation == "AVOID" and us.tier == "high"
    rules = {r.rule_id: r for r in us.rules_fired}
    assert set(rules) == {"dod-mftrp-current", "dod-undisclosed"}
    assert rules["dod-mftrp-current"].citation.url.startswith("https://media.defense.gov/")
    talent = next(f for f in us.findings if f.kind == "talent_program")
    assert talent.evidence[0]["source_id"] == "src:news-archive"
    jp = await assess(graph, "per:tom", packs=["jp-cao-mext"], as_of=AS_OF, time_budget_ms=BUDGET)
    assert jp.recommendation == "MITIGATE" and jp.tier == "elevated" and jp.measures
    assert {r.rule_id for r in jp.rules_fired} >= {"jp-talent-program", "jp-undisclosed-post-or-support"}
    # Before the plan was listed (2022) the US pack sees an unlisted program: no talent bar.
    early = await assess(graph, "per:tom", packs=["us-dod-matrix"], as_of="2021-06-01", time_budget_ms=BUDGET)
    assert "dod-mftrp-current" not in {r.rule_id for r in early.rules_fired}


async def test_project_in_strac_area_with_member_at_named_organization(graph):
    await scenario(graph)
    quantum = await assess(graph, "prj:q", packs=["ca-strac"], as_of=AS_OF, time_budget_ms=BUDGET)
    assert quantum.recommendation == "AVOID"
    assert [r.rule_id for r in quantum.rules_fired] == ["ca-strac-affiliation-sensitive"]
    hit = next(f for f in quantum.findings if f.id in quantum.rules_fired[0].finding_ids)
    assert hit.person_id == "per:mia" and hit.entity_id == "org:nro" and hit.path.hops[0].evidence
    materials = await assess(graph, "prj:m", packs=["ca-strac"], as_of=AS_OF, time_budget_ms=BUDGET)
    assert (materials.recommendation, materials.tier) == ("MITIGATE", "low")
    # Before the Named Institute was listed (2024-04-18) the quantum project is acceptable.
    before = await assess(graph, "prj:q", packs=["ca-strac"], as_of="2024-04-17", time_budget_ms=BUDGET)
    assert before.recommendation == "ACCEPT"


async def test_organization_assessment_and_proportionate_outcomes(graph):
    await scenario(graph)
    g = GraphBuilder()
    add_partner_owned_by_listed_parent(g)
    await g.write(graph)
    org = await assess(graph, "org:partner", as_of=AS_OF, time_budget_ms=BUDGET)
    assert org.recommendation == "MITIGATE"
    assert {f.kind for f in org.findings} == {"concern_path"}
    outcomes = [(await assess(graph, s, as_of=AS_OF, time_budget_ms=BUDGET)).recommendation for s in ("per:ken", "per:mia", "per:tom", "prj:m", "org:partner")]
    assert outcomes.count("AVOID") <= 1 and outcomes.count("ACCEPT") + outcomes.count("MITIGATE") >= 3


async def test_exhausted_time_budget_is_not_a_clean_bill(graph):
    await scenario(graph)
    a = await assess(graph, "per:ken", as_of=AS_OF, time_budget_ms=1)
    assert a.recommendation == "INSUFFICIENT_INFORMATION"
    assert any("concern paths explored only" in m for m in a.coverage.missing)


async def test_assess_many_gives_exactly_what_assess_gives_one_by_one(graph):
    """The sweep's batch (one statement per question for all subjects, searches advancing level
    by level together) must not mix subjects up: every answer equals the single-subject one."""
    import dataclasses

    import pytest

    from kizuna.errors import InvalidInput, NotFound
    from queries.assess import assess_many

    await scenario(graph)
    g = GraphBuilder()
    add_partner_owned_by_listed_parent(g)
    # Ken also co-authored with Mia (at the Named Institute) and holds a grant funded by the partner's parent
    g.node("Publication", "pub:1", title="Joint paper", year=2024)
    g.rel("AUTHORED", "per:ken", "pub:1", source="src:openalex")
    g.rel("AUTHORED", "per:mia", "pub:1", source="src:openalex")
    g.node("Grant", "grt:1", title="Coatings grant")
    g.rel("RECEIVED", "per:ken", "grt:1", start="2024", source="src:grants")
    g.rel("FUNDED_BY", "grt:1", "org:parent-co", start="2024", source="src:grants")
    # Tom has an agreement with the Named Institute stating no clauses
    g.node("Contract", "ctr:1", title="Visiting agreement")
    g.rel("PARTY_TO", "per:tom", "ctr:1", start="2024", source="src:contracts")
    g.rel("PARTY_TO", "org:nro", "ctr:1", start="2024", source="src:contracts")
    # Far away from every list: concern proximity lets the batch skip the search
    g.person("per:far", "Far Away", orcid="0000-0000-0000-0009")
    g.org("org:far", "Remote College")
    g.rel("AFFILIATED_WITH", "per:far", "org:far", start="2019", source="src:orcid")
    await g.write(graph)

    ids = ["per:ken", "per:mia", "per:tom", "per:nell", "per:far", "prj:q", "prj:m", "prj:empty", "org:partner", "org:nro",
           "per:missing", "tech:strac:quantum", "per:mia"]
    many = await assess_many(graph, ids, as_of=AS_OF, time_budget_ms=BUDGET)
    assert len(many) == len(ids)

    def plain(a):
        return dataclasses.replace(a, elapsed_ms=0.0)

    kinds = set()
    for sid, got in zip(ids, many):
        if sid == "per:missing":
            assert isinstance(got, NotFound)
            with pytest.raises(NotFound):
                await assess(graph, sid, as_of=AS_OF, time_budget_ms=BUDGET)
            continue
        if sid.startswith("tech:"):
            assert isinstance(got, InvalidInput)
            with pytest.raises(InvalidInput, match="is a TechnologyArea"):
                await assess(graph, sid, as_of=AS_OF, time_budget_ms=BUDGET)
            continue
        one = await assess(graph, sid, as_of=AS_OF, time_budget_ms=BUDGET)
        assert plain(got) == plain(one), sid
        kinds |= {f.kind for f in one.findings}
    # the comparison covers every question the assessment asks
    assert kinds >= {"concern_path", "undisclosed", "funding", "coauthorship", "contract"}
    assert len({a.recommendation for a in many if not isinstance(a, Exception)}) >= 3
    # the subject concern proximity rules out (no listed entity within reach) was answered without a search
    assert (await graph.read("MATCH (p:Person {id: 'per:far'}) RETURN p.concern_hops AS hops"))[0]["hops"] is None
    far = many[ids.index("per:far")]
    assert [f.kind for f in far.findings] == ["undisclosed"] and not far.coverage.partial_paths


async def test_list_scoped_rules_fire_on_lists_as_ingested(graph, shared_data):
    """Rule packs scope by list id globs (``*meti*``, ``*1286*``): the ids the real ingestors give
    their lists must match them, or list-specific rules would never fire."""
    from ingest.runner import ingest

    await ingest(graph, "meti", [shared_data / "meti_end_user_list" / "meti_foreign_user_list_20250929.csv"], published="2025-09-29")
    await ingest(graph, "dod1286", [shared_data / "opensanctions_repo_lists" / "us_dod_section1286_institutions_talent_programs.csv"])
    listed = {r["w"]: r["o"] for r in await graph.read(
        "MATCH (o:Organization)-[:LISTED_ON]->(w:Watchlist) WITH w, min(o.id) AS o RETURN w.id AS w, o")}
    assert set(listed) == {"wl:jp-meti-end-user-list", "wl:us-dod-section-1286"}
    g = GraphBuilder()
    g.person("per:tie", "Tie Researcher", orcid="0000-0000-0000-0777")
    for org in listed.values():
        g.rel("AFFILIATED_WITH", "per:tie", org, start="2024", source="src:orcid", key="orcid")
    await g.write(graph)
    after = "2025-10-01"  # the METI version of 2025-09-29 is in effect
    jp = await assess(graph, "per:tie", packs=["jp-cao-mext"], as_of=after, time_budget_ms=BUDGET)
    assert "jp-export-control-listed-tie" in {r.rule_id for r in jp.rules_fired}
    us = await assess(graph, "per:tie", packs=["us-dod-matrix"], as_of=after, time_budget_ms=BUDGET)
    assert "dod-affiliation-listed" in {r.rule_id for r in us.rules_fired}

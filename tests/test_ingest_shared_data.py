"""Every file of ../shared/data that belongs to the ingest sources, ingested once into one graph,
then checked against the files themselves (counts computed from the files, specific facts
named in their MANIFEST). Then re-ingested: nothing may change."""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from ingest.catalog import shared_files
from ingest.runner import ingest
from kizuna.ids import identifier_id, make_id, normalize_key
from tests.conftest import wipe
from tests.ingest_helpers import graph_counts, one, value

ORCID_FOR_SECTIONS = "0000-0002-1825-0097"
pytestmark = pytest.mark.slow


def _options(source: str, path: Path) -> dict:
    return {"orcid": ORCID_FOR_SECTIONS} if source == "orcid" and path.suffix == ".json" else {}


@pytest.fixture(scope="module")
async def shared(db, shared_data):
    """The graph holding all shared data, and the run's report per file."""
    await wipe(db)
    reports = {}
    for source, path in shared_files(shared_data):
        report = await ingest(db, source, [path], **_options(source, path))
        reports[path.name] = report.files[0]
    return db, reports


def rows(path: Path, **kw) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, **kw))


async def listings(db, watchlist_name: str) -> int:
    return await value(db, "MATCH (:Entity)-[l:LISTED_ON]->(w:Watchlist {name: $n}) RETURN count(l) AS c", n=watchlist_name)


async def test_every_file_was_read(shared):
    _, reports = shared
    assert {name: (r.status, r.reason) for name, r in reports.items() if r.status != "ok"} == {}
    assert all(r.records_read > 0 and r.facts_written > 0 for r in reports.values())


async def test_meti_has_835_entries_from_xlsx_and_csv(shared, shared_data):
    db, reports = shared
    assert reports["meti_foreign_user_list_20250929.xlsx"].records_read == 835
    assert reports["meti_foreign_user_list_20250929.csv"].records_read == 835
    # Both forms describe the same entries: they meet on the same nodes and listings.
    assert await listings(db, "METI End User List") == 835
    wl = await one(db, "MATCH (w:Watchlist {name: 'METI End User List'}) RETURN w.published AS p, w.jurisdiction AS j")
    assert wl == {"p": "2025-09-29", "j": "JP"}
    names = await value(db, "MATCH (o:Organization {id: $id}) RETURN o.names AS n", id=make_id("org", "jp-meti-end-user-list", "Candid General Trading LLC"))
    assert "Candid Trading LLC" in names


async def test_section_1286_talent_programs_and_fiscal_years(shared, shared_data):
    db, _ = shared
    data = rows(shared_data / "opensanctions_repo_lists/us_dod_section1286_institutions_talent_programs.csv")
    years = defaultdict(set)
    for r in data:
        years[r["name"].strip().casefold()].add(r["report-date"])
    assert await listings(db, "DoD Section 1286 list") == len(years)
    thousand = await one(db, "MATCH (o:Organization {name: 'Thousand Talents Plan'})-[l:LISTED_ON]->(:Watchlist {name: 'DoD Section 1286 list'}) "
                             "RETURN o.kind AS kind, l.start AS start, l.end AS end")
    assert thousand == {"kind": "talent_program", "start": "2022", "end": None}
    kinds = await db.read("MATCH (o:Organization)-[:LISTED_ON]->(:Watchlist {name: 'DoD Section 1286 list'}) WHERE o.name =~ '.*Talent.*' RETURN DISTINCT o.kind AS k")
    assert [r["k"] for r in kinds] == ["talent_program"]
    dropped = sorted(n for n, ys in years.items() if "2025" not in ys)
    assert dropped, "the file has entries missing from its latest fiscal year"
    end = await value(db, "MATCH (o:Organization)-[l:LISTED_ON]->(:Watchlist {name: 'DoD Section 1286 list'}) WHERE toLower(o.name) = $n RETURN l.end AS e", n=dropped[0])
    assert end == str(int(max(years[dropped[0]])) + 1)


async def test_1260h_parents_and_dates(shared, shared_data):
    db, _ = shared
    data = rows(shared_data / "opensanctions_repo_lists/us_dod_1260h_chinese_military_companies.csv")
    key = lambda r: normalize_key((r["Clean Name"] or r["Name"]).strip())  # noqa: E731
    assert await listings(db, "DoD Section 1260H Chinese military companies") == len({key(r) for r in data})
    pairs = {(key(r), normalize_key(r["Parent Name"].strip())) for r in data if r["Parent Name"].strip()}
    assert await value(db, "MATCH (a)-[s:SUBSIDIARY_OF]->(b) WHERE s.ev_source[0] STARTS WITH 'src:' AND a.id STARTS WITH 'org:' "
                           "AND EXISTS { (a)-[:LISTED_ON]->(:Watchlist {name: 'DoD Section 1260H Chinese military companies'}) } RETURN count(s) AS c") == len(pairs)
    costar = await one(db, "MATCH (o:Organization {name: 'Costar Group Co., Ltd.'})-[l:LISTED_ON]->() RETURN l.start AS s, l.end AS e")
    assert costar == {"s": "2021-06-03", "e": "2026-02-17"}
    # The parent is spelled differently across releases: each spelling is kept (for resolution).
    parents = await value(db, "MATCH (:Organization {name: 'AVIC Shenyang Aircraft Company Limited'})-[:SUBSIDIARY_OF]->(p) RETURN collect(p.names) AS n")
    assert all(any(n.startswith("Aviation Industry Corporation of China") for n in names) for names in parents)


async def test_nro_caep_sub_institutes_link_to_caep(shared, shared_data):
    db, _ = shared
    doc = json.loads((shared_data / "canada_nro/rstoolkit_nro_organizations.json").read_text(encoding="utf-8"))
    children = [o for o in doc["organizations"] if o["parentOrg"] == "chinese-academy-of-engineering-physics"]
    assert len(children) == 25
    linked = await db.read("MATCH (c:Organization)-[:PART_OF]->(p:Organization {name: 'Chinese Academy of Engineering Physics'})"
                           "-[:LISTED_ON]->(:Watchlist {name: 'Named Research Organizations'}) RETURN c.name AS n")
    assert sorted(r["n"] for r in linked) == sorted(o["name"] for o in children)
    assert await listings(db, "Named Research Organizations") == len(doc["organizations"])
    assert await value(db, "MATCH (w:Watchlist {name: 'Named Research Organizations'}) RETURN w.published AS p") == "2025-03-11"


async def test_aspi_supervising_agencies_are_edges(shared, shared_data):
    db, _ = shared
    doc = json.loads((shared_data / "aspi_china_defence_universities/misp_galaxy_china-defence-universities.json").read_text(encoding="utf-8"))
    strip = lambda v: re.sub(r"\s*[（(][^()（）]+[)）]\s*$", "", v.strip())  # noqa: E731
    pairs = {(normalize_key(strip(v["value"])), normalize_key(a)) for v in doc["values"] for a in v["meta"].get("supervising agencies", [])}
    assert await value(db, "MATCH (a)-[s:SUPERVISED_BY]->(b) RETURN count(s) AS c") == len(pairs)
    hit = await one(db, "MATCH (o:Organization {name: 'Harbin Institute of Technology'})-[:SUPERVISED_BY]->(g) "
                        "WHERE (o)-[:LISTED_ON]->(:Watchlist {name: 'ASPI China Defence Universities Tracker'}) RETURN o.names AS names, g.name AS agency, g.kind AS kind")
    assert "哈尔滨工业大学" in hit["names"]
    assert hit["agency"] == "Ministry of Industry and Information Technology (MIIT)" and hit["kind"] == "government_body"
    subs = await value(db, "MATCH (s)-[:SUBSIDIARY_OF]->(:Organization {name: 'Academy of Military Science'}) RETURN count(s) AS c")
    assert subs == len(next(v for v in doc["values"] if v["value"].startswith("Academy of Military Science"))["meta"]["subsidiaries"])


async def test_csl_both_schemas_and_dpl(shared, shared_data):
    db, reports = shared
    csl = rows(shared_data / "us_csl_watchman/csl_2019_extract.csv") + rows(shared_data / "us_csl_watchman/csl_consolidated_sample_13rows.csv")
    assert reports["csl_consolidated_sample_13rows.csv"].records_read == 13
    by_list = defaultdict(set)
    for r in csl:
        by_list[r["source"].strip()].add(normalize_key(r["name"]))
    for list_name, names in by_list.items():
        if list_name.startswith("Denied Persons"):
            continue  # the DPL file below adds its own entries to the same list
        assert await listings(db, list_name) == len(names), list_name
    individuals = {r["name"].strip() for r in csl if r["type"] == "Individual"}
    listed_people = await value(db, "MATCH (p:Person)-[:LISTED_ON]->(w:Watchlist) WHERE w.name IN $lists RETURN collect(p.name) AS n", lists=sorted(by_list))
    assert individuals and individuals <= set(listed_people)
    dpl = rows(shared_data / "us_csl_watchman/bis_denied_persons_list.tsv", delimiter="\t")
    assert await listings(db, "Denied Persons List (DPL) - Bureau of Industry and Security") == len(
        {normalize_key(r["Name"]) for r in dpl} | by_list["Denied Persons List (DPL) - Bureau of Industry and Security"])


async def test_ftm_ownership_and_sanctions(shared, shared_data):
    db, _ = shared
    entities = [json.loads(line) for line in (shared_data / "opensanctions_ftm/yente_zala_cluster.entities.ftm.json").open(encoding="utf-8")]
    ownerships = [e for e in entities if e["schema"] == "Ownership"]
    assert await value(db, "MATCH ()-[o:OWNED_BY]->() RETURN count(o) AS c") == len(ownerships)
    sanctioned = {e["properties"]["entity"][0] for e in entities if e["schema"] == "Sanction"}
    listed = await value(db, "MATCH (e)-[:LISTED_ON]->(w:Watchlist) WHERE w.authority = 'OpenSanctions dataset' AND e.id IN $ids RETURN count(DISTINCT e) AS c",
                         ids=[make_id("ent", "ftm", i) for i in sanctioned])
    assert listed == len(sanctioned)


async def test_ror_both_schemas(shared, shared_data):
    db, _ = shared
    ids = set()
    for name in ("ror_subset_schema_v2.jsonl", "ror_subset_schema_v1.jsonl"):
        for line in (shared_data / "ror" / name).open(encoding="utf-8"):
            ids.add(json.loads(line)["id"].rsplit("/", 1)[-1])
    found = await value(db, "MATCH (o:Organization) WHERE o.ror IN $ids AND o.name IS NOT NULL RETURN count(o) AS c", ids=sorted(ids))
    assert found == len(ids)
    hit = await one(db, "MATCH (o:Organization {id: 'org:ror:01yqg2h08'}) RETURN o.name AS name, o.names AS names, o.kind AS kind, o.country AS country")
    assert hit["name"] == "Harbin Institute of Technology" and "哈尔滨工业大学" in hit["names"] and hit["kind"] == "university" and hit["country"] == "CN"
    assert await value(db, "MATCH (:Organization {id: 'org:ror:015m77g16'})-[:PART_OF]->(p) RETURN p.id AS p") == "org:ror:01yqg2h08"
    edges = rows(shared_data / "ror/ror_subset_relationship_edges.csv")
    tail = lambda u: u.rsplit("/", 1)[-1]  # noqa: E731
    part_of = {(tail(e["source_ror_id"]), tail(e["target_ror_id"])) for e in edges if e["relationship_type"] == "parent"}
    part_of |= {(tail(e["target_ror_id"]), tail(e["source_ror_id"])) for e in edges if e["relationship_type"] == "child"}
    got = await value(db, "MATCH (a:Organization)-[r:PART_OF]->(b:Organization) WHERE a.id STARTS WITH 'org:ror:' AND b.id STARTS WITH 'org:ror:' "
                          "AND any(s IN r.ev_method WHERE s = 'ingest:ror') RETURN count(r) AS c")
    assert got == len(part_of)
    nsf = await one(db, "MATCH (o:Organization {id: 'org:ror:021nxhr62'}) RETURN o.fundref AS f, o.kind AS k")
    assert "100000001" in nsf["f"] and nsf["k"] == "funder"


async def test_orcid_json_and_xml(shared):
    db, _ = shared
    roles = await value(db, "MATCH (:Person {orcid: '8888-8888-8888-8880'})-[a:AFFILIATED_WITH]->() RETURN collect(DISTINCT a.role_normalized) AS r")
    assert {"employment", "education", "invited_position", "membership", "distinction"} <= set(roles)
    bu = await one(db, "MATCH (:Person {orcid: $o})-[a:AFFILIATED_WITH {role_normalized: 'employment'}]->(org {id: 'org:ror:05qwgg493'}) "
                       "RETURN a.start AS s, a.end AS e, a.role AS role", o=ORCID_FOR_SECTIONS)
    assert bu == {"s": "2021-01-01", "e": "2023-01-01", "role": "Role / Primary Care Health Services"}
    lead = await value(db, "MATCH (:Person {orcid: '0000-0002-5391-5437'})-[r:RECEIVED]->(g:Grant {title: 'Grant title'}) RETURN r.role AS r")
    assert lead == "lead"
    assert await value(db, "MATCH (p:Person {orcid: $o})-[:AUTHORED]->(w:Publication) RETURN count(w) AS c", o=ORCID_FOR_SECTIONS) == 1


async def test_openalex_entities(shared, shared_data):
    db, _ = shared
    work = json.loads((shared_data / "openalex_samples/W2741809807.json").read_text(encoding="utf-8"))
    assert await value(db, "MATCH (p:Person)-[:AUTHORED]->(w:Publication {openalex: 'W2741809807'}) RETURN count(p) AS c") == len(work["authorships"])
    text = await value(db, "MATCH (:Person {orcid: '0000-0003-1613-5981'})-[a:AFFILIATED_WITH]->(o:Organization {id: 'org:ror:05ppvf150'}) RETURN a.ev_text AS t")
    assert "Impactstory, Sanford, NC, USA" in text
    umich = await one(db, "MATCH (o:Organization {id: 'org:ror:00jmfr291'}) RETURN o.openalex AS oa, o.kind AS k")
    assert umich == {"oa": "I27837315", "k": "university"}
    inst = json.loads((shared_data / "openalex_samples/I27837315.json").read_text(encoding="utf-8"))
    children = [a for a in inst["associated_institutions"] if a["relationship"] == "child"]
    assert await value(db, "MATCH (c)-[r:PART_OF]->(:Organization {id: 'org:ror:00jmfr291'}) WHERE any(m IN r.ev_method WHERE m = 'ingest:openalex') RETURN count(c) AS c") == len(children)
    assert await value(db, "MATCH (o:Organization {id: 'org:ror:01cwqze88'}) RETURN o.openalex AS x") == "F4320332161"


async def test_grants_nsf_nih_kaken(shared, shared_data):
    db, reports = shared
    nsf = rows(shared_data / "grants_nsf_awards/nsf_awards_ehr_grad_education_export.csv")
    good = [r for r in nsf if r["Organization"].strip()]
    assert reports["nsf_awards_ehr_grad_education_export.csv"].records_skipped == len(nsf) - len(good)
    assert await value(db, "MATCH (g:Grant)-[:FUNDED_BY]->(:Organization {id: 'org:ror:021nxhr62'}) RETURN count(g) AS c") == len({r["AwardNumber"] for r in good})
    stony = await one(db, "MATCH (o:Organization {id: $id}) RETURN o.unresolved AS u, o.ev_text AS t", id=make_id("org", "name", "suny at stony brook"))
    assert stony["u"] is True and "SUNY at Stony Brook" in stony["t"]
    nih = rows(shared_data / "grants_nih_reporter/nih_reporter_harvard_fy2014_export.csv")
    park = [r for r in nih if r["Contact PI  Person ID"] == "8644899"]
    assert await value(db, "MATCH (:Person {nih_person_id: '8644899'})-[r:RECEIVED]->(g:Grant) RETURN count(DISTINCT g) AS c") == len({r["Project Number"] for r in park})
    kaken = await one(db, "MATCH (p:Person {kaken_id: '12345678'})-[r:RECEIVED]->(g:Grant {number: '21K10000'})-[:FUNDED_BY]->(f) "
                          "RETURN p.name AS n, r.role AS role, f.id AS funder, g.names AS titles")
    assert kaken["n"] == "山田 太郎" and kaken["role"] == "principal_investigator" and kaken["funder"] == "org:ror:00hhkn466"
    assert "Development of New Research Methods Using Machine Learning" in kaken["titles"]
    names = await value(db, "MATCH (p:Person {kaken_id: '1000000001'}) RETURN p.names AS n")
    assert "田中 太郎" in names and "Taro Tanaka" in names


async def test_every_fact_carries_evidence_from_a_source_node(shared):
    db, _ = shared
    assert await value(db, "MATCH (n) WHERE NOT n:KizunaSchema AND (n.ev_key IS NULL OR size(n.ev_key) = 0) RETURN count(n) AS c") == 0
    assert await value(db, "MATCH ()-[r]->() WHERE r.ev_key IS NULL OR size(r.ev_key) = 0 RETURN count(r) AS c") == 0
    orphans = await value(db, "MATCH (n) WHERE NOT n:KizunaSchema UNWIND n.ev_source AS s WITH DISTINCT s "
                              "WHERE NOT EXISTS { MATCH (:Source {id: s}) } RETURN count(s) AS c")
    assert orphans == 0


async def test_reingesting_changes_nothing(shared, shared_data):
    """One file of every source and format read again (the biggest ones, ROR v2, the FundRef
    crosswalk and NSF, take the same code paths as files below and are left out for time)."""
    db, _ = shared
    before = await graph_counts(db)
    again = {"meti_foreign_user_list_20250929.xlsx", "meti_foreign_user_list_20250929.csv", "us_dod_section1286_institutions_talent_programs.csv",
             "us_dod_1260h_chinese_military_companies.csv", "rstoolkit_nro_organizations.json", "misp_galaxy_china-defence-universities.json",
             "csl_consolidated_sample_13rows.csv", "csl_2019_extract.csv", "bis_denied_persons_list.tsv", "yente_zala_cluster.entities.ftm.json",
             "ror_subset_schema_v1.jsonl", "record-3.0.xml", "funding-3.0-with-NISO-roles.json", "W2741809807.json", "I27837315.json",
             "nih_reporter_harvard_fy2014_export.csv", "kaken_projects_response_SYNTHETIC.xml", "kaken_researchers_response_SYNTHETIC.json",
             "people.yml", "grants.yml"}
    files = [(source, path) for source, path in shared_files(shared_data) if path.name in again]
    assert len(files) == len(again)
    for source, path in files:
        await ingest(db, source, [path], **_options(source, path))
    assert await graph_counts(db) == before


REGOLITH = "disclosure_like_regolith_billingegroup"


def _regolith(shared_data: Path, name: str) -> dict:
    import yaml

    return yaml.safe_load((shared_data / REGOLITH / name).read_text(encoding="utf-8"))


async def test_regolith_people_institutions_grants(shared, shared_data):
    """The regolith group database: counts from the YAML files, then named facts."""
    db, reports = shared
    people, institutions, grants = (_regolith(shared_data, n) for n in ("people.yml", "institutions.yml", "grants.yml"))
    for name, collection in (("people.yml", people), ("institutions.yml", institutions), ("grants.yml", grants)):
        assert reports[name].records_read == len(collection) and reports[name].records_skipped == 0, name
    regolith_people = await value(db, "MATCH (p:Person) WHERE p.id IN $ids RETURN count(p) AS c",
                                  ids=[make_id("per", "regolith", k) for k in people])
    assert regolith_people == len(people)
    with_orcid = await value(db, "MATCH (p:Person) WHERE p.id IN $ids AND p.orcid IS NOT NULL RETURN count(p) AS c",
                             ids=[make_id("per", "regolith", k) for k in people])
    assert with_orcid == sum(1 for p in people.values() if p.get("orcid_id"))
    assert await value(db, "MATCH (o:Organization) WHERE o.id IN $ids RETURN count(o) AS c",
                       ids=[make_id("org", "regolith", k) for k in institutions]) == len(institutions)
    assert await value(db, "MATCH (g:Grant) WHERE g.id STARTS WITH 'grt:regolith:' RETURN count(g) AS c") == len(grants)
    # Every team member RECEIVED the grant with role pi or copi.
    team = sum(len(g["team"]) for g in grants.values())
    received = await db.read("MATCH (:Person)-[r:RECEIVED]->(g:Grant) WHERE g.id STARTS WITH 'grt:regolith:' RETURN r.role AS role, count(*) AS c")
    assert sum(r["c"] for r in received) == team and {r["role"] for r in received} == {"pi", "copi"}

    # Ben Frandsen: aka variants, ORCID, an employment named by string (kept as evidence) and one by key.
    ben = await one(db, "MATCH (p:Person {orcid: '0000-0002-4047-9453'}) RETURN p.names AS names, p.id AS id")
    assert {"Frandsen, Benjamin A.", "Frandsen, B. A.", "Benjamin A. Frandsen"} <= set(ben["names"])
    byu = await one(
        db, "MATCH (p:Person {id: $id})-[a:AFFILIATED_WITH {role_normalized: 'employment'}]->(o:Organization {unresolved: true}) "
        "WHERE a.org_name = 'Brigham Young University' RETURN a.role AS role, a.start AS start, a.ev_text AS ev", id=ben["id"])
    assert byu == {"role": "assistant professor", "start": "2018-09", "ev": ["Brigham Young University"]}
    phd = await one(
        db, "MATCH (p:Person {id: $id})-[a:AFFILIATED_WITH {role_normalized: 'education'}]->(o:Organization) "
        "RETURN o.name AS org, o.unresolved AS unresolved, a.role AS role, a.end AS end", id=ben["id"])
    assert phd == {"org": "Columbia University", "unresolved": True, "role": "PhD in Physics", "end": "2016-04"}
    # 'columbiau' in an employment is the key of institutions.yml: the same node as that record.
    gra = await one(
        db, "MATCH (p:Person {id: $id})-[a:AFFILIATED_WITH {role: 'graduate research assistant'}]->(o:Organization) "
        "RETURN o.id AS id, o.name AS org, a.org_name AS org_name", id=ben["id"])
    assert gra == {"id": make_id("org", "regolith", "columbiau"), "org": institutions["columbiau"]["name"], "org_name": "columbiau"}

    seed_id = identifier_id("grt", "regolith", "0079_mrsec_seed")
    # The 1997 MRSEC seed grant: NSF-DMR funder, $66,000, sbillinge pi and Rong Liu copi at MSU.
    seed = await one(
        db, "MATCH (g:Grant {id: $grant})-[:FUNDED_BY]->(f:Organization) "
        "RETURN g.amount AS amount, g.start AS start, g.end AS end, f.name AS funder", grant=seed_id)
    assert seed == {"amount": 66000.0, "start": "1997-01-01", "end": "1999-01-01", "funder": "NSF-DMR"}
    team_rows = await db.read(
        "MATCH (p:Person)-[r:RECEIVED]->(:Grant {id: $grant}) "
        "OPTIONAL MATCH (p)-[a:AFFILIATED_WITH]->(o:Organization {id: $msu}) WHERE a.role = r.role "
        "RETURN p.id AS id, p.name AS name, r.role AS role, collect(DISTINCT o.name) AS org ORDER BY role DESC", {"msu": make_id("org", "regolith", "msu"), "grant": seed_id})
    assert [(r["role"], r["org"]) for r in team_rows] == [("pi", [institutions["msu"]["name"]]), ("copi", [institutions["msu"]["name"]])]
    assert team_rows[0]["id"] == make_id("per", "regolith", "sbillinge") and team_rows[1]["name"] == "Rong Liu"
    assert await value(db, "MATCH (:Grant {id: $grant})-[:AWARDED_TO]->(o) RETURN collect(o.id) AS c", grant=seed_id) == [
        make_id("org", "regolith", "msu")]

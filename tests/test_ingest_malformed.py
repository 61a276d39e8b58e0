"""Crafted malformed files of every format: a bad record is reported and skipped while the rest
goes in; a file that cannot be parsed at all is reported and NOTHING of it is written."""

from __future__ import annotations

import pytest

from ingest.runner import ingest
from kizuna.ids import make_id
from tests.ingest_helpers import DATA, graph_counts, value


def skipped_reasons(report) -> list[str]:
    return [s["reason"] for f in report.files for s in f.skipped]


@pytest.mark.parametrize(
    "source, name, reason_part",
    [
        ("meti", "meti_wrong_columns.csv", "lacks the column"),
        ("meti", "meti_bad_encoding.csv", "not UTF-8"),
        ("meti", "meti_not_a_workbook.xlsx", "not a readable xlsx"),
        ("nro", "nro_truncated.json", "not valid JSON"),
        ("kaken", "kaken_truncated.xml", "not well-formed XML"),
        ("kaken", "kaken_entities.xml", "refused for safety"),
        ("orcid", "orcid_broken.xml", "not well-formed XML"),
        ("userlist", "userlist_invalid.yaml", "not valid YAML"),
        ("openalex", "openalex_not_entity.json", "neither an OpenAlex entity"),
        ("nsf", "meti_bad_rows.csv", "lacks the column"),
    ],
)
async def test_unreadable_file_writes_nothing(graph, source, name, reason_part):
    before = await graph_counts(graph)
    report = await ingest(graph, source, [DATA / name])
    (fr,) = report.files
    assert fr.status == "failed" and not report.ok
    assert reason_part in fr.reason and "nothing written" in fr.reason
    assert await graph_counts(graph) == before


async def test_truncated_xml_writes_not_even_the_records_before_the_break(graph):
    # The streaming parser yields the first grantAward before it meets the break; the spill
    # guarantees that it is never written.
    report = await ingest(graph, "kaken", [DATA / "kaken_truncated.xml"])
    assert report.files[0].records_read == 1 and report.files[0].status == "failed"
    assert await value(graph, "MATCH (g:Grant) RETURN count(g) AS n") == 0


async def test_unreadable_file_does_not_stop_the_other_files(graph):
    report = await ingest(graph, "meti", [DATA / "meti_wrong_columns.csv", DATA / "meti_bad_rows.csv"])
    assert [f.status for f in report.files] == ["failed", "ok"]
    assert await value(graph, "MATCH (o:Organization) RETURN count(o) AS n") == 2


async def test_csv_bad_rows_are_skipped_with_reasons(graph):
    report = await ingest(graph, "meti", [DATA / "meti_bad_rows.csv"])
    fr = report.files[0]
    assert (fr.status, fr.records_read, fr.records_skipped) == ("ok", 4, 2)
    assert {s["locator"] for s in fr.skipped} == {"line 3", "line 4"}
    assert any("9 cells where the header has 8" in r for r in skipped_reasons(report))
    assert any("no organization name" in r for r in skipped_reasons(report))
    names = await value(graph, "MATCH (o:Organization {name: 'Good Trading Co'}) RETURN o.names AS n")
    assert "グッド商事" in names and "Good Co" in names


async def test_json_list_bad_entries(graph):
    report = await ingest(graph, "nro", [DATA / "nro_bad_entries.json"])
    fr = report.files[0]
    assert (fr.records_read, fr.records_skipped) == (5, 3)
    assert await value(graph, "MATCH (:Organization {name: 'Alpha Sub-Institute'})-[:PART_OF]->(p) RETURN p.name AS n") == "Alpha Institute"


async def test_jsonl_bad_lines(graph):
    report = await ingest(graph, "ror", [DATA / "ror_bad_line.jsonl"])
    fr = report.files[0]
    assert (fr.records_read, fr.records_skipped) == (3, 2)
    assert any("invalid JSON" in r for r in skipped_reasons(report))
    assert any("neither ROR schema" in r for r in skipped_reasons(report))
    org = await value(graph, "MATCH (o:Organization {id: 'org:ror:000000001'}) RETURN o {.name, .names, .kind, .country} AS o")
    assert org == {"name": "Crafted University", "names": ["Crafted University", "架空大学"], "kind": "university", "country": "JP"}


async def test_tsv_bad_rows(graph):
    report = await ingest(graph, "dpl", [DATA / "dpl_bad_rows.tsv"])
    fr = report.files[0]
    assert (fr.records_read, fr.records_skipped) == (3, 2)
    assert any("not a date" in r for r in skipped_reasons(report))
    row = await value(graph, "MATCH (o:Organization {name: 'CRAFTED TRADING LTD'})-[l:LISTED_ON]->(w:Watchlist) "
                             "RETURN [l.start, l.end, w.jurisdiction] AS x")
    assert row == ["2020-01-02", "2030-01-02", "US"]


async def test_1260h_bad_date_and_parent_edge(graph):
    report = await ingest(graph, "dod1260h", [DATA / "dod1260h_bad_rows.csv"])
    assert report.files[0].records_skipped == 1
    row = await value(graph, "MATCH (c {name: 'Crafted Child Co'})-[:SUBSIDIARY_OF]->(p)-[:LISTED_ON]->(w) RETURN [p.name, w.name] AS x")
    assert row == ["Crafted Parent Group", "DoD Section 1260H Chinese military companies"]
    assert await value(graph, "MATCH ({name: 'Crafted Child Co'})-[l:LISTED_ON]->() RETURN l.end AS e") == "2024-01-31"


async def test_yaml_list_bad_kind(graph):
    report = await ingest(graph, "userlist", [DATA / "userlist_bad_kind.yaml"])
    fr = report.files[0]
    assert (fr.records_read, fr.records_skipped) == (3, 2)
    kind = await value(graph, "MATCH (o:Organization {name: 'Crafted Talent Scheme'})-[:LISTED_ON]->(w:Watchlist {name: 'Crafted list'}) RETURN o.kind AS k")
    assert kind == "talent_program"


async def test_disclosure_yaml_bad_people(graph):
    report = await ingest(graph, "cps", [DATA / "cps_bad_people.yaml"])
    fr = report.files[0]
    assert (fr.records_read, fr.records_skipped) == (3, 2)
    row = await value(graph, "MATCH (p:Person {fictional: true})-[a:AFFILIATED_WITH]->(o:Organization) RETURN [p.name, o.name, o.unresolved, a.start] AS x")
    assert row == ["Test Person A (fictional)", "Crafted University", True, "2020-01-01"]


async def test_ftm_bad_line_and_unmapped_schema(graph):
    report = await ingest(graph, "ftm", [DATA / "ftm_bad_line.jsonl"])
    fr = report.files[0]
    assert (fr.records_read, fr.records_skipped) == (5, 2)
    assert any("Vessel is not mapped" in r for r in skipped_reasons(report))
    share = await value(graph, "MATCH ({name: 'Crafted Subsidiary'})-[o:OWNED_BY]->({name: 'Crafted Holding'}) RETURN o.share AS s")
    assert share == 51.0
    assert await value(graph, "MATCH ({name: 'Crafted Holding'})-[:LISTED_ON]->(w:Watchlist) RETURN w.name AS n") == "crafted"


async def test_grant_csv_bad_amount(graph):
    report = await ingest(graph, "nsf", [DATA / "nsf_bad_amount.csv"])
    assert report.files[0].records_skipped == 1
    assert any("amount is not a number" in r for r in skipped_reasons(report))
    row = await value(graph, "MATCH (p:Person)-[r:RECEIVED]->(g:Grant {number: '9990001'})-[:AWARDED_TO]->(o:Organization) "
                             "RETURN collect(p.name + ':' + r.role) AS x")
    assert sorted(row) == ["Lee Example:co_principal_investigator", "Pat Example:principal_investigator"]
    org_id = make_id("org", "name", "crafted college")
    assert await value(graph, "MATCH (o:Organization {id: $id}) RETURN o.unresolved AS u", id=org_id) is True


async def test_user_list_csv_with_cli_style_options(graph):
    report = await ingest(graph, "userlist", [DATA / "userlist_entries.csv"], list_name="Crafted internal list", jurisdiction="JP",
                          authority="Crafted University research security office", published="2025-02-01")
    fr = report.files[0]
    assert (fr.records_read, fr.records_skipped) == (3, 1)
    row = await value(graph, "MATCH (:Organization {name: 'Crafted Academy Lab'})-[:PART_OF]->(p)-[l:LISTED_ON]->(w:Watchlist) "
                             "RETURN [p.names, l.start, l.reason, w.name, w.jurisdiction, w.published] AS x")
    assert row == [["Crafted Academy", "CA", "クラフト学院"], "2023-05-01", "crafted reason", "Crafted internal list", "JP", "2025-02-01"]


async def test_support_csv(graph):
    report = await ingest(graph, "cps", [DATA / "cps_support.csv"])
    fr = report.files[0]
    assert (fr.records_read, fr.records_skipped) == (3, 2)
    assert {s["reason"].split(": ", 1)[-1] for s in fr.skipped} == {"support item needs title and funder", "status must be current, pending or past"}
    row = await value(graph, "MATCH (p:Person)-[r:RECEIVED]->(g:Grant {number: 'CS-1'})-[f:FUNDED_BY]->(o:Organization) "
                             "RETURN [p.name, r.role, g.amount, f.in_kind, o.name, o.unresolved] AS x")
    assert row == ["Test Person C (fictional)", "pi (current)", 1000.0, False, "Crafted Foundation", True]


REGOLITH_PEOPLE = """\
good:
  name: Good Person
  aka: [G. Person, "Person, Good"]
  orcid_id: 0000-0001-0000-0001
  employment:
    - {organization: Example University, position: professor, begin_year: 2020, begin_month: 4}
    - {organization: exu, position: lecturer, begin_year: 2015, end_year: 2019}
noname:
  aka: [Nobody]
stringaka:
  name: String Aka
  aka: just one string
baddate:
  name: Bad Date
  aka: []
  employment:
    - {organization: Example University, position: professor, begin_year: twenty}
notamapping: [1, 2]
"""

REGOLITH_GRANTS = """\
g1:
  title: Good grant
  amount: 1000
  funder: NSF-DMR
  begin_date: 2020-01-01
  team:
    - {name: good, position: pi, institution: exu}
    - {name: Other Person, position: co-pi, institution: Example University}
g2:
  title: Bad role
  funder: NSF-DMR
  team:
    - {name: good, position: lead, institution: exu}
g3:
  title: No team
  funder: NSF-DMR
g4:
  title: Bad amount
  amount: lots
  team:
    - {name: good, position: pi, institution: exu}
"""


async def test_regolith_bad_records_are_skipped(graph, tmp_path):
    (tmp_path / "people.yml").write_text(REGOLITH_PEOPLE, encoding="utf-8")
    (tmp_path / "grants.yml").write_text(REGOLITH_GRANTS, encoding="utf-8")
    report = await ingest(graph, "regolith", [tmp_path / "people.yml", tmp_path / "grants.yml"])
    people, grants = report.files
    assert (people.status, people.records_read, people.records_skipped) == ("ok", 5, 4)
    assert (grants.status, grants.records_read, grants.records_skipped) == ("ok", 4, 3)
    reasons = skipped_reasons(report)
    for part in ("no name", "aka is a list", "year is not a number", "is a mapping", "pi or copi, not 'lead'", "no team", "not a number"):
        assert any(part in r for r in reasons), (part, reasons)
    good = make_id("per", "regolith", "good")
    assert await value(graph, "MATCH (p:Person {id: $id}) RETURN p.names AS n", id=good) == ["Good Person", "G. Person", "Person, Good"]
    assert await value(graph, "MATCH (p:Person) WHERE p.name IN ['String Aka', 'Bad Date'] RETURN count(p) AS c") == 0
    roles = await graph.read("MATCH (p:Person)-[r:RECEIVED]->(:Grant {id: 'grt:regolith:g1'}) RETURN p.name AS name, r.role AS role ORDER BY role DESC")
    assert roles == [{"name": "Good Person", "role": "pi"}, {"name": "Other Person", "role": "copi"}]


@pytest.mark.parametrize("name, text, reason_part", [
    ("grants.yml", "g1: {title: [unclosed\n", "not valid YAML"),
    ("people.yml", "- just\n- a list\n", "mapping of keys to records"),
    ("projects.yml", "p1: {name: x}\n", "not a regolith collection"),
])
async def test_regolith_unreadable_writes_nothing(graph, tmp_path, name, text, reason_part):
    (tmp_path / name).write_text(text, encoding="utf-8")
    before = await graph_counts(graph)
    (fr,) = (await ingest(graph, "regolith", [tmp_path / name])).files
    assert fr.status == "failed" and reason_part in fr.reason and "nothing written" in fr.reason
    assert await graph_counts(graph) == before

"""Disclosure ingest end to end against the real test Neo4j: formats, per-document errors,
evidence spans, organization linking, versioning, idempotency, the JSON form and the CLI."""

from __future__ import annotations

import io
import json
import os

import pytest

import ingest.disclosure as disclosure
from graph.provenance import Evidence
from graph.writer import GraphWriter, NodeRecord
from ingest.disclosure import DisclosureIngestor, disclosure_json_schema, extract_text
from kizuna.errors import SourceUnreadable

JA_DOC = (
    "氏名：山田 太郎\n"
    "東京大学 教授（2012年4月～現在）\n"
    "2019年4月～2021年3月　清華大学 客員教授\n"
    "令和3年、株式会社サンプル技研と共同研究契約を締結（知的財産・秘密保持条項あり）。\n"
    "2018年に千人計画に参加した。\n"
)
EN_DOC = (
    "Name: Jane Roe\n"
    "Professor, Kizuna Test University, 2015-present\n"
    "PI, National Natural Science Foundation of China, Grant No. 62071234, 2020-2023, CNY 600,000\n"
)


async def seed_orgs(db) -> None:
    """Organizations as the ROR ingestor would have written them (Tsinghua named in simplified Chinese)."""
    ev = Evidence("src:test-ror", "record", "2026-01-01T00:00:00+00:00", "test")
    await GraphWriter(db).write(
        [
            NodeRecord("Organization", "org:ror:03cve4549", {"name": "Tsinghua University", "names": ["Tsinghua University", "清华大学"], "ror": "03cve4549", "kind": "university"}, ev),
            NodeRecord("Organization", "org:ror:057zh3y96", {"name": "The University of Tokyo", "names": ["The University of Tokyo", "東京大学"], "ror": "057zh3y96", "kind": "university"}, ev),
        ],
        [],
    )


async def counts(db) -> tuple:
    rows = await db.read(
        "MATCH (n) WHERE NOT n:KizunaSchema OPTIONAL MATCH (n)-[r]->() "
        "RETURN count(DISTINCT n) AS nodes, count(r) AS rels, sum(size(keys(n))) AS props"
    )
    ev = await db.read("MATCH ()-[r]->() RETURN sum(size(r.ev_key)) AS ev")
    return rows[0]["nodes"], rows[0]["rels"], ev[0]["ev"]


def docx_bytes(lines: list[str], table: list[list[str]]) -> bytes:
    import docx

    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    t = document.add_table(rows=len(table), cols=len(table[0]))
    for i, row in enumerate(table):
        for j, cell in enumerate(row):
            t.cell(i, j).text = cell
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_bytes(text: str, password: str | None = None) -> bytes:
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in text.splitlines():
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    data = bytes(pdf.output())
    if password is None:
        return data
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(data)).pages:
        writer.add_page(page)
    writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_published_schema_is_current():
    on_disk = json.loads(disclosure.SCHEMA_PATH.read_text(encoding="utf-8"))
    assert on_disk == json.loads(json.dumps(disclosure_json_schema()))
    props = on_disk["properties"]
    for section in ("subject", "career_history", "appointments", "research_support", "contracts", "talent_programs", "advisory_roles", "remarks"):
        assert section in props


def test_text_extraction_per_format():
    assert "Visiting Professor" in extract_text("a.docx", docx_bytes(["Name: Jane Roe"], [["2019-2021", "Visiting Professor", "Tsinghua University"]]))
    assert "2019-2021 | Visiting Professor | Tsinghua University" in extract_text(
        "a.docx", docx_bytes(["Name: Jane Roe"], [["2019-2021", "Visiting Professor", "Tsinghua University"]])
    )
    html = "<html><body><script>x()</script><h2>Appointments</h2><table><tr><td>2019</td><td>Professor</td><td>Kyoto University</td></tr></table></body></html>"
    text = extract_text("a.html", html.encode())
    assert "2019 | Professor | Kyoto University" in text and "x()" not in text
    tex = r"\section{Appointments} \textbf{Professor}, Kyoto University, 2015--present \% done"
    assert "Professor, Kyoto University" in extract_text("a.tex", tex.encode())
    assert "Professor, Kizuna Test University" in extract_text("a.pdf", pdf_bytes(EN_DOC))
    assert extract_text("a.txt", JA_DOC.encode("cp932")) == JA_DOC  # Shift_JIS text is read too
    assert extract_text("a.txt", JA_DOC.encode("utf-16")) == JA_DOC  # UTF-16 with its byte-order mark (Windows "Unicode")
    with pytest.raises(SourceUnreadable, match="UTF-16"):  # without the mark it is not guessed
        extract_text("a.txt", JA_DOC.encode("utf-16-be"))


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("empty.txt", b"   \n", "empty"),
        ("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", "cannot be read"),
        ("locked.pdf", None, "encrypted"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "cannot be read"),
        ("slides.pptx", b"whatever", "unsupported"),
    ],
)
def test_unreadable_documents_have_clear_reasons(name, data, reason):
    data = pdf_bytes(EN_DOC, password="secret") if data is None else data
    with pytest.raises(SourceUnreadable, match=reason):
        extract_text(name, data)


async def test_bad_documents_are_reported_and_the_others_go_in(graph, monkeypatch):
    monkeypatch.setattr(disclosure, "MAX_DOCUMENT_BYTES", 50_000)
    files = [
        ("empty.txt", b""),
        ("corrupt.pdf", b"%PDF-1.4 this is not a pdf"),
        ("locked.pdf", pdf_bytes(EN_DOC, password="secret")),
        ("huge.txt", b"Name: X\n" + b"a" * 60_000),
        ("good.txt", EN_DOC.encode()),
    ]
    report = await DisclosureIngestor(graph).ingest(files)
    by_file = {d["file"]: d for d in report["documents"]}
    assert report["errors"] == 4
    assert "empty" in by_file["empty.txt"]["problems"][0]
    assert "cannot be read" in by_file["corrupt.pdf"]["problems"][0]
    assert "encrypted" in by_file["locked.pdf"]["problems"][0]
    assert "over the limit" in by_file["huge.txt"]["problems"][0]
    assert by_file["good.txt"]["status"] == "ok" and by_file["good.txt"]["facts"] >= 2
    rows = await graph.read("MATCH (d:Disclosure) RETURN d.document AS document")
    assert [r["document"] for r in rows] == ["good.txt"]


async def test_facts_are_linked_and_evidenced(graph):
    await seed_orgs(graph)
    report = await DisclosureIngestor(graph).ingest([("yamada.txt", JA_DOC.encode())])
    assert report["subjects"][0]["name"] == "山田 太郎"
    facts = {(f["relation"], f["organization"]["name"]): f for f in report["facts"]}
    tsinghua = facts[("AFFILIATED_WITH", "Tsinghua University")]
    assert tsinghua["organization"]["id"] == "org:ror:03cve4549" and tsinghua["organization"]["ror"] == "03cve4549"
    assert (tsinghua["role"], tsinghua["role_normalized"], tsinghua["start"], tsinghua["end"]) == ("客員教授", "visiting", "2019-04", "2021-03")
    ev = tsinghua["evidence"]
    assert JA_DOC[ev["start"] : ev["end"]] == ev["text"] and "清華大学 客員教授" in ev["text"]
    assert facts[("AFFILIATED_WITH", "The University of Tokyo")]["role_normalized"] == "professor"
    contract = facts[("PARTY_TO", "株式会社サンプル技研")]
    assert contract["organization"]["unresolved"] is True and contract["contract_kind"] == "joint_research"
    assert set(contract["clauses"]) == {"ip", "confidentiality"}
    assert facts[("PARTICIPATES_IN", "Thousand Talents Plan")]["start"] == "2018"

    rows = await graph.read(
        "MATCH (p:Person)-[r:AFFILIATED_WITH]->(o:Organization {id: 'org:ror:03cve4549'}) "
        "RETURN p.name AS person, r.role_normalized AS role, r.ev_start AS s, r.ev_end AS e, r.ev_text AS t, r.ev_source AS src"
    )
    assert len(rows) == 1 and rows[0]["person"] == "山田 太郎" and rows[0]["role"] == "visiting"
    assert JA_DOC[rows[0]["s"][0] : rows[0]["e"][0]] == rows[0]["t"][0]
    dis = await graph.read("MATCH (p:Person)-[:SUBMITTED]->(d:Disclosure) RETURN d.id AS id, d.version AS v, d.languages AS langs")
    assert rows[0]["src"] == [dis[0]["id"]] and dis[0]["v"] == 1 and dis[0]["langs"] == ["ja"]
    flagged = await graph.read("MATCH (o:Organization {unresolved: true}) RETURN o.name AS name")
    assert {"株式会社サンプル技研"} <= {r["name"] for r in flagged}
    contract_rows = await graph.read(
        "MATCH (:Person)-[:PARTY_TO]->(c:Contract)<-[:PARTY_TO]-(o:Organization) RETURN c.kind AS kind, c.clauses AS clauses, o.name AS org"
    )
    assert contract_rows == [{"kind": "joint_research", "clauses": ["ip", "confidentiality"], "org": "株式会社サンプル技研"}]
    grant = await graph.read("MATCH (o:Organization) WHERE o.kind = 'talent_program' RETURN o.name AS name")
    assert [r["name"] for r in grant] == ["Thousand Talents Plan"]


async def test_reingest_is_idempotent_and_new_versions_supersede(graph):
    await seed_orgs(graph)
    await DisclosureIngestor(graph).ingest([("yamada.txt", JA_DOC.encode())])
    before = await counts(graph)
    again = await DisclosureIngestor(graph).ingest([("yamada.txt", JA_DOC.encode())])
    assert again["documents"][0]["version"] == 1
    assert await counts(graph) == before
    updated = JA_DOC + "2023年より北京航空航天大学 兼任教授。\n"
    report = await DisclosureIngestor(graph, submitted_at="2026-12-01T00:00:00+00:00").ingest([("yamada-v2.txt", updated.encode())])
    assert report["documents"][0]["version"] == 2
    rows = await graph.read("MATCH (:Person)-[:SUBMITTED]->(d:Disclosure) RETURN d.version AS v, d.superseded AS superseded ORDER BY v")
    assert rows == [{"v": 1, "superseded": True}, {"v": 2, "superseded": False}]
    # the restated appointment is one relationship with evidence from both versions
    ev = await graph.read("MATCH (:Person)-[r:AFFILIATED_WITH]->(:Organization {id: 'org:ror:03cve4549'}) RETURN r.ev_source AS src")
    assert len(ev) == 1 and len(ev[0]["src"]) == 2


async def _versions(db) -> dict[str, list[tuple[int, bool]]]:
    rows = await db.read(
        "MATCH (p:Person)-[:SUBMITTED]->(d:Disclosure) RETURN p.id AS person, d.version AS v, d.superseded AS superseded ORDER BY person, v"
    )
    out: dict[str, list[tuple[int, bool]]] = {}
    for row in rows:
        out.setdefault(row["person"], []).append((row["v"], row["superseded"]))
    return out


async def test_namesakes_from_different_submitters_stay_apart_and_each_chains_its_versions(graph):
    await seed_orgs(graph)
    # Two different researchers called 山田 太郎, neither stating an identifier, each disclosed
    # through their own institution's account.
    other = "氏名：山田 太郎\n京都大学 准教授（2016年4月～現在）\n"
    a1 = await DisclosureIngestor(graph).ingest([("yamada-a.txt", JA_DOC.encode())], submitter="office@univ-a")
    b1 = await DisclosureIngestor(graph).ingest([("yamada-b.txt", other.encode())], submitter="office@univ-b")
    person_a, person_b = a1["documents"][0]["subject_id"], b1["documents"][0]["subject_id"]
    assert person_a != person_b
    assert a1["documents"][0]["subject_keyed_by"] == b1["documents"][0]["subject_keyed_by"] == "name+submitter"
    assert b1["documents"][0]["version"] == 1  # B's first disclosure does not supersede A's
    # A's next version chains to A only; B's stays current.
    a2 = await DisclosureIngestor(graph).ingest([("yamada-a-v2.txt", (JA_DOC + "2023年より北京航空航天大学 兼任教授。\n").encode())], submitter="office@univ-a")
    assert a2["documents"][0]["subject_id"] == person_a and a2["documents"][0]["version"] == 2
    assert await _versions(graph) == {person_a: [(1, True), (2, False)], person_b: [(1, False)]}
    submitted_by = await graph.read("MATCH (:Person {id: $id})-[:SUBMITTED]->(d:Disclosure) RETURN DISTINCT d.submitted_by AS s", {"id": person_b})
    assert submitted_by == [{"s": "office@univ-b"}]
    # Each person's facts stay on that person.
    kyoto = await graph.read("MATCH (p:Person)-[:AFFILIATED_WITH]->(o:Organization) WHERE o.name CONTAINS '京都大学' RETURN DISTINCT p.id AS id")
    assert kyoto == [{"id": person_b}]


async def test_namesakes_with_stated_identifiers_stay_apart_even_from_one_submitter(graph):
    await seed_orgs(graph)
    first = "Name: Jane Roe\nORCID: 0000-0002-1825-0097\nProfessor, Kizuna Test University, 2015-present\n"
    second = "Name: Jane Roe\nORCID https://orcid.org/0000-0001-5109-3700\nAssistant Professor, Tsinghua University, 2019-present\n"
    r1 = await DisclosureIngestor(graph).ingest([("roe-1.txt", first.encode()), ("roe-2.txt", second.encode())], submitter="office")
    ids = [d["subject_id"] for d in r1["documents"]]
    assert ids == ["per:orcid:0000000218250097", "per:orcid:0000000151093700"]
    # The first person's updated CV (same ORCID, now submitted by someone else) is their version 2.
    r2 = await DisclosureIngestor(graph).ingest([("roe-1-v2.txt", (first + "Visiting Professor, Tsinghua University, 2024-present\n").encode())], submitter="other-office")
    assert r2["documents"][0]["subject_id"] == ids[0] and r2["documents"][0]["version"] == 2
    assert await _versions(graph) == {ids[0]: [(1, True), (2, False)], ids[1]: [(1, False)]}


def test_stated_identifiers_need_one_unambiguous_value():
    assert disclosure.stated_identifiers("ORCID iD: 0000-0002-1825-009X\n研究者番号：12345678") == {"orcid": "0000-0002-1825-009X", "erad_id": "12345678"}
    assert disclosure.stated_identifiers("KAKEN researcher number 87654321") == {"kaken_id": "87654321"}
    # two ORCIDs (e.g. the co-investigators') do not say which one is the subject's
    assert disclosure.stated_identifiers("ORCID: 0000-0002-1825-0097; co-PI ORCID: 0000-0001-5109-3700") == {}


async def test_structured_form_goes_straight_in(graph):
    form = {
        "subject": {"name": "Jane Roe", "orcid": "0000-0002-1825-0097"},
        "appointments": [{"organization": {"name": "Tsinghua University", "ror": "03cve4549"}, "role": "Adjunct Professor", "status": "concurrent", "start": "2019", "paid": True}],
        "research_support": [{"funder": {"name": "Acme Foundation"}, "grant_number": "AF-1", "role": "pi", "amount": 1000, "currency": "USD", "in_kind": False}],
        "contracts": [{"counterparty": {"name": "Acme Corp"}, "kind": "licence", "clauses": ["ip"]}],
        "talent_programs": [{"program": {"name": "Thousand Talents Plan"}, "start": "2018"}],
        "advisory_roles": [{"organization": {"name": "Acme Corp"}, "role": "Board member", "paid": True}],
        "remarks": "2020年より北京航空航天大学 客員教授。",
    }
    report = await DisclosureIngestor(graph).ingest([("form.json", json.dumps(form).encode())])
    assert report["errors"] == 0 and report["subjects"] == [{"id": "per:orcid:0000000218250097", "name": "Jane Roe"}]
    got = {(f["relation"], f["organization"]["name"], f["role_normalized"], f["evidence"]["locator"]) for f in report["facts"]}
    assert ("AFFILIATED_WITH", "Tsinghua University", "adjunct", "$.appointments[0]") in got
    assert ("ADVISES", "Acme Corp", "director", "$.advisory_roles[0]") in got
    assert any(r == "AFFILIATED_WITH" and loc.startswith("chars ") for r, _, _, loc in got)  # remarks went through NLP
    talent = next(f for f in report["facts"] if f["relation"] == "PARTICIPATES_IN")
    assert talent["organization"]["unresolved"] is False  # the seed gazetteer knows the program
    bad = await DisclosureIngestor(graph).ingest([("bad.json", json.dumps({"subject": {}}).encode())])
    assert bad["errors"] == 1 and "subject.name" in bad["documents"][0]["problems"][0]


def test_cli_json_report(settings, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from api.cli import app
    from kizuna.settings import get_settings

    if not os.environ.get("NEO4J_URI"):
        monkeypatch.setenv("KIZUNA_NEO4J_BOLT_PORT", str(settings.neo4j_bolt_port))
        monkeypatch.setenv("KIZUNA_NEO4J_PASSWORD", settings.neo4j_password)
    get_settings.cache_clear()
    good = tmp_path / "roe.txt"
    good.write_text(EN_DOC, encoding="utf-8")
    missing = tmp_path / "missing.pdf"
    try:
        result = CliRunner().invoke(app, ["ingest-disclosure", str(good), str(missing), "--json"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2, result.output
    report = json.loads(result.stdout)
    assert [d["status"] for d in report["documents"]] == ["error", "ok"]
    assert "cannot be opened" in report["documents"][0]["problems"][0]
    assert {f["relation"] for f in report["facts"]} >= {"AFFILIATED_WITH", "FUNDED_BY"}


def test_cli_ingest_disclosure_alias_resolves_what_it_wrote(settings, tmp_path, monkeypatch):
    """`kizuna ingest disclosure` is `kizuna ingest-disclosure`; a successful run is followed by
    incremental entity resolution of the persons and organizations written (--no-resolve skips it)."""
    from typer.testing import CliRunner

    from api.cli import app
    from kizuna.settings import get_settings

    if not os.environ.get("NEO4J_URI"):
        monkeypatch.setenv("KIZUNA_NEO4J_BOLT_PORT", str(settings.neo4j_bolt_port))
        monkeypatch.setenv("KIZUNA_NEO4J_PASSWORD", settings.neo4j_password)
    get_settings.cache_clear()
    doc = tmp_path / "roe.txt"
    doc.write_text(EN_DOC, encoding="utf-8")
    try:
        result = CliRunner().invoke(app, ["ingest", "disclosure", str(doc), "--json"])
        quiet = CliRunner().invoke(app, ["ingest", "disclosure", str(doc), "--json", "--no-resolve"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [d["status"] for d in report["documents"]] == ["ok"]
    persons = [i for i in report["resolvable_ids"] if i.startswith("per:")]
    assert persons == [report["documents"][0]["subject_id"]]
    assert report["resolution"]["checked"] == {"org": len(report["resolvable_ids"]) - 1, "person": 1}
    assert quiet.exit_code == 0 and "resolution" not in json.loads(quiet.stdout)

"""The graph the console's browser tests explore, written through graph.writer.

A fictional, demo-like researcher (names in Latin, kanji and katakana, an ORCID) whose latest
disclosure states, in Japanese, a visiting post at a laboratory that is part of a listed
university: the concern path subject -> lab -> university -> list, every hop with evidence
(a character span of the disclosure, a registry record field, a list row). Her employer is a
hub with HUB_AFFILIATES other affiliates, for the responsiveness test.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.db import Database
from graph.provenance import Evidence
from graph.writer import GraphWriter, NodeRecord, RelRecord

HUB_AFFILIATES = 5000
OBSERVED = "2026-11-01T00:00:00+00:00"

PERSON = "per:orcid:0000000218250097"
HUB = "org:test:kizuna-institute"
LAB = "org:test:hokushin-lab"
LISTED = "org:test:hokushin-university"
WATCHLIST = "wl:test:entities-of-concern"
FUNDER = "org:test:jsps"
GRANT = "grt:test:21h01234"
DISCLOSURE_V1 = "dis:test:yamada-v1"
DISCLOSURE_V2 = "dis:test:yamada-v2"
SRC_ORCID = "src:test:orcid-yamada"
SRC_ROR = "src:test:registry"
SRC_LIST = "src:test:list"
SRC_HR = "src:test:staff-directory"

VISIT_SENTENCE = "2021年4月から2023年3月まで、北辰先端材料研究所の客員研究員を務めた。"
DISCLOSURE_V2_TEXT = (
    "Disclosure of outside activities / 外部活動の申告\n"
    "Name: Hanako Yamada (山田 花子)\n"
    "1. Primary appointment: Professor, Kizuna Institute of Technology, since 2015.\n"
    f"2. {VISIT_SENTENCE}\n"
    "3. Research funding: JSPS KAKENHI 21H01234 (2021-2024).\n"
)
DISCLOSURE_V1_TEXT = (
    "Disclosure of outside activities / 外部活動の申告\n"
    "Name: Hanako Yamada (山田 花子)\n"
    "1. Primary appointment: Professor, Kizuna Institute of Technology, since 2015.\n"
)
VISIT_START = DISCLOSURE_V2_TEXT.index(VISIT_SENTENCE)
VISIT_END = VISIT_START + len(VISIT_SENTENCE)


@dataclass(frozen=True)
class ConsoleGraph:
    person: str = PERSON
    hub: str = HUB
    lab: str = LAB
    listed: str = LISTED
    watchlist: str = WATCHLIST
    visit_sentence: str = VISIT_SENTENCE


def _ev(source: str, locator: str, text: str, start: int = -1, end: int = -1, method: str = "test-fixture", confidence: float = 1.0) -> Evidence:
    return Evidence(source, locator, OBSERVED, method, confidence, text=text, start=start, end=end)


async def write_console_graph(db: Database) -> ConsoleGraph:
    """Writes the graph (idempotent) and returns the ids the tests use."""
    src = _ev(SRC_ROR, "fixture", "test fixture")
    nodes = [
        NodeRecord("Source", SRC_ORCID, {"kind": "orcid", "title": "ORCID record 0000-0002-1825-0097", "uri": "https://orcid.org/0000-0002-1825-0097", "retrieved_at": "2026-10-28"}, src),
        NodeRecord("Source", SRC_ROR, {"kind": "registry", "title": "Organization registry (test)", "retrieved_at": "2026-10-20"}, src),
        NodeRecord("Source", SRC_LIST, {"kind": "watchlist", "title": "Entities of concern — test list", "retrieved_at": "2026-10-15"}, src),
        NodeRecord("Source", SRC_HR, {"kind": "directory", "title": "Staff directory (test)", "retrieved_at": "2026-10-10"}, src),
        NodeRecord("Person", PERSON, {"name": "Hanako Yamada", "names": ["Hanako Yamada", "山田 花子", "ヤマダ ハナコ"], "orcid": "0000-0002-1825-0097", "fictional": True},
                   _ev(SRC_ORCID, "$.person.name", "Hanako Yamada")),
        NodeRecord("Organization", HUB, {"name": "Kizuna Institute of Technology", "names": ["Kizuna Institute of Technology", "絆工科大学"], "kind": "university", "ror": "00test0001"},
                   _ev(SRC_ROR, "$.items[0].name", "Kizuna Institute of Technology")),
        NodeRecord("Organization", LAB, {"name": "Hokushin Advanced Materials Laboratory", "names": ["Hokushin Advanced Materials Laboratory", "北辰先端材料研究所"], "kind": "research_institute"},
                   _ev(SRC_ROR, "$.items[1].name", "北辰先端材料研究所")),
        NodeRecord("Organization", LISTED, {"name": "Hokushin University of Defence Technology", "names": ["Hokushin University of Defence Technology", "北辰国防科技大学"], "kind": "military_body"},
                   _ev(SRC_LIST, "row 17 / Name", "Hokushin University of Defence Technology")),
        NodeRecord("Organization", FUNDER, {"name": "Japan Society for the Promotion of Science", "names": ["Japan Society for the Promotion of Science", "日本学術振興会", "JSPS"], "kind": "funder"},
                   _ev(SRC_ROR, "$.items[2].name", "Japan Society for the Promotion of Science")),
        NodeRecord("Grant", GRANT, {"title": "Self-healing ceramics (KAKENHI 21H01234)", "number": "21H01234", "start": "2021-04-01", "end": "2024-03-31"},
                   _ev(SRC_ORCID, "$.fundings[0]", "KAKENHI 21H01234")),
        NodeRecord("Watchlist", WATCHLIST, {"name": "Entities of concern — test list", "names": ["Entities of concern — test list", "懸念先リスト（テスト）"], "jurisdiction": "test", "severity": "high"},
                   _ev(SRC_LIST, "header", "Entities of concern — test list")),
        NodeRecord("Disclosure", DISCLOSURE_V1, {"subject_id": PERSON, "version": 1, "submitted_at": "2020-05-01", "document": "yamada-disclosure-2020.pdf", "text": DISCLOSURE_V1_TEXT, "superseded": True, "languages": ["en", "ja"]},
                   _ev(DISCLOSURE_V1, "document", "yamada-disclosure-2020.pdf")),
        NodeRecord("Disclosure", DISCLOSURE_V2, {"subject_id": PERSON, "version": 2, "submitted_at": "2024-05-01", "document": "yamada-disclosure-2024.pdf", "text": DISCLOSURE_V2_TEXT, "superseded": False, "languages": ["en", "ja"]},
                   _ev(DISCLOSURE_V2, "document", "yamada-disclosure-2024.pdf")),
    ]
    rels = [
        RelRecord("AFFILIATED_WITH", PERSON, HUB, {"role": "Professor", "role_normalized": "professor", "start": "2015", "primary": True},
                  _ev(SRC_ORCID, "$.employments[0]", "Kizuna Institute of Technology, Professor, 2015–")),
        RelRecord("AFFILIATED_WITH", PERSON, LAB, {"role": "客員研究員", "role_normalized": "visiting researcher", "start": "2021-04", "end": "2023-03"},
                  _ev(DISCLOSURE_V2, f"chars {VISIT_START}-{VISIT_END}", VISIT_SENTENCE, VISIT_START, VISIT_END, method="disclosure-extraction", confidence=0.92)),
        RelRecord("PART_OF", LAB, LISTED, {"start": "2012"}, _ev(SRC_ROR, "$.items[1].relationships[0]", "parent: Hokushin University of Defence Technology")),
        RelRecord("LISTED_ON", LISTED, WATCHLIST, {"start": "2019-06-01", "reason": "military end use", "listed_name": "Hokushin University of Defence Technology", "entry_id": "17"},
                  _ev(SRC_LIST, "row 17", "Hokushin University of Defence Technology; military end use; 2019-06-01")),
        RelRecord("RECEIVED", PERSON, GRANT, {"role": "principal investigator", "start": "2021-04-01", "end": "2024-03-31"}, _ev(SRC_ORCID, "$.fundings[0]", "KAKENHI 21H01234, PI")),
        RelRecord("FUNDED_BY", GRANT, FUNDER, {"program": "KAKENHI"}, _ev(SRC_ORCID, "$.fundings[0].organization", "Japan Society for the Promotion of Science")),
        RelRecord("SUBMITTED", PERSON, DISCLOSURE_V1, {}, _ev(DISCLOSURE_V1, "document", "submitted 2020-05-01")),
        RelRecord("SUBMITTED", PERSON, DISCLOSURE_V2, {}, _ev(DISCLOSURE_V2, "document", "submitted 2024-05-01")),
    ]
    for i in range(HUB_AFFILIATES):
        pid = f"per:test:affiliate-{i:05d}"
        ev = _ev(SRC_HR, f"row {i + 2}", f"Affiliate {i:05d}")
        nodes.append(NodeRecord("Person", pid, {"name": f"Affiliate {i:05d}", "names": [f"Affiliate {i:05d}"], "fictional": True}, ev))
        rels.append(RelRecord("AFFILIATED_WITH", pid, HUB, {"role": "Researcher", "start": str(2000 + i % 25)}, ev))
    report = await GraphWriter(db).write(nodes, rels)
    if report.missing_endpoints:
        raise AssertionError(f"fixture relationships without endpoints: {report.missing_endpoints[:5]}")
    return ConsoleGraph()

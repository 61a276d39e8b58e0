"""No discrimination, enforced in structure: protected attributes live only on PersonalData and
no query or rule can read them; changing them (and the script of a name) changes nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.model import load_model
from graph.provenance import Evidence
from graph.writer import GraphWriter, NodeRecord, RelRecord
from queries.assess import assess
from queries.findings import Finding
from queries.paths import PathFilters, concern_paths, path_types
from queries.rules import FINDING_FIELDS, builtin_packs
from tests.queries_graphs import GraphBuilder

QUERIES = Path(__file__).resolve().parent.parent / "queries"
RISK_MODULES = ["paths", "undisclosed", "exposure", "findings", "rules", "assess", "timing"]


def protected_words() -> list[str]:
    model = load_model()
    return sorted(model.protected_properties) + ["HAS_PERSONAL_DATA"]


def test_no_cypher_or_rule_file_names_a_protected_attribute():
    files = sorted(QUERIES.glob("*.cypher")) + sorted((QUERIES / "rules").glob("*.yaml")) + [QUERIES / f"{m}.py" for m in RISK_MODULES]
    assert len(files) >= 12
    pattern = re.compile("|".join(re.escape(w) for w in protected_words()), re.I)
    offenders = {str(f.name): pattern.findall(f.read_text(encoding="utf-8")) for f in files}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_rule_conditions_read_only_allow_listed_finding_fields():
    protected = load_model().protected_properties
    assert not protected & set(FINDING_FIELDS)
    assert not protected & set(Finding.__dataclass_fields__)
    for pack in builtin_packs().values():
        for rule in pack.rules:
            assert {c["field"] for c in rule.when} <= set(FINDING_FIELDS), rule.id
    # Paths can never step onto PersonalData.
    follow, _ = path_types()
    assert "HAS_PERSONAL_DATA" not in follow


NAME_SCRIPTS = st.sampled_from(["Wei Zhang", "张伟", "張偉", "チャン・ウェイ", "Вэй Чжан", "장웨이", "Zhāng Wěi", "وي تشانغ"])
ATTRS = st.fixed_dictionaries({
    "nationality": st.sampled_from(["CN", "JP", "US", "RU", "IR", "CA", "IN", "unknown"]),
    "citizenship": st.lists(st.sampled_from(["CN", "JP", "US", "RU", "IR", "CA", "IN"]), min_size=0, max_size=2).map(lambda x: ",".join(x)),
    "ethnicity": st.sampled_from(["Han", "Japanese", "Korean", "Persian", "Russian", "unknown"]),
    "name_origin": st.sampled_from(["Chinese", "Japanese", "Korean", "Slavic", "Arabic", "English"]),
    "language_of_name": st.sampled_from(["zh", "ja", "ko", "ru", "ar", "en"]),
})


async def build_subjects(db) -> list[str]:
    """A real-list-derived subject (a §1286 entry read from the shared data) and generated ones."""
    import csv

    from tests.conftest import SHARED_DATA

    with open(SHARED_DATA / "opensanctions_repo_lists" / "us_dod_section1286_institutions_talent_programs.csv", encoding="utf-8") as fh:
        row = next(r for r in csv.DictReader(fh) if r["report-date"] == "2023")
    g = GraphBuilder()
    g.watchlist("wl:us-dod-1286", "DoD Section 1286", severity="high")
    g.node("Organization", "org:real-1286", name=row["name"], names=[row["name"], *[a for a in row["aliases"].split(";") if a]], kind="university", source="src:1286")
    g.listed("org:real-1286", "wl:us-dod-1286", start="2023")
    g.org("org:home", "Home University", ror="0home00")
    g.person("per:s1", "Subject One", orcid="0000-0000-0000-0011")
    g.rel("AFFILIATED_WITH", "per:s1", "org:real-1286", start="2022", source="src:orcid")
    g.rel("AFFILIATED_WITH", "per:s1", "org:home", start="2010", source="src:orcid")
    g.person("per:s2", "Subject Two")
    g.person("per:co", "Co Author")
    g.node("Publication", "pub:x", title="Shared paper", year=2024)
    g.rel("AUTHORED", "per:s2", "pub:x")
    g.rel("AUTHORED", "per:co", "pub:x")
    g.rel("AFFILIATED_WITH", "per:co", "org:real-1286", start="2020")
    await g.write(db)
    return ["per:s1", "per:s2"]


async def snapshot(db, subject: str) -> dict:
    paths = await concern_paths(db, subject, PathFilters(max_hops=4, time_budget_ms=60_000, as_of="2025-06-01"))
    a = await assess(db, subject, as_of="2025-06-01", time_budget_ms=60_000)
    return {
        "paths": sorted((p.target_id, p.score, tuple(h.relation for h in p.hops)) for p in paths.paths),
        "findings": sorted(json.dumps({**f.rule_view(), "id": f.id}, sort_keys=True, default=str) for f in a.findings),
        "rules": sorted((r.pack_id, r.rule_id, tuple(sorted(r.finding_ids))) for r in a.rules_fired),
        "tier": a.tier, "recommendation": a.recommendation, "missing": len(a.coverage.missing),
    }


_BASELINES: dict[int, dict] = {}


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attrs=ATTRS, name=NAME_SCRIPTS)
async def test_protected_attributes_and_name_script_change_nothing(graph, attrs, name):
    key = id(graph)
    if key not in _BASELINES:
        subjects = await build_subjects(graph)
        _BASELINES.clear()
        _BASELINES[key] = {s: await snapshot(graph, s) for s in subjects}
    ev = Evidence("src:hr-record", "personal data", "2025-01-01T00:00:00+00:00", "test", 1.0)
    writer = GraphWriter(graph)
    for subject, before in _BASELINES[key].items():
        pd = f"pd:{subject}"
        await writer.write([NodeRecord("PersonalData", pd, attrs, ev), NodeRecord("Person", subject, {"name": name, "names": [name]}, ev)],
                           [RelRecord("HAS_PERSONAL_DATA", subject, pd, {}, ev)])
        assert await snapshot(graph, subject) == before

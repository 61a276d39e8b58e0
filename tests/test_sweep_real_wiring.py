"""The sweep through the real ingest registry, entity resolution and queries.assess (no
stand-ins), end to end: versions ingested with end dates, subjects assessed without errors,
findings mapped into the sweep's diff."""

from __future__ import annotations

import pytest

from ingest.sweep.runner import run_sweep
from ingest.sweep.steps import STANDINS_ENV
from tests.sweep_support import EV, definition, meti_rows, person, write_rows

pytest.importorskip("queries.assess")
pytest.importorskip("resolve.pipeline")
pytest.importorskip("ingest.runner")


async def test_sweep_with_the_real_modules(graph, shared_data, tmp_path, monkeypatch):
    from graph.writer import GraphWriter, NodeRecord, RelRecord

    monkeypatch.delenv(STANDINS_ENV, raising=False)
    header, rows = meti_rows(shared_data)
    base = rows[:40]
    write_rows(tmp_path / "list.csv", header, base)
    def defn_for(published: str):
        return definition(tmp_path, id="meti-real", lists=[], packs=["us-dod-matrix", "us-nsf-trust"],
                          sources=[{"name": "meti", "format": "meti", "path": "list.csv", "options": {"published": published}}],
                          outputs={"directory": "out", "formats": ["json", "csv", "html"]})

    defn = defn_for("2025-01-15")
    first = await run_sweep(graph, defn)
    assert first["status"] == "completed" and first["counts"]["sources"][0]["records"] == 40

    # researchers affiliated with two listed organizations, as ingested by the real ingestor
    listed = {r["name"]: r["id"] for r in await graph.read(
        "MATCH (o:Organization)-[:LISTED_ON]->(:Watchlist) WHERE o.name IN $names RETURN o.name AS name, o.id AS id",
        {"names": [base[5]["name"], base[20]["name"]]})}
    assert len(listed) == 2
    await GraphWriter(graph).write(
        [NodeRecord("Person", person(k), {"name": f"Researcher {k}"}, EV) for k in ("stay", "gone")],
        [RelRecord("AFFILIATED_WITH", person("stay"), listed[base[5]["name"]], {"role": "adviser", "start": "2020-01-01"}, EV),
         RelRecord("AFFILIATED_WITH", person("gone"), listed[base[20]["name"]], {"role": "adviser", "start": "2020-01-01"}, EV)],
    )
    second = await run_sweep(graph, defn)
    assert second["counts"]["errors"] == 0, second["diff"]["errors"]
    assert {i["subject_id"] for i in second["diff"]["new_findings"]} == {person("stay"), person("gone")}

    write_rows(tmp_path / "list.csv", header, [r for r in base if r is not base[20]])
    third = await run_sweep(graph, defn_for("2025-06-01"))
    assert third["counts"]["sources"][0]["records"] == 39
    assert third["counts"]["errors"] == 0
    # the real ingestor ended exactly the dropped entry's listing, dated by the version
    ends = {r["name"]: r["end"] for r in await graph.read(
        "MATCH (o:Organization)-[l:LISTED_ON]->(:Watchlist) WHERE o.name IN $names RETURN o.name AS name, l.end AS end",
        {"names": list(listed)})}
    assert ends == {base[5]["name"]: None, base[20]["name"]: "2025-06-01"}
    assert third["diff"]["previous_sweep"] == second["id"] and third["counts"]["subjects"] == 2

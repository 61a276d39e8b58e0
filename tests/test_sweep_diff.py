"""A sweep over two versions of the real METI End User List — through the real ingest registry,
entity resolution and queries.assess with two real rule packs — yields exactly the expected
diff, stores its results and writes every output (JSON, injection-safe CSV, HTML, dossiers,
webhook)."""

from __future__ import annotations

import asyncio
import csv
import json
import threading

import pytest
from http.server import BaseHTTPRequestHandler, HTTPServer

from graph.writer import GraphWriter, NodeRecord
from ingest.sweep import store
from ingest.sweep.runner import run_sweep
from kizuna.errors import SourceUnreadable
from ingest.base import list_watchlist_id
from ingest.meti import LIST_KEY
from kizuna.ids import make_id
from queries.sweep import get_sweep, list_sweeps, sweep_results
from tests.sweep_support import EV, craft_people, definition, local_org, meti_org, meti_rows, person, write_rows

WL = list_watchlist_id(LIST_KEY)


def path_key(subject: str, target: str) -> str:
    """A concern-path finding's key: deterministic from its kind, subject and listed target."""
    return make_id("fnd", "concern_path", subject, target)


def meti_source(published: str) -> list[dict]:
    return [{"name": "meti", "format": "meti", "path": "list.csv", "options": {"published": published}}]


class _Hook(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 — http.server API
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


async def test_list_versions_give_exactly_the_expected_diff(graph, shared_data, tmp_path):
    header, rows = meti_rows(shared_data)
    base = rows[:120]
    names = [r["name"] for r in base]
    assert len(set(n.casefold() for n in names)) == len(names), "the cut must have distinct names"
    added, removed = base[100:105], base[10:15]
    v1 = [r for r in base if r not in added]
    v2 = [dict(r) for r in base if r not in removed]
    changed_name = base[60]["name"]
    for r in v2:
        if r["name"] == changed_name:
            r["wmd_type_code"] = "N,M"  # crafted: the listing's reason changes in v2
    assert base[60]["wmd_type_code"] != "N,M"

    # the research graph: who is affiliated with organizations the METI list names ("meti:" keys
    # are the organizations the real METI ingestor writes for those names)
    await craft_people(
        graph,
        {
            "keep": [("meti:keep", base[50]["name"])],
            "removed": [("meti:removed", base[12]["name"])],
            "added": [("dept", "Department of Applied Physics")],
            "changed": [("meti:changed", changed_name)],
            "clean": [("clean", "Kizuna Test University")],
            "thin": [],
        },
        extra_orgs={"meti:added-parent": base[102]["name"]},
        part_of=[("dept", "meti:added-parent")],
    )
    # a webhook receiver on a free port
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Hook.received.clear()
    outputs = {"directory": "out", "formats": ["json", "csv", "html", "dossier_html", "dossier_pdf"], "dossiers_for": "changed",
               "webhook": {"url": f"http://127.0.0.1:{server.server_port}/hook"}}
    try:
        write_rows(tmp_path / "list.csv", header, v1)
        defn = definition(tmp_path, outputs=outputs, sources=meti_source("2025-01-15"))
        first = await run_sweep(graph, defn)
        again = await run_sweep(graph, defn)  # nothing changed: no re-ingest, empty diff
        write_rows(tmp_path / "list.csv", header, v2)
        second = await run_sweep(graph, definition(tmp_path, outputs=outputs, sources=meti_source("2025-06-01")))
    finally:
        server.shutdown()

    # first sweep: baseline; ingest of v1 counted against the file
    assert first["diff"]["baseline"] is True
    meti = first["counts"]["sources"][0]
    assert (meti["records"], meti["delisted"], meti["skipped"]) == (115, 0, 0)
    assert again["counts"]["sources"] == [{"source": "meti", "unchanged": True}]
    assert again["diff"]["counts"]["new_findings"] == 0 and again["diff"]["previous_sweep"] == first["id"]
    assert again["diff"]["counts"] == {k: 0 for k in again["diff"]["counts"]}  # same graph: identical finding keys
    assert second["counts"]["sources"][0]["delisted"] == 5
    assert second["diff"]["previous_sweep"] == again["id"]

    d = second["diff"]
    assert [(i["subject_id"], i["key"]) for i in d["new_findings"]] == [
        (person("added"), path_key(person("added"), meti_org(base[102]["name"])))]
    assert [(i["subject_id"], i["key"]) for i in d["removed_findings"]] == [
        (person("removed"), path_key(person("removed"), meti_org(base[12]["name"])))]
    assert [(i["subject_id"], i["key"], i["fields"]) for i in d["changed_findings"]] == [
        (person("changed"), path_key(person("changed"), meti_org(changed_name)), ["listing.reason"])]
    assert d["changed_findings"][0]["before"]["listing"]["reason"] != d["changed_findings"][0]["finding"]["evidence"][-1]["reason"]
    assert d["new_paths"] == d["new_findings"] and d["broken_paths"] == d["removed_findings"]
    # a current tie within two hops to an entity on the METI End User List: the Japanese pack's
    # export-control review (tier elevated, MITIGATE); the US DoD matrix reads only US lists
    assert sorted((c["subject_id"], c["before"], c["after"]) for c in d["tier_changes"]) == sorted([
        (person("added"), "none", "elevated"), (person("removed"), "elevated", "none")])
    assert sorted((c["subject_id"], c["before"], c["after"]) for c in d["recommendation_changes"]) == sorted([
        (person("added"), "ACCEPT", "MITIGATE"), (person("removed"), "MITIGATE", "ACCEPT")])
    assert d["errors"] == [] and d["new_subjects"] == [] and d["dropped_subjects"] == []

    # evidence hop by hop: the new path runs person > department > listed parent > list
    new = d["new_findings"][0]["finding"]
    assert new["hops"] == 2 and sorted(new["rules"]) == ["jp-cao-mext/jp-export-control-listed-tie", "jp-cao-mext/jp-listed-tie"]
    assert new["path"] == [person("added"), local_org("dept"), meti_org(base[102]["name"])]
    assert [e["relation"] for e in new["evidence"]] == ["AFFILIATED_WITH", "PART_OF", "LISTED_ON"]
    assert new["evidence"][-1]["start"] == "2025-06-01" and new["evidence"][-1]["to"] == WL
    assert all(e["sources"] for e in new["evidence"])
    assert "src:test:crafted" in new["evidence"][0]["sources"]
    # the removed finding keeps the evidence of the previous sweep (the listing still in effect then)
    assert d["removed_findings"][0]["finding"]["evidence"][-1]["end"] is None

    # stored: one result per subject, readable back for the API
    stored = await get_sweep(graph, second["id"])
    assert stored["status"] == "completed" and stored["diff"]["counts"] == d["counts"]
    results = {r["subject_id"]: r for r in await sweep_results(graph, second["id"])}
    assert len(results) == 6
    assert (results[person("thin")]["tier"], results[person("thin")]["recommendation"]) == ("none", "INSUFFICIENT_INFORMATION")
    assert (results[person("clean")]["tier"], results[person("clean")]["recommendation"]) == ("none", "ACCEPT")
    assert (results[person("keep")]["tier"], results[person("keep")]["recommendation"]) == ("elevated", "MITIGATE")
    assert [s["id"] for s in await list_sweeps(graph, "meti-nightly")] == [second["id"], again["id"], first["id"]]

    # the shape the GraphQL sweep/sweeps operations serve (api/backends.py)
    api = await store.get_sweep(graph, second["id"])
    assert api["definition"] == "meti-nightly" and api["subjects"] == 6
    assert sorted(c["kind"] for c in api["changes"]) == sorted(
        ["new_finding", "removed_finding", "changed_finding", "tier_change", "tier_change", "recommendation_change", "recommendation_change"])
    new_change = next(c for c in api["changes"] if c["kind"] == "new_finding")
    assert new_change["subject_id"] == person("added") and len(new_change["evidence"]) >= 4
    total, page = await store.list_sweeps(graph, definition="meti-nightly", skip=0, limit=2)
    assert total == 3 and [p["id"] for p in page] == [second["id"], again["id"]]
    from api import backends
    from api.types import sweep_from

    served = sweep_from(await backends.sweep(graph, second["id"]))  # what GraphQL `sweep` returns
    assert served.definition == "meti-nightly" and len(served.changes) == 7
    assert {e.source_id for c in served.changes if c.kind == "new_finding" for e in c.evidence} >= {"src:test:crafted"}
    assert (await backends.sweeps(graph, definition="meti-nightly", skip=0, limit=5))[0] == 3

    # outputs
    out = tmp_path / "out" / "meti-nightly" / second["id"].split(":", 1)[1]
    assert json.loads((out / "sweep.json").read_text())["diff"]["counts"] == d["counts"]
    changes = list(csv.DictReader((out / "changes.csv").open(encoding="utf-8")))
    assert sorted(r["change"] for r in changes) == ["changed", "new", "recommendation", "recommendation", "removed", "tier", "tier"]
    html = (out / "summary.html").read_text()
    assert base[102]["name"].replace("'", "&#39;").replace("&", "&amp;") in html or base[102]["name"] in html
    dossiers = sorted(p.name for p in (out / "dossiers").iterdir())
    assert len(dossiers) == 6  # added, removed, changed: html + pdf each
    assert all((out / "dossiers" / n).stat().st_size > 500 for n in dossiers)
    assert (out / "dossiers" / dossiers[0]).read_bytes()[:4] in (b"<!do", b"%PDF")
    assert second["outputs"]["webhook"]["ok"] is True
    assert [h["id"] for h in _Hook.received] == [first["id"], again["id"], second["id"]]
    assert _Hook.received[-1]["changes"] == d["counts"]


async def test_per_item_errors_are_collected_and_the_sweep_goes_on(graph, tmp_path, shared_data):
    header, rows = meti_rows(shared_data)
    write_rows(tmp_path / "list.csv", header, rows[:20])
    await craft_people(graph, {"a": [("meti:a", rows[3]["name"])], "b": [("b", "Unlisted Institute")]})
    defn = definition(tmp_path, id="meti-ids", population={"kind": "ids", "ids": [person("a"), "per:does-not-exist", person("b")]},
                      outputs={"directory": "out", "formats": ["csv", "dossier_html"], "dossiers_for": "all", "max_dossiers": 1})
    record = await run_sweep(graph, defn)
    assert record["status"] == "completed" and record["counts"]["errors"] == 1
    # the dossier cap keeps the most serious subject
    assert record["outputs"]["dossiers"] == [person("a").replace(":", "_")] and record["outputs"]["dossiers_skipped"] == 2
    assert record["diff"]["errors"] == [{"subject_id": "per:does-not-exist", "error": "no entity with id 'per:does-not-exist'"}]
    results = {r["subject_id"]: r for r in await sweep_results(graph, record["id"])}
    assert [(results[person(k)]["tier"], results[person(k)]["recommendation"]) for k in "ab"] == [("elevated", "MITIGATE"), ("none", "ACCEPT")]


async def test_csv_output_is_safe_against_formula_injection(graph, tmp_path):
    evil_person, evil_entity = '=HYPERLINK("http://x","click")', "@SUM(1+1)"
    (tmp_path / "list.csv").write_text(f'no,name,country_en,aliases,wmd_type_code\n1,"{evil_entity}",Nowhere,,-1\n', encoding="utf-8")
    await craft_people(graph, {"x": [("meti:x", evil_entity)]})
    await GraphWriter(graph).write_nodes([NodeRecord("Person", person("x"), {"name": evil_person}, EV)])
    defn = definition(tmp_path, id="meti-evil", population={"kind": "ids", "ids": [person("x")]},
                      outputs={"directory": "out", "formats": ["csv"]})
    record = await run_sweep(graph, defn)
    out = tmp_path / "out" / "meti-evil" / record["id"].split(":", 1)[1]
    result = list(csv.DictReader((out / "results.csv").open(encoding="utf-8")))[0]
    assert result["subject_name"] == "'" + evil_person
    change = list(csv.DictReader((out / "changes.csv").open(encoding="utf-8")))[0]
    assert change["change"] == "new" and change["listed_entity"] == "'" + evil_entity
    assert change["subject_name"] == "'" + evil_person


async def test_an_unreadable_source_stops_the_sweep_before_anything_is_written(graph, tmp_path):
    defn = definition(tmp_path, id="meti-missing")  # list.csv was never written
    with pytest.raises(SourceUnreadable, match="list.csv does not exist"):
        await run_sweep(graph, defn)
    assert await list_sweeps(graph, "meti-missing") == []
    (tmp_path / "list.csv").write_text("no,title\n1,x\n", encoding="utf-8")
    with pytest.raises(SourceUnreadable, match="lacks the column"):
        await run_sweep(graph, defn)
    assert (await graph.read("MATCH (w:Watchlist) RETURN count(w) AS n"))[0]["n"] == 0
    failed = await list_sweeps(graph, "meti-missing")
    assert [s["status"] for s in failed] == ["failed"] and "lacks the column(s) name, country_en" in failed[0]["error"]


async def test_results_stream_in_pages_and_pair_up_across_two_sweeps(graph, tmp_path):
    """The diff reads a sweep a page at a time and pairs each subject with its previous result:
    subjects in both, only in the previous (dropped) and only in the current (new) — also across
    page ends and for ids beyond the Basic Multilingual Plane, which Neo4j orders inconsistently
    (a keyset page after "per:😀" repeated "per:￮")."""
    from ingest.sweep import checkpoint
    from ingest.sweep.runner import _paired_results
    from ingest.sweep.steps import SubjectOutcome
    from queries.sweep import sweep_result_pages

    def outcomes(ids):
        return [SubjectOutcome(subject_id=sid, subject_name=sid, tier="low", recommendation="ACCEPT",
                               findings=[{"key": f"fnd:{sid}", "kind": "concern_path", "hops": 2}]) for sid in ids]

    old_ids = ["per:a", "per:b", "per:c", "per:e", "per:\U0001F600", "per:\uffee"]
    new_ids = ["per:b", "per:c", "per:d", "per:e", "per:f", "per:\U0001F600"]
    for sweep_id, ids in (("swp:old", old_ids), ("swp:new", new_ids)):
        sweep = {"id": sweep_id, "definition_id": "d", "started_at": "2026-12-01T00:00:00Z", "status": "completed",
                 "results_dir": str(checkpoint.results_folder(tmp_path, sweep_id))}
        await checkpoint.save_sweep(graph, sweep)
        await checkpoint.write_results(graph, sweep, outcomes(ids))

    streamed = [r async for rows in sweep_result_pages(graph, "swp:old", page=2) for r in rows]
    assert sorted(r["subject_id"] for r in streamed) == sorted(old_ids) and len(streamed) == len(old_ids)
    assert streamed[0]["findings"] == [{"key": "fnd:per:a", "kind": "concern_path", "hops": 2}]
    # the next page is read ahead; a reader that stops early leaves no read running
    pages = sweep_result_pages(graph, "swp:old", page=2)
    assert [r["subject_id"] for r in await anext(pages)] == ["per:a", "per:b"]
    assert any(t.get_coro().__qualname__ == "_read_results" for t in asyncio.all_tasks())
    await pages.aclose()
    await asyncio.sleep(0)
    assert not any(t.get_coro().__qualname__ == "_read_results" and not t.done() for t in asyncio.all_tasks())

    pairs = [((b or {}).get("subject_id"), (a or {}).get("subject_id")) async for b, a in _paired_results(graph, "swp:old", "swp:new")]
    both = set(old_ids) & set(new_ids)
    assert {p for p in pairs if p[0] and p[1]} == {(s, s) for s in both}
    assert {p[0] for p in pairs if not p[1]} == set(old_ids) - both
    assert {p[1] for p in pairs if not p[0]} == set(new_ids) - both
    assert len(pairs) == len(set(old_ids) | set(new_ids))


async def test_findings_live_in_results_files_beside_the_graph(graph, tmp_path):
    """A batch's findings go to one file in the sweep's results folder and each SweepResult says
    where its subject's are; a file no committed result names is removed when the sweep
    completes; a damaged or missing file is a clear error, never an empty result; results of
    sweeps that kept their findings on the node still read."""
    import zlib
    from pathlib import Path

    from ingest.sweep import checkpoint
    from ingest.sweep.steps import SubjectOutcome
    from kizuna.errors import ResultsUnreadable

    sweep = {"id": "swp:files", "definition_id": "d", "started_at": "2026-12-02T00:00:00Z", "status": "running",
             "results_dir": str(checkpoint.results_folder(tmp_path, "swp:files"))}
    await checkpoint.save_sweep(graph, sweep)
    findings = {sid: [{"key": f"fnd:{sid}:{i}", "kind": "concern_path", "hops": i} for i in range(n)]
                for n, sid in enumerate(["per:a", "per:b", "per:c"])}
    await checkpoint.write_results(graph, sweep, [SubjectOutcome(subject_id=sid, findings=f) for sid, f in findings.items()])
    folder = Path(sweep["results_dir"])
    [batch_file] = list(folder.iterdir())
    stored = await graph.read("MATCH (r:SweepResult {sweep_id: 'swp:files'}) "
                              "RETURN r.findings AS blob, r.findings_file AS file, r.findings_count AS n ORDER BY r.subject_id")
    assert [(r["blob"], r["file"], r["n"]) for r in stored] == [(None, batch_file.name, n) for n in range(3)]
    assert {r["subject_id"]: r["findings"] for r in await sweep_results(graph, "swp:files")} == findings

    (folder / ("0" * 64 + checkpoint.RESULTS_SUFFIX)).write_bytes(b"a batch never committed")
    (folder / ".interrupted.partial").write_bytes(b"a write cut short")
    assert await checkpoint.remove_unreferenced_files(graph, sweep) == 2
    assert list(folder.iterdir()) == [batch_file]

    damaged = bytearray(batch_file.read_bytes())
    damaged[-10] ^= 0xFF  # inside per:c's frame, the last
    batch_file.write_bytes(bytes(damaged))
    with pytest.raises(ResultsUnreadable, match="findings of per:c are damaged"):
        await sweep_results(graph, "swp:files")
    batch_file.unlink()
    with pytest.raises(ResultsUnreadable, match="cannot read its results file"):
        await sweep_results(graph, "swp:files")

    await GraphWriter(graph).write_nodes([NodeRecord(
        "SweepResult", checkpoint.result_id("swp:legacy", "per:z"),
        {"sweep_id": "swp:legacy", "subject_id": "per:z", "status": "ok", "findings": zlib.compress(b'[{"key": "fnd:z"}]')}, EV)])
    assert [r["findings"] for r in await sweep_results(graph, "swp:legacy")] == [[{"key": "fnd:z"}]]

"""List versions, idempotency, the CLI and the demo.

Two crafted versions of a list: entries missing from the newer one get an end date (never
deleted), new ones a start date, so the graph answers "who was listed as of <date>"."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ingest import meti, runner
from ingest.base import list_watchlist_id
from ingest.registry import get_source
from ingest.runner import ingest
from kizuna.ids import make_id
from queries.paths import statement as paths_statement
from tests.conftest import wipe
from tests.ingest_helpers import DATA, graph_counts, one, value

HEADER = "no,country_ja,country_en,name,aliases,wmd_type_ja,wmd_type_code,conventional_weapons\n"
METI_LIST = list_watchlist_id(meti.LIST_KEY)


def meti_version(folder: Path, date: str, names: list[str]) -> Path:
    path = folder / f"crafted_end_user_list_{date}.csv"
    path.write_text(HEADER + "".join(f"{i},イラン,Iran,{n},,核,N,\n" for i, n in enumerate(names, 1)), encoding="utf-8")
    return path


async def listed_as_of(db, day: str) -> list[str]:
    rows = await db.read(
        "MATCH (o:Organization)-[l:LISTED_ON]->(:Watchlist {id: $wl}) "
        "WHERE l.start <= $day AND (l.end IS NULL OR l.end > $day) RETURN o.name AS n ORDER BY n",
        {"wl": METI_LIST, "day": day},
    )
    return [r["n"] for r in rows]


async def listing(db, name: str) -> dict:
    return await value(db, "MATCH (o:Organization {name: $n})-[l:LISTED_ON]->(:Watchlist {id: $wl}) "
                           "RETURN l {.start, .end, .last_listed} AS l", n=name, wl=METI_LIST)


async def test_newer_version_ends_removed_entries_and_starts_new_ones(graph, tmp_path):
    v1 = meti_version(tmp_path, "20240101", ["Alpha Works", "Beta Labs", "Gamma Trading"])
    v2 = meti_version(tmp_path, "20250101", ["Beta Labs", "Gamma Trading", "Delta Institute"])
    await ingest(graph, "meti", [v1])
    assert await listing(graph, "Alpha Works") == {"start": "2024-01-01", "end": None, "last_listed": "2024-01-01"}

    report = await ingest(graph, "meti", [v2])
    assert report.files[0].listings_ended == 1
    assert await listing(graph, "Alpha Works") == {"start": "2024-01-01", "end": "2025-01-01", "last_listed": "2024-01-01"}
    assert await listing(graph, "Beta Labs") == {"start": "2024-01-01", "end": None, "last_listed": "2025-01-01"}
    assert await listing(graph, "Delta Institute") == {"start": "2025-01-01", "end": None, "last_listed": "2025-01-01"}
    # Never deleted: the ended entry is still there, with the evidence of the version it is absent from.
    ev = await value(graph, "MATCH ({name: 'Alpha Works'})-[l:LISTED_ON]->() RETURN l.ev_locator AS e")
    assert "absent from the list version of 2025-01-01" in ev
    assert await listed_as_of(graph, "2024-06-01") == ["Alpha Works", "Beta Labs", "Gamma Trading"]
    assert await listed_as_of(graph, "2025-06-01") == ["Beta Labs", "Delta Institute", "Gamma Trading"]
    assert await value(graph, "MATCH (w:Watchlist {id: $wl}) RETURN w.published AS p", wl=METI_LIST) == "2025-01-01"

    # Re-reading either version changes nothing: the newer one is idempotent, the older one
    # does not reopen or move anything.
    before = await graph_counts(graph)
    await ingest(graph, "meti", [v2])
    await ingest(graph, "meti", [v1])
    after = await graph_counts(graph)
    assert {k: after[k] for k in ("nodes", "rels", "node_props", "rel_props")} == {k: before[k] for k in ("nodes", "rels", "node_props", "rel_props")}
    assert await listed_as_of(graph, "2025-06-01") == ["Beta Labs", "Delta Institute", "Gamma Trading"]
    assert await listing(graph, "Alpha Works") == {"start": "2024-01-01", "end": "2025-01-01", "last_listed": "2024-01-01"}
    assert await value(graph, "MATCH (w:Watchlist {id: $wl}) RETURN w.published AS p", wl=METI_LIST) == "2025-01-01"


async def test_relisted_entry_gets_a_new_listing_period(graph, tmp_path):
    """Listed in v1, removed in v2, listed again in v3: three periods, three as-of answers."""
    v1 = meti_version(tmp_path, "20240101", ["Alpha Works", "Beta Labs"])
    v2 = meti_version(tmp_path, "20240601", ["Beta Labs"])
    v3 = meti_version(tmp_path, "20250101", ["Alpha Works", "Beta Labs"])
    for version in (v1, v2, v3):
        await ingest(graph, "meti", [version])
    periods = await graph.read(
        "MATCH (o:Organization {name: 'Alpha Works'})-[l:LISTED_ON]->(:Watchlist {id: $wl}) "
        "RETURN l.start AS start, l.end AS end, l.last_listed AS last_listed ORDER BY start", {"wl": METI_LIST})
    assert periods == [{"start": "2024-01-01", "end": "2024-06-01", "last_listed": "2024-01-01"},
                       {"start": "2025-01-01", "end": None, "last_listed": "2025-01-01"}]
    assert await listed_as_of(graph, "2024-03-01") == ["Alpha Works", "Beta Labs"]
    assert await listed_as_of(graph, "2024-09-01") == ["Beta Labs"]
    assert await listed_as_of(graph, "2025-03-01") == ["Alpha Works", "Beta Labs"]
    # The same answers through the listings statement the concern-path search uses.
    alpha = make_id("org", "jp-meti-end-user-list", "Alpha Works")
    for day, expected in (("2024-03-01", 1), ("2024-09-01", 0), ("2025-03-01", 1)):
        rows = await graph.read(paths_statement("listings"), {"ids": [alpha], "lists": None, "as_of": day})
        assert len(rows[0]["listings"]) == expected, day
    # Re-reading any of the three versions changes nothing: no fourth period, no reopened end.
    before = await graph_counts(graph)
    for version in (v3, v1, v2):
        await ingest(graph, "meti", [version])
    after = await graph_counts(graph)
    assert {k: after[k] for k in ("nodes", "rels", "node_props", "rel_props")} == {k: before[k] for k in ("nodes", "rels", "node_props", "rel_props")}
    assert await listed_as_of(graph, "2024-09-01") == ["Beta Labs"]
    # Removed again in v4: only the open (second) period ends.
    report = await ingest(graph, "meti", [meti_version(tmp_path, "20250601", ["Beta Labs"])])
    assert report.files[0].listings_ended == 1
    assert await listed_as_of(graph, "2025-03-01") == ["Alpha Works", "Beta Labs"]
    assert await listed_as_of(graph, "2025-09-01") == ["Beta Labs"]


async def test_partial_extract_does_not_end_listings(graph, tmp_path):
    await ingest(graph, "meti", [meti_version(tmp_path, "20240101", ["Alpha Works", "Beta Labs"])])
    report = await ingest(graph, "meti", [meti_version(tmp_path, "20250101", ["Beta Labs"])], partial=True)
    assert report.files[0].listings_ended == 0
    assert (await listing(graph, "Alpha Works"))["end"] is None


async def test_reingesting_the_same_files_changes_nothing(graph):
    files = [("userlist", DATA / "userlist_bad_kind.yaml"), ("ftm", DATA / "ftm_bad_line.jsonl"), ("nro", DATA / "nro_bad_entries.json"),
             ("dod1260h", DATA / "dod1260h_bad_rows.csv"), ("cps", DATA / "cps_bad_people.yaml")]
    for source, path in files:
        await ingest(graph, source, [path])
    before = await graph_counts(graph)
    assert before["nodes"] > 10 and before["node_ev"] > 10
    for source, path in files:
        await ingest(graph, source, [path])
    assert await graph_counts(graph) == before


def test_cli_ingest_json_report_and_exit_codes(graph, settings, monkeypatch):
    import os

    from api.cli import app
    from kizuna.settings import get_settings

    if not os.environ.get("NEO4J_URI"):
        monkeypatch.setenv("KIZUNA_NEO4J_BOLT_PORT", str(settings.neo4j_bolt_port))
        monkeypatch.setenv("KIZUNA_NEO4J_PASSWORD", settings.neo4j_password)
    get_settings.cache_clear()
    runner = CliRunner()
    ok = runner.invoke(app, ["ingest", "nro", str(DATA / "nro_bad_entries.json"), "--json"])
    assert ok.exit_code == 0, ok.output
    report = json.loads(ok.output)
    assert report["records_read"] == 5 and report["records_skipped"] == 3 and report["facts_written"] > 0
    assert {s["locator"] for s in report["files"][0]["skipped"]} == {"$.organizations[2]", "$.organizations[3]", "$.organizations[4]"}
    # entity resolution ran on what was written: the two organizations read, no person
    assert report["resolution"]["checked"] == {"org": 2, "person": 0}
    quiet = runner.invoke(app, ["ingest", "nro", str(DATA / "nro_bad_entries.json"), "--json", "--no-resolve"])
    assert quiet.exit_code == 0 and "resolution" not in json.loads(quiet.output)
    bad = runner.invoke(app, ["ingest", "nro", str(DATA / "nro_truncated.json")])
    assert bad.exit_code == 2 and "nothing written" in bad.output
    get_settings.cache_clear()


async def test_demo_loads_linked_fictional_researchers_idempotently(graph):
    from ingest.demo import load_demo

    report = await load_demo(graph)
    assert report.ok and report.total("records_skipped") == 0
    # A fictional professor one hop from a listed university (through the ROR record).
    hop1 = await value(graph, "MATCH (p:Person {fictional: true})-[a:AFFILIATED_WITH {role_normalized: 'visiting'}]->(o)-[:LISTED_ON]->(w:Watchlist) "
                              "RETURN collect(DISTINCT p.name + ' | ' + o.name + ' | ' + w.name) AS x")
    assert "Prof. Hana Example (fictional) | Harbin Institute of Technology | DoD Section 1286 list (demo excerpt)" in hop1
    # Talent program participation meets the listed program by its name.
    talent = await value(graph, "MATCH (p:Person {fictional: true})-[:PARTICIPATES_IN]->(t {kind: 'talent_program'})-[:LISTED_ON]->(w) RETURN collect(p.name) AS x")
    assert talent == ["Dr. Morgan Mock (fictional)"]
    # Funded by a listed entity's subsidiary (ASPI), and 4 hops through a lab of a listed university.
    sub = await value(graph, "MATCH (p:Person {fictional: true})-[:RECEIVED]->(:Grant)-[:FUNDED_BY]->(f)-[:SUBSIDIARY_OF]->(u)-[:LISTED_ON]->(w) RETURN collect(u.name) AS x")
    assert sub == ["Northwestern Polytechnical University"]
    four = await value(graph, "MATCH path = (p:Person {name: 'Dr. Jordan Sample (fictional)'})-[:RECEIVED]->()-[:FUNDED_BY]->()-[:PART_OF]->(u)-[:LISTED_ON]->() RETURN u.name AS x")
    assert four == "National University of Defense Technology"
    clean = await value(graph, "MATCH (p:Person {name: 'Dr. Alex Placeholder (fictional)'}) "
                               "RETURN EXISTS { (p)-[*1..4]->()-[:LISTED_ON]->() } AS x")
    assert clean is False
    assert await value(graph, "MATCH (:Organization)-[l:LISTED_ON]->(:Watchlist {name: 'METI End User List'}) RETURN count(l) AS c") == 835
    before = await graph_counts(graph)
    await load_demo(graph)
    assert await graph_counts(graph) == before


async def test_large_run_asks_to_resolve_all_changed_instead_of_keeping_every_id(graph, tmp_path, monkeypatch):
    """Memory flat as input grows: past RESOLVABLE_KEPT written ids the run stops collecting them."""
    import ingest.runner as runner

    path = meti_version(tmp_path, "20240101", ["Alpha Works", "Beta Labs", "Gamma Trading"])
    small = await ingest(graph, "meti", [path])
    assert not small.resolve_all_changed and len(small.resolvable_ids) == 3
    monkeypatch.setattr(runner, "RESOLVABLE_KEPT", 2)
    large = await ingest(graph, "meti", [path])
    assert large.resolve_all_changed and large.resolvable_ids == []


async def test_parallel_writers_lose_no_evidence_and_equal_one_writer(graph, tmp_path, monkeypatch):
    """Two write transactions at once (the default) leave the graph one writer leaves, even when
    a file names the same fact in many batches: each fact's rows stay in one partition, so no
    evidence append can be overwritten by a parallel one."""
    monkeypatch.setattr(runner, "BATCH", 3)  # many small batches in each partition
    names = ["Repeat Works" if i % 2 == 0 else f"Entity {i:02d}" for i in range(40)]
    path = meti_version(tmp_path, "20240101", names)
    repeat = make_id("org", meti.LIST_KEY, "Repeat Works")
    outcomes = []
    for concurrency in (1, 2):
        await wipe(graph)
        report = await runner.Ingestor(graph, concurrency=concurrency).run(get_source("meti"), [path])
        assert report.files[0].status == "ok"
        evidence = await one(graph, "MATCH (o:Organization {id: $id})-[l:LISTED_ON]->() "
                                    "RETURN size(o.ev_key) AS node, size(l.ev_key) AS listing", id=repeat)
        outcomes.append((await graph_counts(graph), evidence))
    # 20 rows name Repeat Works, each with its own locator: 20 pieces of evidence on its node and listing.
    assert outcomes[1][1] == {"node": 20, "listing": 20}
    assert outcomes[0] == outcomes[1]


def test_rows_of_one_fact_share_a_partition():
    rows = [{"id": f"org:{i}"} for i in range(200)]
    assert {runner.partition_of("node", r, 2) for r in rows} == {0, 1}
    assert all(runner.partition_of("node", r, 2) == runner.partition_of("node", dict(r), 2) for r in rows)
    # A listing row may be given an existing period's id later: it is placed by entity and watchlist.
    pair = [{"id": f"rel:{k}", "start": "org:x", "end": "wl:y"} for k in range(50)]
    assert len({runner.partition_of("listing", r, 2) for r in pair}) == 1
    assert all(runner.partition_of("rel", r, 1) == 0 for r in pair)

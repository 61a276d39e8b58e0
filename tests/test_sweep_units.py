"""Pure parts of sweeps: definition validation, cron schedule, CSV cell safety, the diff."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ingest.sweep.definition import load_definition
from ingest.sweep.diff import diff_results
from ingest.sweep.outputs import safe_cell
from ingest.sweep.schedule import build_scheduler, next_runs
from kizuna.errors import InvalidInput
from tests.sweep_support import DATA, definition


def test_the_shipped_test_definition_is_valid():
    loaded = load_definition(DATA / "meti_diff.yaml")
    d = loaded.definition
    assert d.id == "meti-nightly" and d.population.query == "all_people" and d.schedule == "30 2 * * *"
    assert loaded.resolve(d.sources[0].path) == (DATA / "list.csv").resolve()
    assert len(loaded.checksum) == 64


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"id": "Bad Id!"}, "id: Value error, id must be lower-case"),
        ({"schedule": "every night"}, "not a valid cron expression"),
        ({"population": {"kind": "query", "query": "MATCH (n) DETACH DELETE n"}}, "population query must be one of"),
        ({"population": {"kind": "ids"}}, "needs a non-empty ids list"),
        ({"as_of": {"policy": "fixed"}}, "needs a date"),
        ({"max_hops": 9}, "max_hops"),
        ({"cache_weight": -1}, "cache_weight"),
        ({"sources": [{"name": "a", "format": "meti_csv"}]}, "give exactly one of path or url"),
        ({"sources": [{"name": "a", "format": "meti_csv", "url": "ftp://x"}]}, "url must be http(s)"),
        ({"outputs": {"formats": ["xlsx"]}}, "outputs.formats"),
        ({"surprise": 1}, "surprise: Extra inputs are not permitted"),
    ],
)
def test_bad_definitions_fail_with_a_clear_message(tmp_path, override, message):
    with pytest.raises(InvalidInput, match="invalid") as err:
        load_definition(definition(tmp_path, **override))
    assert message in str(err.value)


def test_a_definition_bounds_each_workers_search_cache(tmp_path):
    """``cache_weight`` (memory against re-reading) reaches the search cache a worker builds."""
    from ingest.sweep import runner

    assert load_definition(definition(tmp_path)).definition.cache_weight == 2_000_000
    assert load_definition(definition(tmp_path, cache_weight=0)).definition.cache_weight == 0
    params = {"packs": ["us-dod-matrix"], "lists": [], "as_of": "2026-01-01", "max_hops": 3, "batch_size": 10, "cache_weight": 400}
    reads = runner._reads("swp:cache-test", params)
    assert reads.paths.expansions.limit == 200 and reads.paths.hops.limit == 100
    nothing = runner._reads("swp:cache-test-2", params | {"cache_weight": 0})
    assert nothing.paths.expansions.limit == 0


def test_unreadable_and_non_yaml_definitions(tmp_path):
    with pytest.raises(InvalidInput, match="cannot read sweep definition"):
        load_definition(tmp_path / "missing.yaml")
    (tmp_path / "bad.yaml").write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(InvalidInput, match="not valid YAML"):
        load_definition(tmp_path / "bad.yaml")


def test_schedule_next_runs_and_scheduler_jobs(tmp_path):
    start = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
    assert next_runs("30 2 * * *", 2, start) == ["2026-01-02T02:30:00+00:00", "2026-01-03T02:30:00+00:00"]
    scheduler = build_scheduler([definition(tmp_path)], lambda p: {})
    job = scheduler.get_job("meti-nightly")
    assert job.max_instances == 1 and job.coalesce is True
    assert str(job.trigger) == "cron[month='*', day='*', day_of_week='*', hour='2', minute='30']"
    with pytest.raises(InvalidInput, match="has no schedule"):
        build_scheduler([definition(tmp_path, id="unscheduled", schedule=None)], lambda p: {})


@pytest.mark.parametrize("value", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"])
def test_formula_cells_are_neutralised(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Tsinghua University", "", "a=b", 3, -1.5, None])
def test_ordinary_cells_are_unchanged(value):
    assert safe_cell(value) == value


def _finding(key, hops, reason="N"):
    return {"key": key, "kind": "concern_path", "hops": hops, "target_name": key, "watchlist_name": "L",
            "evidence": [{"relation": "LISTED_ON", "start": "2025-01-01", "end": None, "reason": reason}]}


def _result(sid, tier, rec, findings, status="ok"):
    return {"subject_id": sid, "subject_name": sid, "status": status, "error": "", "tier": tier, "recommendation": rec,
            "findings": findings}


def test_diff_classifies_every_kind_of_change():
    before = [_result("a", "high", "MITIGATE", [_finding("x", 1), _finding("y", 2)]),
              _result("b", "none", "ACCEPT", []),
              _result("gone", "none", "ACCEPT", [])]
    after = [_result("a", "elevated", "MITIGATE", [_finding("x", 2), _finding("z", 3, "C")]),
             _result("b", "none", "ACCEPT", []),
             _result("new", "low", "ACCEPT", [_finding("w", 4)]),
             _result("err", "", "", [], status="error")]
    d = diff_results(before, after, "swp:prev")
    assert [(i["subject_id"], i["key"]) for i in d["new_findings"]] == [("a", "z"), ("new", "w")]
    assert [(i["subject_id"], i["key"]) for i in d["removed_findings"]] == [("a", "y")]
    assert [(i["subject_id"], i["key"], i["fields"]) for i in d["changed_findings"]] == [("a", "x", ["hops"])]
    assert [(c["subject_id"], c["before"], c["after"]) for c in d["tier_changes"]] == [("a", "high", "elevated")]
    assert d["recommendation_changes"] == []
    assert [s["subject_id"] for s in d["new_subjects"]] == ["new"]
    assert [s["subject_id"] for s in d["dropped_subjects"]] == ["gone"]
    assert [e["subject_id"] for e in d["errors"]] == ["err"]
    assert d["counts"]["new_paths"] == 2 and d["counts"]["broken_paths"] == 1 and d["baseline"] is False


def test_first_sweep_is_a_baseline():
    d = diff_results(None, [_result("a", "high", "MITIGATE", [_finding("x", 1)])])
    assert d["baseline"] is True and d["counts"]["new_findings"] == 1 and d["tier_changes"] == []


def test_stored_diff_is_bounded_but_counts_stay_whole():
    results = [_result(f"s{i}", "low", "ACCEPT", [_finding("x", 4)]) for i in range(5)]
    d = diff_results(None, results)
    stored = diff_results(None, results, keep=2)
    assert len(stored["new_findings"]) == 2 and stored["truncated"] == {"new_findings": 5, "new_paths": 5}
    assert stored["counts"]["new_findings"] == 5 and len(d["new_findings"]) == 5 and d["truncated"] == {}
    assert stored["new_findings"] == d["new_findings"][:2]


def test_two_sweeps_started_in_the_same_second_are_distinct(tmp_path):
    from ingest.sweep.checkpoint import new_sweep

    a, b = (new_sweep("d", "sum", "2026-01-01", ["default"], [], tmp_path) for _ in range(2))
    assert a["id"] != b["id"] and a["id"].startswith("swp:")
    assert a["results_dir"] != b["results_dir"] and all(s["results_dir"].startswith(str(tmp_path)) for s in (a, b))


def test_a_results_file_is_named_by_its_bytes_and_written_once(tmp_path):
    """The same batch written twice (a retried write) is one file; other bytes are another."""
    from ingest.sweep.checkpoint import encode_findings, write_results_file

    frames = [encode_findings([{"key": f"fnd:{i}"}]) for i in range(3)]
    first = write_results_file(tmp_path / "r", frames)
    assert write_results_file(tmp_path / "r", frames) == first
    other = write_results_file(tmp_path / "r", frames[:2])
    assert other != first and sorted(p.name for p in (tmp_path / "r").iterdir()) == sorted([first, other])
    assert (tmp_path / "r" / first).read_bytes() == b"".join(frames)


def test_unknown_rule_packs_are_refused_up_front():
    from ingest.sweep.steps import check_packs

    check_packs(["jp-cao-mext", "us-dod-matrix"])  # the real packs of queries/rules/
    with pytest.raises(InvalidInput, match="nope"):
        check_packs(["jp-cao-mext", "nope"])


def test_stored_findings_are_compressed_and_read_back_also_from_older_text():
    """SweepResults hold their findings as compressed JSON; older sweeps hold zlib-compressed JSON
    or the JSON text, and a new sweep's diff must still read them."""
    import json
    import zlib

    from ingest.sweep.checkpoint import encode_findings
    from queries.sweep import decode_findings

    findings = [{"key": f"fnd:{i}", "kind": "concern_path", "summary": "A → 北京航空航天大学 — listed on X",
                 "evidence": [{"relation": "AFFILIATED_WITH", "sources": ["src:orcid"], "locators": ["generated"]}] * 3}
                for i in range(50)]
    stored = encode_findings(findings)
    assert isinstance(stored, bytes) and len(stored) * 5 < len(json.dumps(findings, ensure_ascii=False).encode("utf-8"))
    assert decode_findings(stored) == findings
    assert decode_findings(json.dumps(findings, ensure_ascii=False)) == findings
    assert decode_findings(zlib.compress(json.dumps(findings).encode("utf-8"), 1)) == findings  # stored before 2026-12-02
    assert decode_findings(None) == [] and decode_findings(b"") == []


def test_stored_forms_kept_across_batches_never_serve_another_objects_entry():
    """SweepReads.stored outlives a batch; its entries are keyed by object identity, so each must
    hold its object: otherwise a Hop or list of listings made later at a freed one's address
    would be stored with the freed one's evidence."""
    from ingest.sweep.steps import sweep_finding
    from queries.findings import from_path
    from queries.paths import ConcernPath, Hop, Listing

    shared: dict = {}
    for n in range(200):  # every round's objects are freed before the next round makes its own
        hop = Hop("AFFILIATED_WITH", "per:a", f"org:{n}", "A", f"Org {n}", str(2000 + n % 20), None, 0.9, {},
                  [{"source_id": f"src:{n}", "locator": f"row {n}"}])
        listing = Listing(f"wl:{n}", f"List {n}", None, None, None, "2020", None, None, None, None,
                          [{"source_id": f"src:list{n}", "locator": f"entry {n}"}])
        path = ConcernPath(f"org:{n}", f"Org {n}", "Organization", None, [hop], [listing], 0.5, {})
        stored = sweep_finding(from_path(path, ("per:a", "A"), [], "2026-01-01"), [], shared)
        affiliation, listed = stored["evidence"]
        assert (affiliation["to"], affiliation["sources"], affiliation["locators"]) == (f"org:{n}", [f"src:{n}"], [f"row {n}"])
        assert (listed["to"], listed["sources"]) == (f"wl:{n}", [f"src:list{n}"])
        assert stored["watchlist_name"] == f"List {n}"
        del hop, listing, path, stored, affiliation, listed

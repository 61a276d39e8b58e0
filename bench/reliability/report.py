"""Builds docs/reliability.md from the results JSON written by the reliability tests and scripts
(bench/out/reliability/*.json), and keeps a copy of those JSON files in docs/reliability-results/
so the table can be checked against the raw figures.

    python -m bench.reliability.report
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "bench" / "out" / "reliability"
DOC = REPO / "docs" / "reliability.md"
KEEP = REPO / "docs" / "reliability-results"


def load(name: str) -> dict | None:
    for folder in (SRC, KEEP):
        path = folder / f"{name}.json"
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
    return None


def cell(text, limit: int = 220) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")[:limit]


def held(flag) -> str:
    return "held" if flag else "**NOT HELD**"


def corpus_section(data: dict | None) -> list[str]:
    if not data:
        return ["## Bad input\n", "Not run yet (`make reliability`).\n"]
    cases = data["cases"]
    by_target = Counter(c["target"] for c in cases)
    out = ["## Bad input (tests/test_reliability_corpus.py)\n",
           f"{len(cases)} cases over {len(by_target)} targets ({', '.join(f'{t} {n}' for t, n in sorted(by_target.items()))}); "
           f"{sum(1 for c in cases if c.get('held'))} held. Files: `tests/data/bad/make_corpus.py`. "
           "Every case: a sentinel subgraph untouched, a refused file wrote nothing (fingerprint equal), "
           "no local file content came back, under 60 s and under 400 MB peak-RSS growth.\n",
           "| case | target | what is wrong | expected (why) | outcome | detail | s (load avg) | RSS +MB | graph unchanged | result |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for c in cases:
        extra = f" (stored verbatim in {c['stored_verbatim']} node(s))" if c.get("stored_verbatim") else ""
        why = f" ({cell(c['note'], 400)})" if c.get("note") else ""
        out.append(f"| {c['id']} | {c['target']} | {cell(c['category'])} | {c['expect']}{why} | {c['outcome']} | {cell(c['detail'])}{extra} | "
                   f"{c['seconds']} ({c.get('loadavg_1m', '?')}) | {c['rss_growth_mb']} | {'yes' if c['graph_unchanged'] else 'no (ingested)'} | {held(c.get('held'))} |")
    return out + [""]


def graphql_section(data: dict | None, partial: dict | None = None) -> list[str]:
    if not data and partial:
        out = ["## GraphQL abuse under concurrent load (tests/test_reliability_graphql.py) — run cut short\n",
               f"The run did not finish in its time limit on this machine; the cases it reached: legitimate requests so far "
               f"{partial['legit_requests_so_far']}, failures so far {partial['legit_failures_so_far']}.\n",
               "| case | refused how | HTTP statuses | slowest copy (s) | result |", "|---|---|---|---|---|"]
        for c in partial["cases"]:
            out.append(f"| {cell(c['case'])} | {cell(c['detail'])} | {c['statuses']} | {c['max_seconds']} | {held(c['held'])} |")
        return out + [""]
    if not data:
        return ["## GraphQL abuse\n", "Not run yet.\n"]
    f = data["figures"]
    out = ["## GraphQL abuse under concurrent load (tests/test_reliability_graphql.py)\n",
           f"A real `kizuna serve` (uvicorn, 127.0.0.1) in production mode; {f['legit_clients']} legitimate clients (httpx async, own viewer keys) "
           f"sent {f['legit_requests']} requests during the run with {f['legit_failures']} failures (statuses {f['legit_statuses']}), "
           f"p50 {f['legit_p50_ms']} ms, p99 {f['legit_p99_ms']} ms; {f['abuse_requests']} abusive requests (each case sent several times at once); "
           f"/healthz after: {f['healthz_after']}; machine load average (1, 5, 15 min) at the end: {f.get('loadavg_after', 'not recorded')}.\n",
           "| case | refused how | HTTP statuses | slowest copy (s) | result |", "|---|---|---|---|---|"]
    for c in data["cases"]:
        out.append(f"| {cell(c['case'])} | {cell(c['detail'])} | {c['statuses']} | {c['max_seconds']} | {held(c['held'])} |")
    return out + [""]


def faults_section(data: dict | None) -> list[str]:
    out = ["## Faults (tests/test_reliability_faults.py)\n"]
    if not data:
        return out + ["Not run yet.\n"]
    out += ["| case | figures | result |", "|---|---|---|"]
    k = data.get("sigkill")
    if k:
        out.append(f"| `kizuna ingest ror` (1 091 ROR v2 records) SIGKILLed after {k['killed_after_nodes']} nodes were written, then re-run | "
                   f"partial {k['partial']['nodes']} nodes / {k['partial']['rels']} rels; after re-run {k['after_rerun']['nodes']} nodes, {k['after_rerun']['rels']} rels, "
                   f"{k['after_rerun']['node_props']}+{k['after_rerun']['rel_props']} props, checksum {k['after_rerun']['checksum'][:12]}; clean run checksum {k['clean']['checksum'][:12]} | {held(k['held'])} |")
    d = data.get("neo4j_down")
    if d:
        out.append(f"| Neo4j killed (SIGTERM then SIGKILL after 0.5 s) while `kizuna ingest ror` writes ({d['nodes_before_stop']} nodes in) | "
                   f"ingest exit {d['ingest_down']['exit']} after {d['ingest_down']['seconds_after_stop']} s, {d['ingest_down']['retries_logged']} backoff retries logged; "
                   f"error: {cell(d['ingest_down']['error'])} | {held(d['ingest_down']['exit'] != 0 and d['ingest_down']['retries_logged'] > 0)} |")
        out.append(f"| API while Neo4j is down | /healthz {d['healthz_down']['status']} {cell(json.dumps(d['healthz_down']['body']))}; GraphQL {d['graphql_down']['status']} {cell(d['graphql_down']['body'])} | "
                   f"{held(d['healthz_down']['status'] == 503)} |")
        out.append(f"| Neo4j started again | /healthz 200 again {d['healthz_recovered_seconds_after_neo4j_start']} s after the start, same API process: {d['api_pid_unchanged']} | "
                   f"{held(d['healthz_recovered_seconds_after_neo4j_start'] is not None and d['api_pid_unchanged'])} |")
        out.append(f"| same ingest command re-run (resume) | exit {d['rerun_exit']}; {d['after_rerun']['nodes']} nodes, {d['after_rerun']['rels']} rels, checksum {d['after_rerun']['checksum'][:12]} "
                   f"vs clean {d['clean']['checksum'][:12]} | {held(d['rerun_exit'] == 0 and d['after_rerun'] == d['clean'])} |")
    return out + [""]


def security_section(sec: dict | None, deps: dict | None) -> list[str]:
    out = ["## Security hygiene (tests/test_reliability_security.py, bench/reliability/audit_deps.py)\n", "| case | figures | result |", "|---|---|---|"]
    if deps:
        if deps.get("audited"):
            fnd = deps["findings"]
            source = deps.get("source") or f"pip-audit {deps.get('service', '')}".strip()
            if source.startswith("offline"):
                tried = "; ".join(f"{a['service']}: {a['audited']} of {a['packages']} audited" for a in deps.get("attempts", []))
                desc = (f"{source} (bench/reliability/advisories/, PyPA advisory database, CC-BY-4.0), used because pip-audit 2.10.1 "
                        f"audited no package online ({tried}): {deps['audited']} installed distributions checked against "
                        f"{deps.get('advisories_consulted', '?')} advisories (not covered: {deps.get('not_covered', 'advisories after the snapshot date')})")
            else:
                desc = f"pip-audit 2.10.1 ({source}) over {deps['packages']} installed packages"
            desc += f": {len(fnd)} finding(s)" + "".join(
                f"; {f['package']} {f['version']} {f['id']} (fix {', '.join(f['fix_versions']) or 'none'}): {f['explanation'] or 'UNEXPLAINED'}" for f in fnd)
            if deps.get("skipped"):
                why = "not a PEP 440 version" if source.startswith("offline") else "not on PyPI"
                desc += f"; not auditable ({why}): {', '.join(s['package'] for s in deps['skipped'])}"
        else:
            tried = "; ".join(f"{a['service']}: {a['audited']} of {a['packages']} audited ({a.get('skip_reason_sample') or a.get('error') or ''})"
                              for a in deps.get("attempts", []))
            desc = (f"pip-audit 2.10.1 could audit no package. Tried {tried}. {deps.get('error')} Looked for an offline database: "
                    + "; ".join(deps.get("offline_search", [])))
        out.append(f"| dependency audit | {cell(desc, 2000)} | {held(deps.get('held'))} |")
    if sec:
        if "keys_at_rest" in sec:
            k = sec["keys_at_rest"]
            out.append(f"| API keys hashed at rest | {k['keys']} keys: secrets found in the store {k['secrets_found_in_store']}, stored as HMAC-SHA256 with the pepper {k['stored_as_peppered_hmac']} | {held(k['held'])} |")
        if "logs" in sec:
            g = sec["logs"]
            out.append(f"| secrets never logged | {g['log_lines']} log lines (server at DEBUG + CLI) searched for {g['secrets_checked']} secrets (every key, secret, a wrong secret, pepper, Neo4j password) sent in headers, bearer and query string: found {g['found'] or 'none'} | {held(g['held'])} |")
        if "formula_export" in sec:
            f = sec["formula_export"]
            out.append(f"| CSV formula injection reaching exports | {f['ingested']} formula names (=, +, -, @) ingested from a user list CSV, {f['stored_verbatim']} stored verbatim, {f['exported']} written by the sweep CSV export, {f['exported_as_formula']} left as a formula | {held(f['held'])} |")
        if "audit" in sec:
            a = sec["audit"]
            out.append(f"| audit trail complete under concurrency | {a['concurrent_person_reads']} concurrent person reads ({a['successful']} ok) wrote {a['entries_written']} entries; chain valid: {a['chain_valid_after_load']} ({a['chain_entries']} entries) | "
                       f"{held(a['successful'] == a['entries_written'] == a['concurrent_person_reads'] and a['chain_valid_after_load'])} |")
            out.append(f"| audit trail tamper-evident | entry {a['edited_seq']} edited: break found at {a['edit_detected_at']}; restored: valid {a['valid_after_restore']}; entry {a['deleted_seq']} deleted: break found at {a['delete_detected_at']} | {held(a['held'])} |")
    return out + [""]


def load_section(data: dict | None) -> list[str]:
    out = ["## Load (bench/reliability/load.py)\n"]
    if not data:
        return out + ["Not run yet.\n"]
    think = data.get("think_s")
    limits = data.get("limits")
    out.append(f"{data['clients']} concurrent clients ({data['ingesting_clients']} ingesting: addWatchlistEntry and ingestDisclosure uploads; the rest reads and concern paths) "
               f"for **{data['duration_s']:.0f} s** against one uvicorn worker; {data['requests']} requests ({data['rps']}/s), statuses {data['statuses']}, "
               f"5xx: {data['server_errors_5xx']}, errors: {data['errors']}; graph {data['graph']['nodes']} nodes / {data['graph']['relationships']} relationships.\n")
    if think:
        out.append(f"Each client sends one request at a time and waits a think time between requests (readers {think['readers'][0]}-{think['readers'][1]} s, "
                   f"ingesters {think['ingesters'][0]}-{think['ingesters'][1]} s: an investigator reads an answer before asking the next question). "
                   f"Server limits: {limits['max_concurrent_requests']} requests at once, a request waits at most {limits['admission_wait_seconds']} s for a slot "
                   f"(else 503 OVERLOADED with Retry-After), {limits['request_timeout_seconds']} s per request (else 504), concern paths time-budgeted at "
                   f"{limits['path_time_budget_ms']} ms (a longer search answers `partial`). \"No 5xx\" is taken strictly: a 503 OVERLOADED counts as a failure "
                   f"({data.get('overloaded_503', 0)} in this run). Machine load average (1, 5, 15 min) before {data.get('loadavg_before')}, after {data.get('loadavg_after')}.\n")
    out += ["| operation | n | p50 ms | p95 ms | p99 ms |", "|---|---|---|---|---|"]
    for op, v in sorted(data["ops"].items()):
        out.append(f"| {op} | {v['n']} | {v['p50_ms']} | {v['p95_ms']} | {v['p99_ms']} |")
    samples = data.get("memory_samples") or []
    warm = samples[len(samples) // 4:]  # the first quarter is warm-up: spaCy's models load on the first upload
    fifth = max(1, len(warm) // 5)
    memory = {}
    for k in ("api_mb", "neo4j_mb"):
        first = [r[k] for r in warm[:fifth] if r[k]]
        last = [r[k] for r in warm[-fifth:] if r[k]]
        if first and last:
            a, b = sum(first) / len(first), sum(last) / len(last)
            memory[k] = {"first_fifth_mb": round(a, 1), "last_fifth_mb": round(b, 1), "max_mb": max(r[k] or 0 for r in samples), "growth_pct": round(100 * (b / a - 1), 1)}
    data["held"] = data["server_errors_5xx"] == 0 and data["errors"] == 0 and all(v["growth_pct"] < 10 for v in memory.values())
    out += ["", f"Memory: RSS sampled every 5 s ({len(samples)} samples); the first quarter is warm-up, then the first fifth of the rest is compared with the last fifth.", "",
            "| process | RSS first fifth (MB) | last fifth (MB) | max (MB) | growth |", "|---|---|---|---|---|"]
    for k, v in memory.items():
        out.append(f"| {k.removesuffix('_mb')} | {v['first_fifth_mb']} | {v['last_fifth_mb']} | {v['max_mb']:.0f} | {v['growth_pct']}% |")
    out.append(f"\nResult: {held(data['held'])} (no 5xx, no errors, RSS growth under 10 %).")
    if data.get("error_sample"):
        out.append("Error sample: " + cell("; ".join(data["error_sample"])))
    return out + [""]


def main() -> None:
    KEEP.mkdir(parents=True, exist_ok=True)
    if SRC.is_dir():
        for path in SRC.glob("*.json"):
            shutil.copy(path, KEEP / path.name)
    lines = ["# Reliability: what Kizuna survived (issue 10)\n",
             f"Generated by `python -m bench.reliability.report` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC from the JSON results in "
             "docs/reliability-results/ (written by `make reliability`). Do not edit by hand.\n",
             "Run everything: `make reliability` (tests/test_reliability_*.py against a real Neo4j, then the dependency audit, the load script and this report).\n"]
    run = load("run")
    if run:
        lines.append(f"Last `make reliability`: {run['wall_s']} s wall time, exit {run['exit']}, machine load average (1, 5, 15 min) at the end "
                     f"{[round(x, 1) for x in run['loadavg_end']]} (2 cores shared with other work: every time below carries that).\n")
    lines += faults_section(load("faults"))
    lines += graphql_section(load("graphql"), load("graphql-partial"))
    lines += security_section(load("security"), load("deps"))
    lines += load_section(load("load"))
    lines += corpus_section(load("corpus"))
    notes = REPO / "bench" / "reliability" / "NOTES.md"
    if notes.exists():
        lines += [notes.read_text(encoding="utf-8")]
    DOC.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()

"""`kizuna paths | undisclosed | assess --json` against the test Neo4j, as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.queries_graphs import GraphBuilder

REPO = Path(__file__).resolve().parent.parent


def kizuna(settings, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NEO4J_URI": settings.bolt_uri, "NEO4J_USER": settings.auth[0], "NEO4J_PASSWORD": settings.auth[1], "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "api.cli", *args], capture_output=True, text=True, env=env, cwd=REPO, timeout=300)


async def test_cli_commands_with_json(graph, settings):
    g = GraphBuilder()
    g.watchlist("wl:us-dod-1286", "DoD Section 1286", severity="high")
    g.org("org:l", "Listed Lab")
    g.org("org:ttp", "Listed Plan", kind="talent_program")
    g.listed("org:l", "wl:us-dod-1286", start="2020")
    g.listed("org:ttp", "wl:us-dod-1286", start="2020")
    g.person("per:cli", "Cli Person", orcid="0000-0000-0000-0099")
    g.rel("AFFILIATED_WITH", "per:cli", "org:l", start="2021", source="src:orcid")
    g.rel("PARTICIPATES_IN", "per:cli", "org:ttp", start="2019", end="2020", source="src:news")
    await g.write(graph)

    paths = kizuna(settings, "paths", "per:cli", "--json", "--budget-ms", "60000")
    assert paths.returncode == 0, paths.stderr
    data = json.loads(paths.stdout)
    assert {p["target_id"] for p in data["paths"]} == {"org:l", "org:ttp"}
    assert data["paths"][0]["hops"][0]["evidence"][0]["source_id"] in {"src:orcid", "src:news"}

    und = kizuna(settings, "undisclosed", "per:cli", "--json")
    assert und.returncode == 0, und.stderr
    assert json.loads(und.stdout)["disclosure"] is None

    assess = kizuna(settings, "assess", "per:cli", "--packs", "us-dod-matrix", "--as-of", "2024-01-01", "--param", "talent_lookback_years=4", "--budget-ms", "60000", "--json")
    assert assess.returncode == 0, assess.stderr
    result = json.loads(assess.stdout)
    assert result["recommendation"] == "INSUFFICIENT_INFORMATION"  # no disclosure on file
    assert {r["rule_id"] for r in result["rules_fired"]} >= {"dod-ftrp-past", "dod-affiliation-listed"}
    assert result["packs"][0]["parameters"]["talent_lookback_years"] == 4

    missing = kizuna(settings, "assess", "per:nobody", "--json")
    assert missing.returncode == 5 and "no entity" in missing.stderr
    bad = kizuna(settings, "paths", "per:cli", "--as-of", "not-a-date")
    assert bad.returncode == 2 and "ISO date" in bad.stderr

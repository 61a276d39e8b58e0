"""`kizuna resolve` and `kizuna screen` end to end, through the CLI, against the test Neo4j."""

from __future__ import annotations

import asyncio
import json

from typer.testing import CliRunner

from api.cli import app
from graph.db import Database
from graph.provenance import Evidence
from graph.writer import GraphWriter, NodeRecord, RelRecord
from kizuna.settings import get_settings
from tests.conftest import wipe

EV = Evidence("src:test", "row 1", "2026-01-01T00:00:00+00:00", "test")


def test_resolve_and_screen_commands(settings, monkeypatch, tmp_path):
    async def load():
        db = Database(settings)
        try:
            await wipe(db)
            await GraphWriter(db).write(
                [NodeRecord("Watchlist", "wl:s1286", {"name": "DoD Section 1286"}, EV),
                 NodeRecord("Organization", "org:ror:01yqg2h08", {"name": "Harbin Institute of Technology", "names": ["哈尔滨工业大学"],
                            "acronyms": ["HIT"], "ror": "01yqg2h08", "country": "China", "city": "Harbin"}, EV),
                 NodeRecord("Person", "per:a", {"name": "Taro Yamada", "orcid": "0000-0001-5109-3700"}, EV)],
                [RelRecord("LISTED_ON", "org:ror:01yqg2h08", "wl:s1286", {"start": "2023-06-29", "reason": "talent recruitment"}, EV)])
        finally:
            await db.close()

    asyncio.run(load())
    monkeypatch.setenv("NEO4J_URI", settings.bolt_uri)
    monkeypatch.setenv("NEO4J_USER", settings.auth[0])
    monkeypatch.setenv("NEO4J_PASSWORD", settings.auth[1])
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        out = runner.invoke(app, ["resolve", "org", "School of Astronautics, Harbin Inst. of Technology, Harbin, China", "--json"])
        assert out.exit_code == 0, out.output
        result = json.loads(out.output)
        assert result["status"] == "match" and result["match"]["entity_id"] == "org:ror:01yqg2h08"
        assert "name" in result["match"]["features"] and "country" in result["match"]["features"]

        out = runner.invoke(app, ["resolve", "person", "Yamada, Taro", "--json"])
        assert json.loads(out.output)["status"] == "insufficient"  # a name alone never links
        out = runner.invoke(app, ["resolve", "person", "T. Yamada", "--context", "orcid=https://orcid.org/0000-0001-5109-3700", "--json"])
        assert json.loads(out.output)["match"]["entity_id"] == "per:a"

        names = tmp_path / "names.txt"
        names.write_text("哈爾濱工業大學\nHIT\nAcme Widgets\n", encoding="utf-8")
        out = runner.invoke(app, ["screen", "--file", str(names), "--lists", "wl:s1286", "--json"])
        assert out.exit_code == 0, out.output
        batch = json.loads(out.output)
        assert [bool(r["matches"]) for r in batch] == [True, True, False]
        assert batch[0]["matches"][0]["listings"][0]["reason"] == "talent recruitment"

        out = runner.invoke(app, ["resolve", "decide", "org:ror:01yqg2h08", "per:a", "--same", "--by", "me", "--why", "test"])
        assert out.exit_code != 0 and "organization and a person" in out.output
    finally:
        get_settings.cache_clear()

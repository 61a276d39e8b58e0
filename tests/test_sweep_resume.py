"""Robustness of sweeps: a sweep killed midway (SIGKILL) and re-run ends exactly like an
uninterrupted one, without duplicates; a second concurrent run of the same definition is refused
with a clear message; splitting the population over worker processes gives the same result."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.sweep import checkpoint
from ingest.sweep.runner import PAUSE_ENV, run_sweep
from kizuna.errors import Conflict
from queries.sweep import list_sweeps, sweep_results
from tests.sweep_support import craft_people, definition, meti_rows, write_rows

REPO = Path(__file__).resolve().parent.parent
PEOPLE = 40
PAUSE_AFTER = 12
# the installed `kizuna` entry point's way in (`python -m api.cli` re-imports api.cli as a second module)
KIZUNA_CLI = [sys.executable, "-c", "from api.cli import main; main()"]


async def _population(graph, tmp_path, shared_data) -> None:
    header, rows = meti_rows(shared_data)
    write_rows(tmp_path / "list.csv", header, rows[:60])
    people = {}
    for i in range(PEOPLE):
        if i % 4 == 3:
            people[f"p{i:02d}"] = [(f"plain{i}", f"Unlisted Institute {i}")]
        else:
            people[f"p{i:02d}"] = [(f"meti:org{i}", rows[i]["name"])]
    await craft_people(graph, people)


def _env(settings, pause: bool) -> dict[str, str]:
    env = dict(os.environ, NEO4J_URI=settings.bolt_uri, NEO4J_USER=settings.auth[0], NEO4J_PASSWORD=settings.auth[1],
               PYTHONPATH=str(REPO))
    env.pop(PAUSE_ENV, None)
    if pause:
        env[PAUSE_ENV] = str(PAUSE_AFTER)
    return env


def _start_paused(settings, defn: Path) -> tuple[subprocess.Popen, list[str]]:
    """Start `kizuna sweep run` in a subprocess and return once it paused after PAUSE_AFTER subjects."""
    proc = subprocess.Popen([*KIZUNA_CLI, "sweep", "run", str(defn)], env=_env(settings, True),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline, seen = time.monotonic() + 240, []
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stderr], [], [], 1.0)
        if ready:
            line = proc.stderr.readline()
            seen.append(line)
            if line.startswith("KIZUNA_SWEEP_PAUSED"):
                return proc, seen
            if not line and proc.poll() is not None:
                break
    proc.kill()
    pytest.fail("the sweep subprocess never paused:\n" + "".join(seen[-20:]))


def _comparable(results: list[dict]) -> list[dict]:
    return results  # results carry no sweep id or timestamp: equal results mean an equal outcome


async def test_killed_sweep_rerun_equals_uninterrupted(graph, settings, tmp_path, shared_data):
    await _population(graph, tmp_path, shared_data)
    killed_def = definition(tmp_path, id="resume-killed")
    proc, log_lines = _start_paused(settings, killed_def)
    # not a terminal: structured progress lines instead of a bar
    progress = [json.loads(line) for line in log_lines if '"sweep.progress"' in line]
    assert progress and progress[0]["total"] == PEOPLE and progress[0]["done"] > 0 and "eta_s" in progress[0]
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stderr.close()

    interrupted = await checkpoint.running_sweep(graph, "resume-killed")
    assert interrupted is not None and interrupted["status"] == "running"
    done, _ = await checkpoint.count_results(graph, interrupted["id"])
    assert done == PAUSE_AFTER  # the checkpoint holds exactly the batches stored before the kill
    # a kill between a batch's results file and its commit leaves a file nothing names
    folder = Path(interrupted["results_dir"])
    stray = folder / ("f" * 64 + checkpoint.RESULTS_SUFFIX)
    stray.write_bytes(checkpoint.encode_findings([{"key": "fnd:never-committed"}]))

    resumed = await run_sweep(graph, killed_def)
    assert resumed["id"] == interrupted["id"]  # continued, not restarted
    assert resumed["counts"]["resumed"] is True
    assert resumed["counts"]["assessed_this_run"] == PEOPLE - PAUSE_AFTER

    clean = await run_sweep(graph, definition(tmp_path, id="resume-clean"))
    assert clean["counts"]["resumed"] is False and clean["counts"]["assessed_this_run"] == PEOPLE

    got = await sweep_results(graph, resumed["id"])
    want = await sweep_results(graph, clean["id"])
    assert len(got) == PEOPLE and len({r["subject_id"] for r in got}) == PEOPLE  # no duplicates
    assert _comparable(got) == _comparable(want)
    assert sum(1 for r in want if r["findings"]) == 30  # the comparison is not vacuous
    for key in ("new_findings", "removed_findings", "tier_changes", "errors"):
        assert resumed["diff"][key] == clean["diff"][key]
    assert resumed["diff"]["counts"] == clean["diff"]["counts"]
    assert [s["status"] for s in await list_sweeps(graph, "resume-killed")] == ["completed"]
    named = {r["file"] for r in await graph.read("MATCH (r:SweepResult {sweep_id: $id}) RETURN DISTINCT r.findings_file AS file",
                                                 {"id": resumed["id"]})}
    assert not stray.exists() and {p.name for p in folder.iterdir()} == named


async def test_concurrent_run_of_the_same_definition_is_refused(graph, settings, tmp_path, shared_data):
    await _population(graph, tmp_path, shared_data)
    defn = definition(tmp_path, id="lock-test")
    first, _ = _start_paused(settings, defn)
    try:
        second = subprocess.run([*KIZUNA_CLI, "sweep", "run", str(defn)], env=_env(settings, False),
                                capture_output=True, text=True, timeout=180)
        assert second.returncode == Conflict.exit_code
        assert f"error: sweep 'lock-test' is already running (pid {first.pid}" in second.stderr
        assert "the lock is" in second.stderr
        with pytest.raises(Conflict, match="already running"):  # and in-process too
            await run_sweep(graph, defn)
        # a different definition is not blocked
        other = await run_sweep(graph, definition(tmp_path, id="lock-other", population={"kind": "ids", "ids": ["per:none"]}))
        assert other["status"] == "completed"
    finally:
        first.kill()
        first.wait(timeout=30)
        first.stderr.close()
    # the lock dies with its holder: the definition can run (and resumes) at once
    after = await run_sweep(graph, defn)
    assert after["counts"]["resumed"] is True and after["counts"]["subjects"] == PEOPLE


async def test_worker_processes_give_the_same_result(graph, tmp_path, shared_data):
    await _population(graph, tmp_path, shared_data)
    single = await run_sweep(graph, definition(tmp_path, id="workers-one", workers=1), write_outputs=False)
    split = await run_sweep(graph, definition(tmp_path, id="workers-two", workers=2), write_outputs=False)
    assert split["counts"]["subjects"] == PEOPLE
    assert await sweep_results(graph, split["id"]) == await sweep_results(graph, single["id"])

"""Shared by tests/test_reliability_*.py: the `kizuna` CLI run the way the console script runs it.

Why not tests.helpers.KIZUNA (`python -m api.cli`): run as __main__, api.cli is imported a second
time by api.cli_resolve and the circular import fails; the installed `kizuna` script calls
api.cli:main, which this reproduces with the worktree's packages first on the path.
"""

from __future__ import annotations

import subprocess
import sys
import time

import httpx

from tests.helpers import REPO

KIZUNA = [sys.executable, "-c", "import sys; from api.cli import main; sys.argv[0] = 'kizuna'; main()"]


def run_cli(args: list[str], env: dict, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(KIZUNA + args, env=env, capture_output=True, text=True, timeout=timeout, cwd=REPO)


def start_api(env: dict, port: int, timeout: float = 120) -> subprocess.Popen:
    """`kizuna serve` on 127.0.0.1:``port``, returned once /healthz answers (any status)."""
    proc = subprocess.Popen(KIZUNA + ["serve", "--host", "127.0.0.1", "--port", str(port)], env=env, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
            return proc
        except httpx.HTTPError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stdout.read().decode(errors="replace"))
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"the API did not start within {timeout:.0f} s")

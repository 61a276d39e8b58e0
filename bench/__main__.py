"""Run every benchmark in turn: `python -m bench` (or `make bench`), or name some:
`python -m bench writer screen`. Each prints its figures and its ratio to a baseline measured
in the same run; figures are also saved under bench/out/ by those that use bench.harness."""

from __future__ import annotations

import subprocess
import sys
import time

BENCHMARKS = ["writer", "ingest", "ingest_floor", "screen", "resolve_eval", "nlp", "nlp_eval", "paths", "api", "sweep"]


def main(names: list[str]) -> int:
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmarks: {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    failed = []
    for name in names or BENCHMARKS:
        print(f"\n=== bench.{name} ===", flush=True)
        start = time.monotonic()
        code = subprocess.call([sys.executable, "-m", f"bench.{name}"])
        print(f"=== bench.{name}: exit {code} after {time.monotonic() - start:.0f} s", flush=True)
        if code:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

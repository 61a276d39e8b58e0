"""Screening throughput: queries/s against >= 50k indexed names, beside a plain rapidfuzz
``process.extractOne`` baseline over the same names in the same process.

Names: every name of the ROR subset (v1+v2) and of the lists of concern, plus deterministic
variants ("<name> Branch <k>") until at least --names names are indexed. Queries: list aliases,
ROR names with one typo, and names that are on no list, mixed.

Run: PYTHONPATH=$PWD .venv/bin/python bench/screen.py [--names 50000] [--queries 2000]
"""

from __future__ import annotations

import argparse
import os
import random
import time
from pathlib import Path

from rapidfuzz import fuzz, process

from resolve.index import EntityRecord, NameIndex
from resolve.readers import read_list_entries, read_ror


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    ap.add_argument("--names", type=int, default=50_000)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--baseline-queries", type=int, default=200)
    args = ap.parse_args()
    rng = random.Random(7)
    base: list[str] = []
    for f in ("ror_subset_schema_v1.jsonl", "ror_subset_schema_v2.jsonl"):
        for rec in read_ror(args.data / "ror" / f):
            base.extend(rec.names)
    for _, _, names in read_list_entries(args.data):
        base.extend(names)
    base = list(dict.fromkeys(n for n in base if n and n.strip()))
    names = list(base)
    k = 0
    while len(names) < args.names:
        k += 1
        names.extend(f"{n} Branch {k}" for n in base[: args.names - len(names)])
    records = [EntityRecord(f"e{i}", "org", [n]) for i, n in enumerate(names)]
    t0 = time.perf_counter()
    index = NameIndex(records, "org")
    build = time.perf_counter() - t0

    def typo(s: str) -> str:
        if len(s) < 6:
            return s
        i = rng.randrange(1, len(s) - 1)
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]

    queries = []
    for _ in range(args.queries):
        pick = rng.random()
        n = rng.choice(base)
        queries.append(n if pick < 0.4 else typo(n) if pick < 0.7 else f"{rng.choice(['Acme', 'Nordic', 'Pacific'])} {rng.choice(['Holdings', 'Research Lab', 'University'])} {rng.randrange(1000)}")
    t0 = time.perf_counter()
    hits = sum(1 for q in queries if index.screen(q, limit=5))
    ours = len(queries) / (time.perf_counter() - t0)

    lowered = [n.casefold() for n in names]
    bq = queries[: args.baseline_queries]
    t0 = time.perf_counter()
    for q in bq:
        process.extractOne(q.casefold(), lowered, scorer=fuzz.WRatio)
    baseline = len(bq) / (time.perf_counter() - t0)
    print(f"cores available: {os.cpu_count()}; indexed names: {index.name_count} ({len(names)} raw); index build {build:.1f}s")
    print(f"kizuna screening (NameIndex.screen): {ours:,.0f} queries/s  ({hits}/{len(queries)} with a hit >= threshold)")
    print(f"baseline rapidfuzz process.extractOne(WRatio) over all names: {baseline:,.1f} queries/s")
    print(f"ratio: {ours / baseline:.1f}x   target: >= 500 queries/s -> {'MET' if ours >= 500 else 'NOT MET'}")


if __name__ == "__main__":
    main()

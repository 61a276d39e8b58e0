"""Throughput and memory of the disclosure pipelines against plain spaCy, in the same run.

    PYTHONPATH=$PWD .venv/bin/python bench/nlp.py [--docs 300] [--memory-docs 1000] [--rounds 3]

Throughput: the same texts (the development set, varied so no two are identical) go through
(a) plain spaCy ``nlp.pipe`` of the base model (en_core_web_sm / ja_ginza, every component of the
model, none of ours) and (b) the full Kizuna reader (language detection per line, the base model
plus gazetteer, amounts, dates and relation components, facts assembled). Rounds alternate a and b
and the best round of each is kept (the machine is shared). Target: (b) >= 80% of (a).

Memory: 1,000 documents with fresh names and numbers (new strings for spaCy's StringStore) through
the reader; resident memory is sampled every 100 documents. Target: flat (growth after warm-up
small against the process size).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from nlp.gazetteer import build_gazetteer, seed_entries, shared_data_entries  # noqa: E402
from nlp.pipeline import DisclosureReader  # noqa: E402

DEV = REPO / "tests" / "data" / "disclosures"
SHARED = REPO.parent / "shared" / "data" if (REPO.parent / "shared" / "data").is_dir() else Path("/work/shared/data")
KIZUNA_COMPONENTS = ["kizuna_org_gazetteer", "kizuna_amounts", "kizuna_dates", "kizuna_relations"]
SURNAMES_EN = ["Avery", "Brook", "Castell", "Dunmore", "Ellery", "Fairburn", "Garrow", "Hollis", "Ingram", "Jessop"]
SURNAMES_JA = ["青木", "石田", "上野", "江口", "大西", "川島", "北村", "久保", "小池", "坂本"]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def varied(texts: list[str], n: int, lang: str, seed: int) -> list[str]:
    """``n`` documents made from the development set with fresh names, years and amounts."""
    rng = random.Random(seed)
    names = SURNAMES_EN if lang == "en" else SURNAMES_JA
    out = []
    for i in range(n):
        text = texts[i % len(texts)]
        text = re.sub(r"(?<!\d)(20[0-2]\d)(?!\d)", lambda m: str(int(m.group(1)) - rng.randint(0, 3)), text)
        text = re.sub(r"\d{1,3}(?:,\d{3})+", lambda m: f"{rng.randint(1, 999)},{rng.randint(100, 999)},000", text)
        out.append(f"{names[i % len(names)]}{i} {rng.randint(1000, 9999)}\n" + text)
    return out


def dev_texts(lang: str) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((DEV / lang).glob(f"{lang}*.txt"))]


def throughput(reader: DisclosureReader, lang: str, texts: list[str], rounds: int) -> dict:
    nlp = reader.pipelines[lang]
    chars = sum(len(t) for t in texts)
    best = {"plain": float("inf"), "kizuna": float("inf")}
    facts = 0
    for _ in range(rounds):
        gc.collect()
        started = time.perf_counter()
        with nlp.select_pipes(disable=KIZUNA_COMPONENTS):
            for _doc in nlp.pipe(texts, batch_size=64):
                pass
        best["plain"] = min(best["plain"], time.perf_counter() - started)
        gc.collect()
        started = time.perf_counter()
        facts = sum(len(a.facts) for a in reader.read_many(texts, batch_size=64))
        best["kizuna"] = min(best["kizuna"], time.perf_counter() - started)
    out = {"docs": len(texts), "chars": chars, "facts": facts}
    for key, seconds in best.items():
        out[key] = {"seconds": round(seconds, 3), "docs_per_s": round(len(texts) / seconds, 1), "chars_per_s": round(chars / seconds)}
    out["ratio"] = round(best["plain"] / best["kizuna"], 3)
    return out


def memory(reader: DisclosureReader, n: int) -> dict:
    texts = [t for pair in zip(varied(dev_texts("en"), n // 2, "en", 11), varied(dev_texts("ja"), n - n // 2, "ja", 12)) for t in pair]
    samples = []
    done = 0
    for i in range(0, len(texts), 100):
        for _ in reader.read_many(texts[i : i + 100], batch_size=50):
            done += 1
        gc.collect()
        samples.append((done, round(rss_mb(), 1)))
    warm = samples[1][1] if len(samples) > 1 else samples[0][1]
    return {"docs": done, "rss_mb_every_100_docs": samples, "growth_after_first_200_docs_mb": round(samples[-1][1] - warm, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=300, help="documents per language for throughput")
    parser.add_argument("--memory-docs", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    gazetteer = build_gazetteer(seed_entries(), shared_data_entries(SHARED))
    reader = DisclosureReader(gazetteer)
    gazetteer.find("warm up")
    for nlp in reader.pipelines.values():  # load lazily-initialised parts before timing
        list(nlp.pipe(["warm up 2020", "2020年 東京大学"]))
    report = {"gazetteer_entries": len(gazetteer), "rss_mb_after_load": round(rss_mb(), 1)}
    for lang in ("en", "ja"):
        report[lang] = throughput(reader, lang, varied(dev_texts(lang), args.docs, lang, 7), args.rounds)
        report[lang]["loadavg_1_5_15"] = [round(x, 2) for x in os.getloadavg()]  # the machine is shared: read figures with it
    report["memory"] = memory(reader, args.memory_docs)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for lang in ("en", "ja"):
        r = report[lang]
        print(
            f"[{lang}] {r['docs']} docs, {r['chars']:,} chars | plain spaCy {r['plain']['docs_per_s']} docs/s {r['plain']['chars_per_s']:,} chars/s"
            f" | Kizuna {r['kizuna']['docs_per_s']} docs/s {r['kizuna']['chars_per_s']:,} chars/s | ratio {r['ratio']:.2f} (target >= 0.80)"
            f" | load average {r['loadavg_1_5_15']}"
        )
    m = report["memory"]
    print(f"[memory] {m['docs']} docs: RSS every 100 docs {[s[1] for s in m['rss_mb_every_100_docs']]} MB; growth after warm-up {m['growth_after_first_200_docs_mb']} MB")


if __name__ == "__main__":
    main()

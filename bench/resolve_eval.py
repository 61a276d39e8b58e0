"""Entity-resolution evaluation on the real data in ../shared/data (prints a Markdown table).

1. Affiliation string -> ROR id (ror/affiliation_matching_gold, index = ROR subset v1+v2):
   precision of every returned match, recall over strings whose gold id is in the index,
   abstention rate.
2. List aliases (METI, ASPI, NRO, §1286, 1260H): for each entry with >= 2 names, index its first
   name, query every other name (any script): recall@1 at the screening threshold; and the
   false-positive rate of ROR organization names that are on no list.
3. OpenSanctions-derived name fixtures (yente UN list treated vs untreated; CC BY-NC, read in
   place, never copied) recall@1, and the hand-written cross-script pairs.

Run: PYTHONPATH=$PWD .venv/bin/python bench/resolve_eval.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path

from resolve.affiliation import AffiliationMatcher
from resolve.index import ORG_THRESHOLD, EntityRecord, NameIndex
from resolve.normalize import PARENTHESES, acronym_key, clean, derived_acronyms, has_cjk, is_acronym, org_name, to_latin
from resolve.readers import read_list_entries, read_ror
from resolve.screening import SCREEN_THRESHOLD


CALIBRATION_BINS = (0.5, 0.7, 0.85, 0.95)


def ror_index(data: Path) -> tuple[NameIndex, list[EntityRecord]]:
    recs = [*read_ror(data / "ror/ror_subset_schema_v1.jsonl"), *read_ror(data / "ror/ror_subset_schema_v2.jsonl")]
    return NameIndex(recs, "org"), recs


def affiliation_eval(data: Path, index: NameIndex, file: str, gold_key: str) -> dict:
    matcher = AffiliationMatcher(index, threshold=ORG_THRESHOLD)
    in_index = {r.identifiers["ror"][0] for r in index.records}
    n = returned = correct = gold_in = 0
    bins = {b: [0, 0] for b in CALIBRATION_BINS}
    start = time.perf_counter()
    with open(data / "ror/affiliation_matching_gold" / file, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            gold = row[gold_key] if isinstance(row[gold_key], list) else [row[gold_key]]
            gold = {g.rsplit("/", 1)[-1] for g in gold if g}
            n += 1
            gold_in += bool(gold & in_index)
            res = matcher.match(row["affiliation"])
            top = res.best or (res.candidates[0] if res.candidates else None)
            if top is not None:
                b = max(x for x in CALIBRATION_BINS if top.score >= x) if top.score >= CALIBRATION_BINS[0] else None
                if b is not None:
                    bins[b][0] += 1
                    bins[b][1] += top.identifiers["ror"][0] in gold
            if res.best:
                returned += 1
                correct += res.best.identifiers["ror"][0] in gold
    secs = time.perf_counter() - start
    return {"strings": n, "gold_in_index": gold_in, "returned": returned, "correct": correct,
            "precision": correct / max(1, returned), "recall": correct / max(1, gold_in),
            "abstention": 1 - returned / max(1, n), "per_s": n / secs,
            "calibration": {f">={b}": {"n": v[0], "precision": v[1] / v[0] if v[0] else None} for b, v in bins.items()}}


def list_alias_eval(data: Path, ror_recs: list[EntityRecord]) -> dict:
    # rows of one list with the same primary name (a company listed twice) are one entry
    merged: dict[tuple[str, str], tuple[str, str, list[str]]] = {}
    for lst, eid, names in read_list_entries(data):
        names = [n for n in names if n and n.strip()]
        if not names:
            continue
        key = (lst, clean(names[0]))
        if key in merged:
            merged[key][2].extend(names[1:])
        else:
            merged[key] = (lst, eid, names)
    entries = [(lst, eid, list(dict.fromkeys(names))) for lst, eid, names in merged.values()]
    # one index per list: the same organization is on several lists, and a hit on another
    # list's entry for it would be counted wrong
    lists = sorted({lst for lst, _, _ in entries})
    indexes = {lst: NameIndex([EntityRecord(eid, "org", [names[0]]) for l2, eid, names in entries if names and l2 == lst], "org") for lst in lists}
    index = NameIndex([EntityRecord(eid, "org", [names[0]]) for _, eid, names in entries if names], "org")
    queries = hits = loo_hits = any_hits = reachable = 0
    by_list: dict[str, list[int]] = {}
    by_kind: dict[str, list[int]] = {}
    misses = []
    # leave-one-out: every name of every entry indexed on its own; a query may not hit itself
    per_name: dict[str, list[EntityRecord]] = {lst: [] for lst in lists}
    for lst, eid, names in entries:
        for k, name in enumerate(dict.fromkeys(names)):
            per_name[lst].append(EntityRecord(f"{eid}#{k}", "org", [name]))
    loo_indexes = {lst: NameIndex(recs, "org") for lst, recs in per_name.items()}
    for lst, eid, names in entries:
        if len(names) < 2:
            continue
        for k, alias in enumerate(dict.fromkeys(names)):
            if k == 0 or clean(alias) == clean(names[0]):
                continue
            queries += 1
            res = indexes[lst].screen(alias, threshold=SCREEN_THRESHOLD, limit=1)
            ok = bool(res) and res[0].entity_id == eid
            hits += ok
            top = indexes[lst].screen(alias, threshold=0.0, limit=1)
            any_ok = bool(top) and top[0].entity_id == eid
            any_hits += any_ok
            reachable += any_ok or _shares_a_name_part(alias, names[0])
            others = [c for c in loo_indexes[lst].screen(alias, threshold=SCREEN_THRESHOLD, limit=5)
                      if c.entity_id != f"{eid}#{k}"]
            loo_hits += bool(others) and others[0].entity_id.split("#")[0] == eid
            by_list.setdefault(lst, [0, 0])
            by_list[lst][0] += 1
            by_list[lst][1] += ok
            cat = "CJK" if has_cjk(alias) else "acronym" if is_acronym(alias) else "Latin" if alias.isascii() else "other script"
            by_kind.setdefault(cat, [0, 0])
            by_kind[cat][0] += 1
            by_kind[cat][1] += ok
            if not ok and len(misses) < 15:
                misses.append((alias, names[0]))
    # ROR names that are on no list (the exact-name links file lists the ones that might be)
    listed_ror = set()
    with open(data / "ror/watchlist_to_ror_exact_name_matches.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            listed_ror.update(v.rsplit("/", 1)[-1] for k, v in row.items() if k and "ror" in k.lower() and v and "ror.org" in v)
    all_names = {clean(n) for _, _, names in entries for n in names}
    negatives = [r.label for r in ror_recs if r.identifiers["ror"][0] not in listed_ror and clean(r.label) not in all_names]
    fp = sum(1 for name in negatives if index.screen(name, threshold=SCREEN_THRESHOLD, limit=1))
    return {"entries": len(entries), "alias_queries": queries, "recall_at_1": hits / max(1, queries),
            "recall_at_1_leave_one_out": loo_hits / max(1, queries),
            "recall_at_1_any_score": any_hits / max(1, queries),
            "name_matching_bound": reachable / max(1, queries),
            "by_list": {k: v[1] / v[0] for k, v in by_list.items()}, "ror_negatives": len(negatives),
            "by_alias_kind": {k: f"{v[1]}/{v[0]} = {v[1] / v[0]:.2f}" for k, v in by_kind.items()},
            "false_positives": fp, "fp_rate": fp / max(1, len(negatives)), "misses": misses}


def _shares_a_name_part(alias: str, name: str) -> bool:
    """Whether a name matcher has anything to go on: a distinctive word in common (after script
    conversion), an acronym of the name, or two Han characters in common. A generous test — the
    share of aliases passing it bounds the recall@1 any name matching can reach on this set."""
    a, n = org_name(alias), org_name(name)
    if set(a.core.split()) & set(n.core.split()):
        return True
    if is_acronym(alias) and acronym_key(alias) in derived_acronyms(PARENTHESES.sub("", name)) | set(clean(to_latin(name)).split()):
        return True
    return bool(a.han and n.han and len(set(a.han) & set(n.han)) >= 2)


def yente_eval(data: Path) -> dict:
    base = data / "opensanctions_ftm"
    with open(base / "yente_positives_un_untreated.csv", encoding="utf-8") as fh:
        untreated = [r["full_name"] for r in csv.DictReader(fh)]
    with open(base / "yente_positives_un_treated.csv", encoding="utf-8") as fh:
        treated = [r["full_name"] for r in csv.DictReader(fh)]
    index = NameIndex([EntityRecord(f"un:{i}", "person", [n]) for i, n in enumerate(untreated)], "person")
    hits = sum(1 for i, q in enumerate(treated) if (res := index.screen(q, threshold=0.0, limit=1)) and res[0].entity_id == f"un:{i}")
    hits_thr = sum(1 for i, q in enumerate(treated) if (res := index.screen(q, threshold=SCREEN_THRESHOLD, limit=1)) and res[0].entity_id == f"un:{i}")
    return {"pairs": len(treated), "recall_at_1_any": hits / len(treated), "recall_at_1_threshold": hits_thr / len(treated)}


def cross_script_eval(data: Path) -> dict:
    pairs = []
    with open(data / "us_csl_watchman/cross_script_name_pairs.csv", encoding="utf-8") as fh:
        for line in fh:
            if line.strip() and not line.startswith("#"):
                q, target, *_ = line.rstrip("\n").split(",")
                pairs.append((q, target))
    index = NameIndex([EntityRecord(f"x:{i}", "person", [t]) for i, (_, t) in enumerate(pairs)], "person")
    rows = []
    for i, (q, t) in enumerate(pairs):
        res = index.screen(q, threshold=0.0, limit=1)
        rows.append((q, t, bool(res) and res[0].entity_id == f"x:{i}", res[0].score if res else 0.0))
    return {"pairs": len(pairs), "recall_at_1": sum(r[2] for r in rows) / len(rows),
            "recall_at_threshold": sum(1 for r in rows if r[2] and r[3] >= SCREEN_THRESHOLD) / len(rows), "rows": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    index, recs = ror_index(args.data)
    out = {
        "springer": affiliation_eval(args.data, index, "dataset_affiliations_springer_2023_10_31.jsonl", "ror_ids"),
        "names": affiliation_eval(args.data, index, "dataset_names.jsonl", "ror-id"),
        "lists": list_alias_eval(args.data, recs),
        "yente_un": yente_eval(args.data),
        "cross_script": cross_script_eval(args.data),
        "thresholds": {"org": ORG_THRESHOLD, "screen": SCREEN_THRESHOLD},
    }
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return
    s, n, li, y, x = out["springer"], out["names"], out["lists"], out["yente_un"], out["cross_script"]
    print(f"ROR index: {len(index)} organizations, {index.name_count} names; thresholds {out['thresholds']}\n")
    print("| evaluation | n | precision | recall | abstention / FP | other |")
    print("|---|---|---|---|---|---|")
    for label, r in (("affiliation→ROR, Springer strings", s), ("affiliation→ROR, names set", n)):
        print(f"| {label} | {r['strings']} ({r['gold_in_index']} gold in index) | {r['precision']:.3f} | {r['recall']:.3f} | abstain {r['abstention']:.3f} | {r['per_s']:.0f} strings/s |")
    print(f"| list aliases, all other names indexed (leave-one-out recall@1) | {li['alias_queries']} | | {li['recall_at_1_leave_one_out']:.3f} | | |")
    print(f"| list aliases → primary name only (recall@1) | {li['alias_queries']} queries, {li['entries']} entries | | {li['recall_at_1']:.3f} | FP {li['fp_rate']:.4f} ({li['false_positives']}/{li['ror_negatives']} ROR names on no list) | " + ", ".join(f"{k} {v:.2f}" for k, v in li["by_list"].items()) + " |")
    print(f"| list aliases → primary name, top candidate at any score (recall@1) | {li['alias_queries']} | | {li['recall_at_1_any_score']:.3f} | | |")
    print(f"| list aliases sharing a word, an acronym or two Han characters with the indexed name (bound for name matching) | {li['alias_queries']} | | ≤ {li['name_matching_bound']:.3f} | | |")
    print(f"| yente UN treated→untreated (recall@1) | {y['pairs']} | | {y['recall_at_1_any']:.3f} (any score), {y['recall_at_1_threshold']:.3f} (≥ threshold) | | |")
    print(f"| cross-script pairs (recall@1) | {x['pairs']} | | {x['recall_at_1']:.3f} (any score), {x['recall_at_threshold']:.3f} (≥ threshold) | | |")
    print("\nlist-alias recall@1 by kind of alias: " + ", ".join(f"{k} {v}" for k, v in li["by_alias_kind"].items()))
    print("\nscore calibration on the Springer strings (top candidate per string, returned or not):")
    print("| score bin | n | share correct |\n|---|---|---|")
    for b, v in s["calibration"].items():
        print(f"| {b} | {v['n']} | {v['precision']:.3f} |" if v["precision"] is not None else f"| {b} | 0 | – |")
    print("\nlist-alias misses (sample):")
    for a, b in li["misses"]:
        print(f"  {a!r} -> expected {b!r}")
    print("\ncross-script pairs:")
    for q, t, ok, sc in x["rows"]:
        print(f"  {'ok ' if ok else 'MISS'} {q} -> {t} ({sc:.2f})")


if __name__ == "__main__":
    main()

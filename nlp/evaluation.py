"""Fact-level scoring of the extractor against the gold facts of tests/data/disclosures.

Used by bench/nlp_eval.py (the report) and by the test suite (the acceptance check). See
bench/nlp_eval.py for the evaluation key and the caveat about a self-written development set.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from nlp.facts import RELATIONS
from nlp.gazetteer import Gazetteer, build_gazetteer, normalize_name, seed_entries, shared_data_entries

REPO = Path(__file__).resolve().parent.parent
DEV = REPO / "tests" / "data" / "disclosures"
SHARED = REPO.parent / "shared" / "data" if (REPO.parent / "shared" / "data").is_dir() else Path("/work/shared/data")


def eval_gazetteer() -> Gazetteer:
    """The gazetteer the graph would give after ingesting the shared data: seeds, ROR, lists."""
    return build_gazetteer(seed_entries(), shared_data_entries(SHARED))


def org_matches(gold: str, pred_text: str, pred_entry: str | None, gaz: Gazetteer) -> bool:
    g, p = normalize_name(gold), normalize_name(pred_text)
    if g == p or (min(len(g), len(p)) >= 4 and (g in p or p in g)):
        return True
    entry = gaz.lookup(gold)
    if entry is not None and pred_entry is not None and entry.id == pred_entry:
        return True
    if pred_entry is not None and pred_entry in gaz.entries:
        return any(normalize_name(n) == g for n in gaz.entries[pred_entry].names)
    return False


def score_document(gold_facts: list[dict], pred_facts: list, gaz: Gazetteer):
    """(matched pairs, unmatched gold, unmatched predictions)."""
    unmatched_pred = list(pred_facts)
    matched, missed = [], []
    for g in gold_facts:
        hit = None
        for p in unmatched_pred:
            if (
                p.relation == g["relation"]
                and p.key_role == g["role"]
                and p.year == g["year"]
                and org_matches(g["org"], p.org.name, p.org.entry_id, gaz)
            ):
                hit = p
                break
        if hit is None:
            missed.append(g)
        else:
            unmatched_pred.remove(hit)
            matched.append((g, hit))
    return matched, missed, unmatched_pred


def prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3)}


def evaluate_dev(reader, gaz: Gazetteer, verbose: bool = False, holdout: bool = False) -> dict:
    """Scores on the development set (en/, ja/) or, with ``holdout``, on holdout/ (written after
    tuning and never tuned on; the language is the file-name prefix)."""
    from ingest.disclosure import extract_text

    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    subjects = defaultdict(lambda: [0, 0])
    folders = [(lang, DEV / "holdout") for lang in ("en", "ja")] if holdout else [(lang, DEV / lang) for lang in ("en", "ja")]
    for lang, folder in folders:
        for gold_path in sorted(folder.glob(f"{lang}*.gold.json")):
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
            doc_path = next(p for p in gold_path.parent.glob(gold_path.name.replace(".gold.json", ".*")) if not p.name.endswith(".gold.json"))
            text = extract_text(doc_path.name, doc_path.read_bytes())
            analysis = reader.read(text)
            matched, missed, extra = score_document(gold["facts"], analysis.facts, gaz)
            subjects[lang][0] += 1
            subjects[lang][1] += int(bool(analysis.subject_name) and normalize_name(analysis.subject_name) == normalize_name(gold["subject"]))
            for g, _ in matched:
                counts[(lang, g["relation"])][0] += 1
            for p in extra:
                counts[(lang, p.relation)][1] += 1
            for g in missed:
                counts[(lang, g["relation"])][2] += 1
            if verbose and (missed or extra):
                print(f"--- {doc_path.name}")
                for g in missed:
                    print("   MISS", g)
                for p in extra:
                    print("   EXTRA", p.relation, p.org.name, p.key_role, p.year, "|", p.relation_cue)
    report: dict = {"by_language": {}, "by_relation": {}, "subjects": {}}
    for lang in ("en", "ja"):
        tot = [sum(counts[(lang, r)][i] for r in RELATIONS) for i in range(3)]
        report["by_language"][lang] = prf(*tot)
        report["by_relation"][lang] = {r: prf(*counts[(lang, r)]) for r in RELATIONS}
        report["subjects"][lang] = f"{subjects[lang][1]}/{subjects[lang][0]}"
    return report

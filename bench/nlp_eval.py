"""Evaluate disclosure extraction on the development set, and org/person NER on public sets.

    PYTHONPATH=$PWD .venv/bin/python bench/nlp_eval.py [--ner] [--ner-limit N] [--json]

Fact level: a predicted fact counts as correct when relation, organization, role slot and year
all equal a gold fact (one-to-one). The role slot is the normalized role for AFFILIATED_WITH and
ADVISES, PI/co-PI for FUNDED_BY, the contract kind for PARTY_TO, and empty for PARTICIPATES_IN;
the year is the first year the text gives for the fact. Organizations match when their normalized
names are equal, one contains the other, or the gazetteer maps both to the same graph entry.

Caveat, stated on purpose: the development set is written by the same team as the extractor;
the gold facts were written before the text, but the figures are optimistic for unseen forms.

NER (--ner): Stockmark Japanese Wikipedia NER (organization = 法人名, 政治的組織名, その他の組織名;
person = 人名) and CrossNER English (organisation/university/politicalparty; person/scientist/
researcher/politician/writer), exact span match, plain model vs model + gazetteer.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from nlp.facts import RELATIONS  # noqa: E402
from nlp.gazetteer import Gazetteer, build_gazetteer, normalize_name, seed_entries, shared_data_entries  # noqa: E402

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


# -- NER sanity check --------------------------------------------------------------------------------

STOCKMARK_ORG = {"法人名", "政治的組織名", "その他の組織名"}
CROSSNER_ORG = {"organisation", "university", "politicalparty"}
CROSSNER_PER = {"person", "scientist", "researcher", "politician", "writer"}


def _ner_prf(gold: list[set], pred: list[set]) -> dict:
    tp = sum(len(g & p) for g, p in zip(gold, pred))
    fp = sum(len(p - g) for g, p in zip(gold, pred))
    fn = sum(len(g - p) for g, p in zip(gold, pred))
    return prf(tp, fp, fn)


def evaluate_stockmark(gaz: Gazetteer, limit: int | None) -> dict:
    from nlp.pipeline import build_pipeline

    nlp = build_pipeline("ja", gaz)
    ner_labels = set(nlp.get_pipe("kizuna_org_gazetteer").org_labels)
    rows = [json.loads(line) for line in (SHARED / "ner_japanese_stockmark" / "stockmark_ner_wikipedia_v2.jsonl").open(encoding="utf-8")]
    rows = rows[:limit] if limit else rows
    gold_org, gold_per, plain_org, gaz_org, plain_per = [], [], [], [], []
    with nlp.select_pipes(enable=["tok2vec", "parser", "ner", "kizuna_org_gazetteer"]):
        for row, doc in zip(rows, nlp.pipe((r["text"] for r in rows), batch_size=64)):
            gold_org.append({tuple(e["span"]) for e in row["entities"] if e["type"] in STOCKMARK_ORG})
            gold_per.append({tuple(e["span"]) for e in row["entities"] if e["type"] == "人名"})
            state = doc._.kizuna
            # plain: what GiNZA's NER said before the gazetteer (kept on the doc as the NER view)
            plain = {(o.start, o.end) for o in state["plain_orgs"]}
            plain_org.append(plain)
            gaz_org.append({(o.start, o.end) for o in state["orgs"] if o.label == "ORG" or o.label == "TALENT"})
            plain_per.append({(e.start_char, e.end_char) for e in doc.ents if e.label_ == "Person"})
    del ner_labels
    return {
        "sentences": len(rows),
        "org_plain_ginza": _ner_prf(gold_org, plain_org),
        "org_with_gazetteer": _ner_prf(gold_org, gaz_org),
        "person_after_gazetteer": _ner_prf(gold_per, plain_per),
    }


def _conll(path: Path):
    tokens, labels = [], []
    for line in path.open(encoding="utf-8"):
        line = line.rstrip("\n")
        if not line.strip():
            if tokens:
                yield tokens, labels
            tokens, labels = [], []
            continue
        parts = line.split("\t")
        tokens.append(parts[0])
        labels.append(parts[-1])
    if tokens:
        yield tokens, labels


def _bio_spans(tokens: list[str], labels: list[str], wanted: set[str]) -> set:
    offsets, pos = [], 0
    for t in tokens:
        offsets.append((pos, pos + len(t)))
        pos += len(t) + 1
    spans, start, kind = set(), None, None
    for i, lab in enumerate(labels + ["O"]):
        if lab.startswith("B-") or lab == "O" or (lab.startswith("I-") and lab[2:] != kind):
            if start is not None and kind in wanted:
                spans.add((offsets[start][0], offsets[i - 1][1]))
            start, kind = (i, lab[2:]) if lab != "O" else (None, None)
    return spans


def evaluate_crossner(gaz: Gazetteer, limit: int | None) -> dict:
    from nlp.pipeline import build_pipeline

    nlp = build_pipeline("en", gaz)
    out = {}
    for name in ("crossner_science_test.txt", "crossner_ai_test.txt", "crossner_politics_test.txt"):
        sents = list(_conll(SHARED / "ner_english" / name))[: limit or None]
        texts = [" ".join(t) for t, _ in sents]
        gold_org = [_bio_spans(t, l, CROSSNER_ORG) for t, l in sents]
        gold_per = [_bio_spans(t, l, CROSSNER_PER) for t, l in sents]
        plain_org, gaz_org, per = [], [], []
        with nlp.select_pipes(enable=["tok2vec", "ner", "kizuna_org_gazetteer"]):
            for doc in nlp.pipe(texts, batch_size=64):
                state = doc._.kizuna
                plain_org.append({(o.start, o.end) for o in state["plain_orgs"]})
                gaz_org.append({(o.start, o.end) for o in state["orgs"]})
                per.append({(e.start_char, e.end_char) for e in doc.ents if e.label_ == "PERSON"})
        out[name] = {
            "sentences": len(sents),
            "org_plain": _ner_prf(gold_org, plain_org),
            "org_with_gazetteer": _ner_prf(gold_org, gaz_org),
            "person": _ner_prf(gold_per, per),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ner", action="store_true", help="also run the Stockmark and CrossNER NER sanity check")
    parser.add_argument("--ner-limit", type=int, default=None, help="evaluate only the first N sentences of each NER set")
    parser.add_argument("--verbose", action="store_true", help="print the misses and extras of every document")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args()
    from nlp.pipeline import DisclosureReader

    started = time.time()
    gaz = eval_gazetteer()
    reader = DisclosureReader(gaz)
    report = {
        "gazetteer_entries": len(gaz),
        "facts": evaluate_dev(reader, gaz, args.verbose and not args.json),
        "facts_holdout": evaluate_dev(reader, gaz, args.verbose and not args.json, holdout=True),
    }
    if args.ner:
        report["ner_stockmark_ja"] = evaluate_stockmark(gaz, args.ner_limit)
        report["ner_crossner_en"] = evaluate_crossner(gaz, args.ner_limit)
    report["seconds"] = round(time.time() - started, 1)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    for title, key in (("development set", "facts"), ("hold-out set (never tuned on)", "facts_holdout")):
        print(f"== {title}")
        _print_facts(report[key])
    if args.ner:
        print(json.dumps({k: report[k] for k in ("ner_stockmark_ja", "ner_crossner_en")}, indent=1))
    print(f"seconds: {report['seconds']}")


def _print_facts(facts: dict) -> None:
    for lang in ("en", "ja"):
        t = facts["by_language"][lang]
        print(f"[{lang}] fact-level P={t['precision']:.3f} R={t['recall']:.3f} F1={t['f1']:.3f}  (tp {t['tp']}, fp {t['fp']}, fn {t['fn']})  subjects {facts['subjects'][lang]}")
        for rel, v in facts["by_relation"][lang].items():
            print(f"    {rel:16s} P={v['precision']:.3f} R={v['recall']:.3f} F1={v['f1']:.3f}  (tp {v['tp']}, fp {v['fp']}, fn {v['fn']})")


if __name__ == "__main__":
    main()

"""Evaluate disclosure extraction on the development set, and org/person NER on public sets.

    PYTHONPATH=$PWD .venv/bin/python bench/nlp_eval.py [--ner] [--ner-limit N] [--json]

Fact level: a predicted fact counts as correct when relation, organization, role slot and year
all equal a gold fact (one-to-one). The role slot is the normalized role for AFFILIATED_WITH and
ADVISES, PI/co-PI for FUNDED_BY, the contract kind for PARTY_TO, and empty for PARTICIPATES_IN;
the year is the first year the text gives for the fact. Organizations match when their normalized
names are equal, one contains the other, or the gazetteer maps both to the same graph entry.

Caveat, stated on purpose: the development set is written by the same team as the extractor;
the gold facts were written before the text, but the figures are optimistic for unseen forms.

NER (--ner): Stockmark Japanese Wikipedia NER and CrossNER English, entity-level exact-span
micro P/R/F1 (a predicted span counts only when its start and end equal a gold span of the
wanted types; every other prediction is a false positive). Stockmark organization = its three
organization types 法人名 (companies and other corporate bodies), 政治的組織名 (governments,
ministries, parties, armed forces) and その他の組織名 (associations, teams, bands, schools'
organizations); its 施設名 (facilities) and 地名 are not organizations. "Plain" = GiNZA's
entities under ENE's Organization branch; "with gazetteer" = the organizations the Japanese
pipeline's kizuna_org_gazetteer component outputs (gazetteer names, then organization-name
shapes, then GiNZA's organizations, then names next to organization cues, with token boundary
rules; anaphora such as 同社 excluded). The span rules were developed on the even-numbered
sentences; the odd-numbered half is reported as held out. Person = 人名. CrossNER:
organisation/university/politicalparty; person/scientist/researcher/politician/writer.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from nlp.evaluation import eval_gazetteer, evaluate_dev, prf  # noqa: E402
from nlp.gazetteer import Gazetteer  # noqa: E402

SHARED = REPO.parent / "shared" / "data" if (REPO.parent / "shared" / "data").is_dir() else Path("/work/shared/data")


# -- NER sanity check --------------------------------------------------------------------------------

STOCKMARK_ORG = {"法人名", "政治的組織名", "その他の組織名"}
CROSSNER_ORG = {"organisation", "university", "politicalparty"}
CROSSNER_PER = {"person", "scientist", "researcher", "politician", "writer"}


def _ner_prf(gold: list[set], pred: list[set]) -> dict:
    tp = sum(len(g & p) for g, p in zip(gold, pred))
    fp = sum(len(p - g) for g, p in zip(gold, pred))
    fn = sum(len(g - p) for g, p in zip(gold, pred))
    return prf(tp, fp, fn)


# GiNZA (ENE) labels under "Organization": the plain model's organizations for this check.
GINZA_ORG_LABELS = {
    "Organization_Other", "International_Organization", "Show_Organization", "Sports_Organization_Other",
    "Pro_Sports_Organization", "Sports_League", "Corporation_Other", "Company", "Company_Group",
    "Political_Organization_Other", "Government", "Political_Party", "Cabinet", "Military",
}


def evaluate_stockmark(gaz: Gazetteer, limit: int | None) -> dict:
    from nlp.pipeline import build_pipeline

    nlp = build_pipeline("ja", gaz)
    rows = [json.loads(line) for line in (SHARED / "ner_japanese_stockmark" / "stockmark_ner_wikipedia_v2.jsonl").open(encoding="utf-8")]
    rows = rows[:limit] if limit else rows
    gold_org, gold_per, plain_org, gaz_org, plain_per = [], [], [], [], []
    with nlp.select_pipes(enable=["tok2vec", "parser", "ner", "kizuna_org_gazetteer"]):
        for row, doc in zip(rows, nlp.pipe((r["text"] for r in rows), batch_size=64)):
            gold_org.append({tuple(e["span"]) for e in row["entities"] if e["type"] in STOCKMARK_ORG})
            gold_per.append({tuple(e["span"]) for e in row["entities"] if e["type"] == "人名"})
            state = doc._.kizuna
            plain_org.append({(s, e) for s, e, label in state["plain_all"] if label in GINZA_ORG_LABELS})
            gaz_org.append({(o.start, o.end) for o in state["orgs"] if o.source != "anaphora"})
            plain_per.append({(e.start_char, e.end_char) for e in doc.ents if e.label_ == "Person"})
    report = {"sentences": len(rows)}
    for part, sl in (("full", slice(None)), ("dev_half_even", slice(0, None, 2)), ("heldout_half_odd", slice(1, None, 2))):
        report[part] = {
            "org_plain_ginza": _ner_prf(gold_org[sl], plain_org[sl]),
            "org_with_gazetteer": _ner_prf(gold_org[sl], gaz_org[sl]),
        }
    report["person_after_gazetteer"] = _ner_prf(gold_per, plain_per)
    return report


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

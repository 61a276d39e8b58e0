"""Assemble the English and Japanese pipelines from nlp/configs/*.cfg and read whole documents.

A document is split into blocks of one language (nlp.lang); each block goes through its
language's pipeline (batched with ``nlp.pipe``); facts come back with offsets in the whole
document, section headings applied across blocks, duplicates folded.
"""

from __future__ import annotations

import importlib
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language

import nlp.components  # noqa: F401  (registers the factories)
from nlp.components import kizuna_state
from nlp.facts import RELATIONS, Fact
from nlp.gazetteer import Gazetteer, normalize_name, seed_entries
from nlp.lang import blocks

CONFIGS = Path(__file__).resolve().parent / "configs"
_SUBJECT = re.compile(
    r"^\s*(?:name|full\s+name|researcher|applicant|declarant|name\s+of\s+(?:researcher|applicant|declarant)|"
    r"氏名|申告者|研究者氏名|氏\s*名|お名前)\s*[:：]\s*(.+?)\s*$",
    re.I | re.M,
)


def load_base(names: list[str]) -> Language:
    """The first importable model package among ``names`` (official weights preferred)."""
    errors = []
    for name in names:
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            errors.append(f"{name}: {exc}")
            continue
        return module.load()
    raise RuntimeError("no spaCy model available: " + "; ".join(errors))


def build_pipeline(lang: str, gazetteer: Gazetteer | None = None) -> Language:
    """The pipeline for ``lang`` as its config file describes it, with ``gazetteer`` in use."""
    config = spacy.util.load_config(CONFIGS / f"{lang}.cfg", interpolate=True)
    nlp = load_base(list(config["kizuna"]["base"]))
    for name in config["kizuna"]["pipeline"]:
        settings = dict(config["components"][name])
        factory = settings.pop("factory")
        nlp.add_pipe(factory, name=name, config=settings)
    if gazetteer is not None:
        nlp.get_pipe("kizuna_org_gazetteer").use(gazetteer)
    return nlp


@dataclass
class DocumentAnalysis:
    """What one document says: its language blocks, the person it is about, and its facts."""

    text: str
    languages: list[str]
    subject_name: str | None
    facts: list[Fact] = field(default_factory=list)
    unread: list[tuple[int, int]] = field(default_factory=list)  # spans that are not prose (nlp.lang.MAX_UNBROKEN), not analysed


class DisclosureReader:
    """Holds both pipelines (load once per process: loading GiNZA takes seconds).

    Thread-safe: the API reads uploads in worker threads (never on the event loop), and spaCy
    pipelines and their memory zones are not made for concurrent use, so one read (or gazetteer
    swap) runs at a time."""

    def __init__(self, gazetteer: Gazetteer | None = None, langs: Iterable[str] = ("en", "ja")):
        self.gazetteer = gazetteer or Gazetteer(seed_entries())
        self.pipelines = {lang: build_pipeline(lang, self.gazetteer) for lang in langs}
        self._lock = threading.RLock()

    def use_gazetteer(self, gazetteer: Gazetteer) -> None:
        with self._lock:
            self.gazetteer = gazetteer
            for nlp in self.pipelines.values():
                nlp.get_pipe("kizuna_org_gazetteer").use(gazetteer)

    def read(self, text: str, gazetteer: Gazetteer | None = None) -> DocumentAnalysis:
        """One document; with ``gazetteer``, read with that gazetteer (swapped in under the same
        lock, so a concurrent run with another gazetteer cannot change it mid-read)."""
        with self._lock:
            if gazetteer is not None and gazetteer is not self.gazetteer:
                self.use_gazetteer(gazetteer)
            return next(self.read_many([text]))

    def read_many(self, texts: Iterable[str], batch_size: int = 32) -> Iterator[DocumentAnalysis]:
        """Documents in, analyses out, in order. Each batch runs inside spaCy memory zones so that
        strings interned for one batch are freed: memory stays flat over long runs."""
        batch: list[str] = []
        for text in texts:
            batch.append(text)
            if len(batch) >= batch_size:
                yield from self._read_batch(batch)
                batch = []
        if batch:
            yield from self._read_batch(batch)

    def _read_batch(self, texts: list[str]) -> list[DocumentAnalysis]:
        with self._lock:
            return self._read_batch_locked(texts)

    def _read_batch_locked(self, texts: list[str]) -> list[DocumentAnalysis]:
        per_doc = [blocks(t) for t in texts]
        results: dict[tuple[int, int], dict] = {}
        for lang, nlp in self.pipelines.items():
            jobs = [(i, j, texts[i][b.start : b.end]) for i, bl in enumerate(per_doc) for j, b in enumerate(bl) if b.pipeline == lang]
            if not jobs:
                continue
            with nlp.memory_zone():
                for (i, j, _), doc in zip(jobs, nlp.pipe((t for _, _, t in jobs), batch_size=64)):
                    state = kizuna_state(doc)
                    results[(i, j)] = {"facts": state["facts"], "headings": state["headings"], "persons": state["persons"]}
        return [self._assemble(texts[i], per_doc[i], [results.get((i, j)) for j in range(len(per_doc[i]))]) for i in range(len(texts))]

    def _assemble(self, text: str, doc_blocks: list, block_results: list[dict | None]) -> DocumentAnalysis:
        facts: list[Fact] = []
        heading: str | None = None
        persons: list[str] = []
        for block, result in zip(doc_blocks, block_results):
            if result is None:
                continue
            persons.extend(result["persons"])
            events = [(pos, 0, rel) for pos, rel in result["headings"]] + [(f.start, 1, f) for f in result["facts"]]
            for pos, kind, item in sorted(events, key=lambda e: (e[0], e[1])):
                if kind == 0:
                    heading = item
                    continue
                fact: Fact = item
                _shift(fact, block.start, text)
                if not fact.relation:
                    if heading not in RELATIONS:
                        continue
                    fact.relation, fact.relation_cue = heading, "section"
                    fact.confidence = 0.6
                facts.append(fact)
        languages = list(dict.fromkeys(b.lang for b in doc_blocks if b.lang != "und"))
        unread = [(b.start, b.end) for b in doc_blocks if b.pipeline is None]
        return DocumentAnalysis(text, languages, _subject(text, persons), _dedupe(facts), unread)


def _shift(fact: Fact, offset: int, text: str) -> None:
    fact.start += offset
    fact.end += offset
    fact.org.start += offset
    fact.org.end += offset
    fact.text = text[fact.start : fact.end]
    fact.org.text = text[fact.org.start : fact.org.end]


def _subject(text: str, persons: list[str]) -> str | None:
    m = _SUBJECT.search(text[:2000])
    if m:
        return re.split(r"\s{2,}|[（(]|\s+[|/]\s+", m.group(1))[0].strip() or None
    return persons[0] if persons else None


def org_key(fact: Fact) -> str:
    return fact.org.entry_id or normalize_name(fact.org.text)


def _dedupe(facts: list[Fact]) -> list[Fact]:
    seen: dict[tuple, Fact] = {}
    for fact in facts:
        key = (fact.relation, org_key(fact), fact.key_role, fact.year)
        if key not in seen:
            seen[key] = fact
    return list(seen.values())


_DEFAULT_READER_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _default_reader() -> DisclosureReader:
    return DisclosureReader()


def default_reader() -> DisclosureReader:
    """One reader per process (the CLI and the API share it). The lock makes two uploads arriving
    together in a fresh API process load the pipelines once, not twice at the same time."""
    with _DEFAULT_READER_LOCK:
        return _default_reader()

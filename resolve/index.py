"""An in-memory name index and matcher for organizations and persons.

Why in memory: resolution and screening compare a name with every known name in every script;
doing that in Cypher is slow and hard to explain. The index is built from plain records
(``EntityRecord``), so the same code serves the graph (resolve.graph_io loads records from Neo4j),
the evaluation harness (records read straight from the data files) and the tests.

Matching order: identifiers first (equal -> same, conflicting -> excluded), then blocking on name
tokens (a cheap inverted index: whole tokens plus 4-character prefixes and suffixes, so one typo
still finds its block), a fast rapidfuzz pass over the block, and a finer second pass with context
features on the survivors. Every candidate carries a per-feature explanation.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from resolve.identifiers import compare as compare_ids
from resolve.identifiers import normalize_identifiers
from resolve.normalize import (
    PARENTHESES,
    OrgName,
    PersonName,
    acronym_key,
    clean,
    derived_acronyms,
    has_cjk,
    is_acronym,
    org_name,
    person_name,
    person_name_forms,
    person_names_compatible,
    to_latin,
)

ORG_THRESHOLD = 0.85
PERSON_THRESHOLD = 0.80
# A second candidate this close to the best one makes the answer ambiguous (reported, not guessed).
AMBIGUITY_MARGIN = 0.04

_MAX_BLOCK = 400  # candidates kept after blocking
_COMMON_KEY_SHARE = 0.02  # blocking keys on more than this share of names are skipped if others exist


@dataclass
class EntityRecord:
    """What the index needs about one entity.

    ``context`` for organizations: ``city``, ``country`` (ISO code or name), ``parents`` (ids or
    names), ``types``. For persons: ``affiliations`` (org ids or names), ``coauthors`` (person ids or
    names), ``years`` (ints). Person nationality, ethnicity or name origin are never context.
    """

    entity_id: str
    kind: str
    names: list[str]
    identifiers: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)
    acronyms: list[str] = field(default_factory=list)
    label: str = ""

    @property
    def display_name(self) -> str:
        return self.label or (self.names[0] if self.names else self.entity_id)


@dataclass
class Query:
    text: str
    kind: str = "org"
    identifiers: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)


@dataclass
class Candidate:
    entity_id: str
    name: str
    matched_name: str
    score: float
    features: dict[str, dict[str, Any]]
    identifiers: dict[str, list[str]]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class MatchResult:
    """``status``: match (one clear best above threshold), ambiguous (several close; none chosen),
    insufficient (persons: name-compatible candidates without corroboration), no_match."""

    query: str
    kind: str
    status: str
    best: Candidate | None
    candidates: list[Candidate]

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "kind": self.kind,
            "status": self.status,
            "match": self.best.as_dict() if self.best else None,
            "candidates": [c.as_dict() for c in self.candidates],
        }


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def _blocking_keys(tokens: Iterable[str]) -> set[str]:
    keys = set()
    for tok in tokens:
        if len(tok) < 2:
            continue
        keys.add(tok)
        if len(tok) >= 6:
            keys.add("<" + tok[:4])
            keys.add(tok[-4:] + ">")
    return keys


def _country_key(value: str | None) -> str:
    return clean(value or "")


class NameIndex:
    """Names of one kind of entity ("org" or "person"), ready for matching."""

    def __init__(self, records: Iterable[EntityRecord], kind: str = "org"):
        if kind not in ("org", "person"):
            raise ValueError("kind must be 'org' or 'person'")
        self.kind = kind
        self.records: list[EntityRecord] = []
        self.record_ids: list[dict[str, frozenset[str]]] = []
        self.by_id: dict[str, int] = {}
        self.entry_record: list[int] = []
        self.entry_norm: list[OrgName | PersonName] = []
        self.entry_key: list[str] = []
        self.exact: dict[str, list[int]] = defaultdict(list)
        self.compact: dict[str, list[int]] = defaultdict(list)
        self.reordered: dict[str, list[int]] = defaultdict(list)
        self.han: dict[str, list[int]] = defaultdict(list)
        self.acronyms: dict[str, dict[int, str]] = defaultdict(dict)
        self.block: dict[str, list[int]] = defaultdict(list)
        self.identifier: dict[tuple[str, str], set[int]] = defaultdict(set)
        self._arrays: dict[int, np.ndarray] = {}
        for rec in records:
            self.add(rec)

    def _is_generic(self, name: str) -> bool:
        """True for names such as "National Institute of Technology" or "Ministry of Health":
        made of generic words only, so the name alone names many organizations."""
        if is_acronym(name):
            return False
        return not org_name(name).core

    def __len__(self) -> int:
        return len(self.records)

    @property
    def name_count(self) -> int:
        return len(self.entry_key)

    def add(self, rec: EntityRecord) -> None:
        if rec.entity_id in self.by_id:
            return
        r = len(self.records)
        self.records.append(rec)
        ids = normalize_identifiers(rec.identifiers)
        self.record_ids.append(ids)
        self.by_id[rec.entity_id] = r
        for scheme, values in ids.items():
            for v in values:
                self.identifier[(scheme, v)].add(r)
        seen: set[str] = set()
        names = []
        for name in rec.names:
            if not name or not name.strip():
                continue
            names.append(name)
            inner = [m.strip("()（） ") for m in PARENTHESES.findall(name)]
            bare = PARENTHESES.sub("", name).strip()
            # "Ummah Tameer E-Nau (UTN)", "Anhui University (安徽大学)": two names written as one
            if self.kind == "org" and inner and bare and (
                all(is_acronym(x) for x in inner) or all(_other_script_name(x, bare) for x in inner)
            ):
                names.extend(inner)
                names.append(bare)
        for name in names:
            if self.kind == "org" and is_acronym(name):
                self.acronyms[acronym_key(name)].setdefault(r, "alias")
                if name != rec.label:
                    continue  # an acronym alias is ambiguous; only a record called so (RIKEN) is indexed by it
            for norm in [org_name(name)] if self.kind == "org" else person_name_forms(name):
                if norm.key and norm.key not in seen:
                    seen.add(norm.key)
                    self._add_entry(r, name, norm)
        for acr in rec.acronyms if self.kind == "org" else ():
            if acr:
                self.acronyms[acronym_key(acr)][r] = "alias"

    def _add_entry(self, r: int, name: str, norm: OrgName | PersonName) -> None:
        e = len(self.entry_key)
        self.entry_record.append(r)
        self.entry_norm.append(norm)
        self.entry_key.append(norm.key)
        self.exact[norm.key].append(e)
        self.compact["".join(norm.tokens)].append(e)
        for key in _blocking_keys(norm.tokens):
            self.block[key].append(e)
        if isinstance(norm, OrgName):
            self.reordered[norm.sorted_key].append(e)
            if norm.han:
                self.han[norm.han].append(e)
            for acr in derived_acronyms(name):
                self.acronyms[acr].setdefault(r, "derived")

    # -- candidate generation -------------------------------------------------------------------

    def _block(self, tokens: tuple[str, ...], core: str) -> list[int]:
        keys = _blocking_keys(core.split() if core else tokens)
        if not keys:
            keys = _blocking_keys(tokens)
        limit = max(50, int(_COMMON_KEY_SHARE * max(1, self.name_count)))
        postings = [self.block[k] for k in keys if k in self.block]
        specific = [p for p in postings if len(p) <= limit]
        chosen = specific or sorted(postings, key=len)[:1]
        if not chosen:
            return []
        if len(chosen) == 1:
            return chosen[0][:_MAX_BLOCK]
        if sum(map(len, chosen)) <= _MAX_BLOCK:
            return list(set().union(*chosen))
        # entries sharing the most blocking keys first (counted in numpy: this is the hot loop)
        entries, counts = np.unique(np.concatenate([self._posting_array(p) for p in chosen]), return_counts=True)
        if len(entries) > _MAX_BLOCK:
            top = np.argpartition(-counts, _MAX_BLOCK)[:_MAX_BLOCK]
            entries = entries[top]
        return entries.tolist()

    def _posting_array(self, posting: list[int]) -> np.ndarray:
        key = id(posting)
        cached = self._arrays.get(key)
        if cached is None or len(cached) != len(posting):
            cached = self._arrays[key] = np.fromiter(posting, dtype=np.int32, count=len(posting))
        return cached

    def _name_candidates(self, text: str, *, screening: bool = False) -> dict[int, tuple[float, str, str]]:
        """record -> (name similarity 0..100, matched name, how) — the best over its names."""
        out: dict[int, tuple[float, str, str]] = {}

        def offer(r: int, sim: float, name: str, how: str) -> None:
            if r not in out or sim > out[r][0]:
                out[r] = (sim, name, how)

        if self.kind == "org" and is_acronym(text):
            owners = self.acronyms.get(acronym_key(text), {})
            for r, origin in owners.items():
                if screening and len(owners) <= 3:  # screening shows every listed owner of an acronym
                    sim = 95.0 if origin == "alias" else 90.0
                else:
                    sim = (95.0 if origin == "alias" else 90.0) if len(owners) == 1 else 85.0 if origin == "alias" else 80.0
                offer(r, sim, text, f"acronym ({origin}, {len(owners)} owner(s))")
        forms = [org_name(text)] if self.kind == "org" else person_name_forms(text)
        for q in forms:
            if q.key:
                self._form_candidates(q, offer, screening)
        return out

    def _form_candidates(self, q: OrgName | PersonName, offer, screening: bool) -> None:
        for e in self.exact.get(q.key, ()):
            offer(self.entry_record[e], 100.0, self.entry_norm[e].original, "exact normalized name")
        for e in self.compact.get("".join(q.tokens), ()):
            offer(self.entry_record[e], 100.0, self.entry_norm[e].original, "exact normalized name")
        if isinstance(q, OrgName):
            for e in self.reordered.get(q.sorted_key, ()):
                offer(self.entry_record[e], 96.0, self.entry_norm[e].original, "same words, other order")
            if q.han:
                for e in self.han.get(q.han, ()):
                    offer(self.entry_record[e], 100.0, self.entry_norm[e].original, "same Han characters")
        block = self._block(q.tokens, q.core if isinstance(q, OrgName) else "")
        if not block:
            return
        # fast pass: one rapidfuzz call over the whole block
        keys = [self.entry_key[e] for e in block] if len(block) > 1 else [self.entry_key[block[0]]]
        first = process.extract(q.key, keys, scorer=fuzz.ratio, score_cutoff=70, limit=25)
        # finer pass on the survivors
        for _, _, pos in first:
            e = block[pos]
            n = self.entry_norm[e]
            if isinstance(q, OrgName):
                offer(self.entry_record[e], _org_similarity(q, n, lenient=screening), n.original, "fuzzy name")  # type: ignore[arg-type]
            else:
                sim, how = _person_similarity(q, n)  # type: ignore[arg-type]
                if sim:
                    offer(self.entry_record[e], sim, n.original, how)

    # -- matching -------------------------------------------------------------------------------

    def match(self, query: Query, *, threshold: float | None = None, limit: int = 5, exclude: set[str] | None = None) -> MatchResult:
        """Best match for a query, with the ranked candidates and per-feature explanations."""
        threshold = threshold if threshold is not None else (ORG_THRESHOLD if self.kind == "org" else PERSON_THRESHOLD)
        q_ids = normalize_identifiers(query.identifiers)
        name_hits = self._name_candidates(query.text) if query.text and query.text.strip() else {}
        id_hits: set[int] = set()
        for scheme, values in q_ids.items():
            for v in values:
                id_hits |= self.identifier.get((scheme, v), set())
        scored: list[Candidate] = []
        for r in set(name_hits) | id_hits:
            rec = self.records[r]
            if exclude and rec.entity_id in exclude:
                continue
            equal, conflict = compare_ids(q_ids, self.record_ids[r])
            if conflict:
                continue  # conflicting identifiers forbid a match, whatever the names say
            sim, matched, how = name_hits.get(r, (0.0, "", "no name match"))
            if self.kind == "org":
                cand = self._score_org(query, rec, r, sim, matched, how, equal)
            else:
                cand = self._score_person(query, rec, r, sim, matched, how, equal)
            if cand is not None:
                scored.append(cand)
        scored.sort(key=lambda c: (-c.score, c.entity_id))
        scored = scored[:limit]
        return self._decide(query, scored, threshold)

    def _decide(self, query: Query, scored: list[Candidate], threshold: float) -> MatchResult:
        above = [c for c in scored if c.score >= threshold]
        if not above:
            status = "no_match"
            if self.kind == "person" and any(c.features.get("name", {}).get("value") for c in scored):
                status = "insufficient"
            return MatchResult(query.text, self.kind, status, None, scored)
        best = above[0]
        decisive = "identifier" in best.features and best.features["identifier"]["value"]
        if not decisive and len(above) > 1 and above[1].score >= best.score - AMBIGUITY_MARGIN:
            return MatchResult(query.text, self.kind, "ambiguous", None, scored)
        return MatchResult(query.text, self.kind, "match", best, scored)

    def _ids_out(self, r: int) -> dict[str, list[str]]:
        return {k: sorted(v) for k, v in self.record_ids[r].items()}

    def _score_org(self, query: Query, rec: EntityRecord, r: int, sim: float, matched: str, how: str, equal: list[str]) -> Candidate | None:
        features: dict[str, dict[str, Any]] = {}
        z = _org_name_logit(sim)
        features["name"] = {"value": round(sim, 1), "how": how, "matched": matched, "contribution": round(z, 2)}
        ctx = query.context or {}
        rctx = rec.context or {}
        text = " " + clean(to_latin(ctx.get("text") or "")) + " "
        q_country, r_country = _country_key(ctx.get("country")), _country_key(rctx.get("country"))
        if r_country and (q_country or text.strip()):
            if q_country:
                same = q_country == r_country or q_country in _country_aliases(r_country)
                w = 1.2 if same else -6.0
            else:  # free text (an affiliation string): the candidate's country should be named in it
                same = any(f" {a} " in text for a in _country_aliases(r_country))
                w = 1.2 if same else -2.5
            z += w
            features["country"] = {"value": same, "query": ctx.get("country") or "(in text)", "candidate": rctx.get("country"), "contribution": w}
        q_city, r_city = clean(ctx.get("city") or ""), clean(to_latin(rctx.get("city") or ""))
        city_hit = bool(r_city) and (q_city == r_city or f" {r_city} " in text)
        if city_hit or (r_city and q_city):
            w = 1.0 if city_hit else -0.8
        elif r_city and text.strip() and how != "exact normalized name":
            w = -0.7  # a near (not exact) name needs its place to be credible
        else:
            w = 0.0
        if w:
            z += w
            features["city"] = {"value": city_hit, "query": ctx.get("city") or "(in text)", "candidate": rctx.get("city"), "contribution": w}
        if not city_hit:
            if matched and self._is_generic(matched):
                w = -2.5
                z += w
                features["generic_name"] = {"value": True, "note": "name made of common words only; needs the city", "contribution": w}
        q_parent = ctx.get("parent")
        if q_parent and rctx.get("parents"):
            parents = [clean(p) for p in rctx["parents"]]
            hit = clean(q_parent) in parents or org_name(q_parent).key in {org_name(p).key for p in rctx["parents"]}
            w = 1.0 if hit else -0.5
            z += w
            features["parent"] = {"value": hit, "query": q_parent, "candidate": rctx["parents"], "contribution": w}
        q_type = ctx.get("type")
        if q_type and rctx.get("types"):
            hit = clean(q_type) in {clean(t) for t in rctx["types"]}
            w = 0.4 if hit else -0.4
            z += w
            features["type"] = {"value": hit, "query": q_type, "candidate": rctx["types"], "contribution": w}
        if equal:
            features["identifier"] = {"value": True, "schemes": equal, "contribution": "decisive"}
            score = 1.0
        else:
            if sim == 0:
                return None
            score = _sigmoid(z)
        return Candidate(rec.entity_id, rec.display_name, matched, round(score, 4), features, self._ids_out(r))

    def _score_person(self, query: Query, rec: EntityRecord, r: int, sim: float, matched: str, how: str, equal: list[str]) -> Candidate | None:
        features: dict[str, dict[str, Any]] = {}
        features["name"] = {"value": round(sim, 1), "how": how, "matched": matched}
        ctx, rctx = query.context or {}, rec.context or {}
        corroboration = 0.0
        for feat, weight in (("affiliations", 1.6), ("coauthors", 1.6)):
            shared = _shared(ctx.get(feat), rctx.get(feat), org=feat == "affiliations")
            if ctx.get(feat) and rctx.get(feat):
                features[feat] = {"value": bool(shared), "shared": shared, "contribution": weight if shared else 0.0}
                if shared:
                    corroboration += weight
        q_years, r_years = set(ctx.get("years") or []), set(rctx.get("years") or [])
        if q_years and r_years:
            gap = min(abs(a - b) for a in q_years for b in r_years)
            w = 0.3 if gap <= 5 else -0.8
            features["years"] = {"value": gap <= 5, "gap": gap, "contribution": w}
            corroboration += w if corroboration > 0 or w < 0 else 0.0  # years alone never corroborate
        if equal:
            features["identifier"] = {"value": True, "schemes": equal, "contribution": "decisive"}
            return Candidate(rec.entity_id, rec.display_name, matched, 1.0, features, self._ids_out(r))
        if sim == 0:
            return None
        if corroboration <= 0:
            # A name alone never links two persons: cap below any threshold, explain why.
            features["corroboration"] = {"value": False, "note": "name only; needs an identifier, shared affiliation or co-author"}
            score = min(0.5, sim / 200.0)
        else:
            features["corroboration"] = {"value": True, "contribution": round(corroboration, 2)}
            score = _sigmoid(18.0 * (sim / 100.0 - 0.9) + corroboration)
        return Candidate(rec.entity_id, rec.display_name, matched, round(score, 4), features, self._ids_out(r))

    # -- screening ------------------------------------------------------------------------------

    def screen(self, text: str, *, threshold: float = 0.90, limit: int = 10) -> list[Candidate]:
        """Ranked name hits for screening. Unlike ``match`` this never links anything: persons are
        ranked on name alone (with the explanation saying so), which is what screening means."""
        hits = self._name_candidates(text, screening=True)
        out = []
        for r, (sim, matched, how) in hits.items():
            score = sim / 100.0  # screening ranks by name similarity alone, stated as such
            if score < threshold:
                continue
            rec = self.records[r]
            out.append(Candidate(rec.entity_id, rec.display_name, matched, round(score, 4),
                                 {"name": {"value": round(sim, 1), "how": how, "matched": matched}}, self._ids_out(r)))
        out.sort(key=lambda c: (-c.score, c.entity_id))
        return out[:limit]


def _other_script_name(inner: str, outer: str) -> bool:
    """True when a parenthesis holds the same name in another script ("安徽大学" after "Anhui
    University"), not a place or qualifier ("(China)", "(北京)")."""
    if has_cjk(inner) == has_cjk(outer):
        return False
    return len(inner) >= 4 if has_cjk(inner) else len(inner.split()) >= 3


def _org_name_logit(sim: float) -> float:
    """Name similarity to log-odds: exact names start clearly positive; a few edits fall fast,
    because near-identical names of different organizations ("Northwestern" / "Northeastern")
    are far more common in practice than typos."""
    return 30.0 * (sim / 100.0 - 0.94)


def _org_similarity(q: OrgName, n: OrgName, *, lenient: bool = False) -> float:
    """Name similarity (0..100) of two normalized organization names; the distinctive (core)
    tokens must agree too, so "University of Tokyo" and "University of Kyoto" stay apart."""
    if q.key == n.key:
        return 100.0
    full = fuzz.ratio(q.key, n.key)
    if q.core and n.core:
        core = fuzz.ratio(q.core, n.core)
    elif not q.core and not n.core:
        core = full
    else:
        core = 0.0
    # resolution takes the weaker of the two: a typo in a distinctive word and an extra generic
    # word ("University" vs "University of Technology") both lower the similarity. Screening, which
    # must not miss a listed name spelt differently, averages them.
    return (full + core) / 2 if lenient else min(full, core)


def _person_similarity(q: PersonName, n: PersonName) -> tuple[float, str]:
    if q.key == n.key:
        return 100.0, "same name"
    if person_names_compatible(q, n):
        return 93.0, "compatible (initials or middle names)"
    sim = fuzz.token_sort_ratio(q.key, n.key)
    if sim >= 85:
        return float(sim), "similar spelling"
    return 0.0, ""


def _shared(a: Iterable[str] | None, b: Iterable[str] | None, *, org: bool) -> list[str]:
    if not a or not b:
        return []
    norm = (lambda s: org_name(s).key if not s.startswith(("org:", "per:")) else s) if org else (
        lambda s: person_name(s).key if not s.startswith(("org:", "per:")) else s
    )
    right = {norm(x): x for x in b}
    return sorted({right[norm(x)] for x in a if norm(x) in right})


_COUNTRY_ALIASES = {
    "united states": {"usa", "us", "united states of america", "u s a"},
    "united kingdom": {"uk", "gb", "great britain", "england", "scotland", "wales", "northern ireland"},
    "china": {"cn", "pr china", "p r china", "peoples republic of china", "prc"},
    "russia": {"ru", "russian federation"},
    "south korea": {"kr", "korea", "republic of korea"},
    "iran": {"ir", "islamic republic of iran"},
    "japan": {"jp"},
    "taiwan": {"tw"},
    "hong kong": {"hk"},
}


def _country_aliases(country: str) -> set[str]:
    for canonical, aliases in _COUNTRY_ALIASES.items():
        if country == canonical or country in aliases:
            return aliases | {canonical}
    return {country}

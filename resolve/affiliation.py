"""Affiliation strings ("Dept. of Physics, Tsinghua Univ., Beijing 100084, China") to one organization.

Why a separate step: an affiliation string names several things at once (department, institution,
city, country). Matching the whole string against organization names dilutes every score, so the
string is cut at commas and semicolons, each piece (and each pair of neighbouring pieces, for
"University of Wisconsin, Madison") is matched on its own, and the rest of the string serves as
context: a country named in the string must agree with the candidate's country, and the
candidate's city appearing in the string corroborates it.
"""

from __future__ import annotations

import re

from resolve.index import Candidate, MatchResult, NameIndex, Query, _country_aliases
from resolve.normalize import PARENTHESES, clean, is_acronym, to_latin

_SPLIT = re.compile(r"[,;，、；\n]|\s+-\s+")
_DIGITS = re.compile(r"\d")
# where an organization's name ends inside a longer piece ("Michigan State University College of
# Engineering") or starts ("Xinhua Hospital Affiliated to Shanghai Jiao Tong University")
_HEAD_WORDS = re.compile(r"\b(university|universit\w*|hospital|academy of sciences|institute of technology)\b", re.I)
_UNIT_AFTER = re.compile(r"\s+(school|college|faculty|department|graduate|campus)\b", re.I)
_LEAD_IN = re.compile(r"\b(?:at|affiliated to|affiliated with|of the)\s+", re.I)


class AffiliationMatcher:
    """Resolves affiliation strings against an organization ``NameIndex``."""

    def __init__(self, index: NameIndex, *, threshold: float = 0.80):
        if index.kind != "org":
            raise ValueError("affiliation matching needs an organization index")
        self.index = index
        self.threshold = threshold
        countries: set[str] = set()
        for rec in index.records:
            c = clean(rec.context.get("country") or "")
            if c:
                countries |= _country_aliases(c)
        self.countries = countries

    def _is_unit_of(self, child: Candidate, parent: Candidate) -> bool:
        rec = self.index.records[self.index.by_id[child.entity_id]]
        parent_rec = self.index.records[self.index.by_id[parent.entity_id]]
        names = {clean(n) for n in [parent_rec.label, *parent_rec.names]}
        return any(clean(p) in names for p in rec.context.get("parents") or [])

    def _country_in(self, pieces: list[str]) -> str | None:
        for piece in reversed(pieces):
            words = clean(to_latin(piece))
            if words in self.countries:
                return words
            tail = " ".join(w for w in words.split() if not _DIGITS.search(w))
            if tail in self.countries:
                return tail
        return None

    def match(self, text: str) -> MatchResult:
        """One organization for the string, or none. Pieces are matched one by one; when several
        pieces each name an organization (a hospital and its university), the rightmost wins, as
        affiliation strings go from the smallest unit to the largest. Two close candidates for
        the *same* piece make the answer ambiguous, and nothing is returned."""
        pieces = [p.strip() for p in _SPLIT.split(text or "") if p and p.strip()]
        country = self._country_in(pieces)
        segments = []
        for i, p in enumerate(pieces):
            segments.extend((v, i) for v in _variants(p))
        segments += [(f"{a} {b}", i + 1) for i, (a, b) in enumerate(zip(pieces, pieces[1:]))]
        context = {"text": text} if len(pieces) > 1 else {}
        if country:
            context["country"] = country
        matched: list[tuple[int, int, Candidate]] = []
        ambiguous: list[Candidate] = []
        pool: dict[str, Candidate] = {}
        seen: set[str] = set()
        for seg, end in segments:
            key = clean(seg)
            if not key or key in self.countries or key in seen:
                continue
            seen.add(key)
            result = self.index.match(Query(seg, "org", context=context), threshold=self.threshold)
            for cand in result.candidates:
                cand.features["segment"] = {"value": seg}
                if cand.entity_id not in pool or cand.score > pool[cand.entity_id].score:
                    pool[cand.entity_id] = cand
            if result.status == "match" and result.best:
                matched.append((end, len(seg), result.best))
            elif result.status == "ambiguous":
                ambiguous.extend(c for c in result.candidates if c.score >= self.threshold)
        ranked = sorted(pool.values(), key=lambda c: (-c.score, c.entity_id))[:5]
        if matched:
            end, _, best = max(matched, key=lambda m: (m[2].score >= 0.95, m[0], m[1], m[2].score))
            # ... unless that is an umbrella body (an academy, a government agency) and an
            # organization named further left is one of its units (an NIH institute, a RAS institute);
            # a university keeps precedence over its own laboratories and centres
            units = [m[2] for m in matched if m[2].score >= 0.95 and self._is_unit_of(m[2], best)]
            if "education" in (self.index.records[self.index.by_id[best.entity_id]].context.get("types") or []):
                units = []
            if units:
                best = max(units, key=lambda c: c.score)
            return MatchResult(text, "org", "match", best, ranked)
        status = "ambiguous" if ambiguous else "no_match"
        return MatchResult(text, "org", status, None, ranked)


def _variants(piece: str) -> list[str]:
    """The piece itself, without parentheses, its acronym in parentheses, and the organization
    name cut out of a longer unit name."""
    out = [piece]
    inner = [m.strip("()（） ") for m in PARENTHESES.findall(piece)]
    bare = ""
    if inner and all(is_acronym(x) for x in inner):  # "(MIT)", not "(Beijing)"
        bare = PARENTHESES.sub("", piece).strip()
        out.append(bare)
        out.extend(inner)
    for text in (bare or piece,):
        for m in _LEAD_IN.finditer(text):
            out.append(text[m.end():])
        for m in _HEAD_WORDS.finditer(text):
            if _UNIT_AFTER.match(text[m.end():]):
                out.append(text[: m.end()])
    return [v for v in dict.fromkeys(out) if v.strip()]

"""Identifiers first: equal identifiers decide "same", conflicting ones forbid a match.

Why: names are ambiguous, identifiers are not. ROR, ORCID, GRID, Wikidata, LEI, KAKEN and e-Rad
numbers name exactly one entity, so two records holding *different* values of the same scheme are
different entities whatever their names say. FundRef and ISNI may legitimately hold several values
for one organization, so for them only equality counts (a disjoint pair is no evidence either way).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# scheme -> (single-valued per entity?, normalizer)
_ROR = re.compile(r"(?:https?://)?(?:www\.)?ror\.org/", re.I)
_ORCID = re.compile(r"(?:https?://)?(?:www\.)?orcid\.org/", re.I)
_WIKIDATA = re.compile(r"(?:https?://)?(?:www\.)?wikidata\.org/(?:wiki|entity)/", re.I)


def _strip(value: str) -> str:
    return "".join(str(value).split()).lower()


def _ror(v: str) -> str:
    return _ROR.sub("", str(v).strip()).lower()


def _orcid(v: str) -> str:
    return _ORCID.sub("", str(v).strip()).upper()


def _wikidata(v: str) -> str:
    return _WIKIDATA.sub("", str(v).strip()).upper()


def _grid(v: str) -> str:
    return str(v).strip().lower().removeprefix("https://www.grid.ac/institutes/")


SCHEMES: dict[str, tuple[bool, object]] = {
    "ror": (True, _ror),
    "orcid": (True, _orcid),
    "wikidata": (True, _wikidata),
    "grid": (True, _grid),
    "lei": (True, lambda v: _strip(v).upper()),
    "kaken_id": (True, _strip),
    "erad_id": (True, _strip),
    "nih_person_id": (True, _strip),
    "openalex": (True, lambda v: str(v).strip().rsplit("/", 1)[-1].upper()),
    "fundref": (False, lambda v: _strip(v).removeprefix("http://dx.doi.org/10.13039/").removeprefix("10.13039/")),
    "isni": (False, _strip),
}


def normalize_identifiers(raw: Mapping[str, object] | None) -> dict[str, frozenset[str]]:
    """Scheme -> set of normalized values; unknown schemes and empty values are dropped."""
    out: dict[str, frozenset[str]] = {}
    for scheme, value in (raw or {}).items():
        if scheme not in SCHEMES or value in (None, "", []):
            continue
        norm = SCHEMES[scheme][1]
        values = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
        cleaned = frozenset(norm(v) for v in values if v not in (None, ""))  # type: ignore[operator]
        if cleaned:
            out[scheme] = cleaned
    return out


def compare(a: Mapping[str, Iterable[str]], b: Mapping[str, Iterable[str]]) -> tuple[list[str], list[str]]:
    """(schemes with an equal value, single-valued schemes whose values conflict)."""
    equal, conflict = [], []
    for scheme in a.keys() & b.keys():
        va, vb = set(a[scheme]), set(b[scheme])
        if va & vb:
            equal.append(scheme)
        elif SCHEMES[scheme][0]:
            conflict.append(scheme)
    return sorted(equal), sorted(conflict)

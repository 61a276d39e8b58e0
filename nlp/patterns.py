"""Loads the pattern data files (nlp/patterns/*.yaml) and compiles them once.

Why data files: the words that signal a role, a contract kind or a funding statement change with
every new form and language; keeping them as data lets an analyst extend them without touching
the extractor, and the tests read the same files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

PATTERNS = Path(__file__).resolve().parent / "patterns"
LANGS = ("en", "ja")


def load_pattern_file(name: str) -> dict:
    """One data file of nlp/patterns, parsed."""
    return yaml.safe_load((PATTERNS / name).read_text(encoding="utf-8"))


def _alt(patterns: list[str]) -> str:
    return "(?:" + "|".join(f"(?:{p})" for p in patterns) + ")"


def _compile(patterns: list[str], lang: str) -> re.Pattern:
    # Latin patterns get word boundaries; Japanese ones cannot (no spaces between words).
    body = _alt(patterns)
    if lang == "en":  # professor -> professorship, professors
        body = r"(?<![A-Za-z])" + body + r"(?:s|ship)?(?![A-Za-z])"
    return re.compile(body, re.I)


@dataclass(frozen=True)
class RoleRule:
    normalized: str
    relation: str
    regex: re.Pattern


@dataclass(frozen=True)
class LabelledRegex:
    label: str
    regex: re.Pattern


@dataclass(frozen=True)
class LangPatterns:
    """Every compiled pattern for one language (Japanese text also gets the English patterns,
    since Japanese disclosures name foreign roles and programs in English)."""

    roles: list[RoleRule]
    funding: re.Pattern
    contract: re.Pattern
    talent: re.Pattern
    negation: re.Pattern
    contract_kinds: list[LabelledRegex]
    clauses: list[LabelledRegex]
    pi_roles: list[LabelledRegex]
    sections: list[LabelledRegex]


@lru_cache(maxsize=None)
def lang_patterns(lang: str) -> LangPatterns:
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}")
    roles_data = load_pattern_file("roles.yaml")["roles"]
    rel = load_pattern_file("relations.yaml")
    langs = ["ja", "en"] if lang == "ja" else ["en"]

    def both(entry: dict) -> re.Pattern:
        parts = [_compile(entry.get(code, []), code).pattern for code in langs if entry.get(code)]
        return re.compile("|".join(parts) if parts else r"(?!x)x", re.I)

    roles = [RoleRule(r["normalized"], r["relation"], both(r)) for r in roles_data]
    # co-PI before PI: "co-principal investigator" contains "principal investigator".
    pi_roles = sorted((LabelledRegex(p["role"], both(p)) for p in rel["pi_roles"]), key=lambda x: x.label != "co_pi")
    sections = [LabelledRegex(relation, both(words)) for relation, words in rel["sections"].items()]
    return LangPatterns(
        roles=roles,
        funding=both(rel["funding"]),
        contract=both(rel["contract"]),
        talent=both(rel["talent"]),
        negation=both(rel["negation"]),
        contract_kinds=[LabelledRegex(k["kind"], both(k)) for k in rel["contract_kinds"]],
        clauses=[LabelledRegex(c["clause"], both(c)) for c in rel["clauses"]],
        pi_roles=pi_roles,
        sections=sections,
    )


@lru_cache(maxsize=None)
def org_shapes(lang: str) -> tuple[re.Pattern, re.Pattern]:
    """(organization-name shapes, anaphora) for ``lang``."""
    data = load_pattern_file("org_shapes.yaml")
    shapes = re.compile("|".join(f"(?:{p})" for p in data[lang]))
    anaphora = re.compile("|".join(f"(?:{p})" for p in data["anaphora"][lang]), re.I)
    return shapes, anaphora


@lru_cache(maxsize=1)
def date_data() -> dict:
    return load_pattern_file("dates.yaml")


@lru_cache(maxsize=1)
def money_data() -> dict:
    return load_pattern_file("money.yaml")

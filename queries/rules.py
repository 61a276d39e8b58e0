"""Rule packs: decision rules of research-security policies, as data (queries/rules/*.yaml).

A rule fires on a finding when every condition in its ``when`` list holds. Conditions may only
name fields in FINDING_FIELDS — facts about links, listings, disclosure and technology areas —
so no rule can read a protected attribute of graph/model.yaml: those are not
finding fields and never reach a finding (tests/test_no_discrimination.py checks both).

Pack files hold ``parameters`` (look-back windows in years, list scopes as id globs, sensitive
technology areas) that conditions reference as ``$name``; callers override them per run. Users
add their own packs as files in the same format (``load_pack(path)``).
"""

from __future__ import annotations

import fnmatch
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from kizuna.errors import InvalidInput

PACK_DIR = Path(__file__).resolve().parent / "rules"

# The only fields a rule condition may read (name -> meaning). See queries/findings.py.
FINDING_FIELDS: dict[str, str] = {
    "kind": "listed_subject | concern_path | talent_program | funding | coauthorship | contract | undisclosed",
    "relation": "relationship type of the subject's own link (first hop)",
    "active": "the link is current at as_of",
    "years_since_end": "years from the link's end to as_of (0 when current)",
    "hops": "length of the concern path",
    "via_structure_only": "after the subject's own link the path only climbs organizational structure",
    "path_score": "score of the concern path (docs/risk-questions.md)",
    "confidence": "confidence of the subject's own link",
    "listed": "the counterparty, or an entity above it, is listed in scope at as_of",
    "list_ids": "ids of the watchlists involved",
    "list_jurisdictions": "jurisdictions of those watchlists",
    "talent_program": "the counterparty is a talent program",
    "undisclosed": "an open-source link the latest disclosure does not match",
    "in_kind": "support given in kind",
    "paid": "the appointment is paid",
    "role_normalized": "normalized role of an appointment",
    "clauses_missing": "review clauses a contract does not state (ip, data_access, confidentiality)",
    "counterparty_unresolved": "the counterparty is not resolved to a known organization",
    "counterparty_kind": "kind of the counterparty organization (university, company, talent_program, ...)",
    "technology_areas": "technology areas of the assessed project or proposal (ids and names)",
}
OPERATORS = {"eq", "ne", "in", "not_in", "lt", "lte", "gt", "gte", "any_match", "none_match", "exists"}
OUTCOMES = ("accept", "mitigate", "avoid")
TIERS = ("none", "low", "elevated", "high")


@dataclass(frozen=True)
class Citation:
    document: str
    section: str
    url: str
    paraphrased: bool
    note: str = ""


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    when: tuple[dict[str, Any], ...]
    outcome: str
    tier: str
    explanation: str
    measures: tuple[str, ...]
    citation: Citation


@dataclass(frozen=True)
class RulePack:
    id: str
    title: str
    jurisdiction: str
    version: str
    parameters: dict[str, Any]
    rules: tuple[Rule, ...]
    source: str = ""

    def params(self, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        merged = dict(self.parameters)
        for key, value in (overrides or {}).items():
            if key in merged:
                merged[key] = value
        return merged


@dataclass
class PackRef:
    id: str
    title: str
    version: str
    parameters: dict[str, Any] = field(default_factory=dict)


def _condition_fields(cond: dict[str, Any]) -> tuple[str, str, Any]:
    if "field" not in cond:
        raise InvalidInput(f"a rule condition needs a field: {cond}")
    ops = [k for k in cond if k != "field"]
    if len(ops) != 1 or ops[0] not in OPERATORS:
        raise InvalidInput(f"a rule condition needs exactly one operator of {sorted(OPERATORS)}: {cond}")
    if cond["field"] not in FINDING_FIELDS:
        raise InvalidInput(f"rule condition field {cond['field']!r} is not a finding field; allowed: {', '.join(FINDING_FIELDS)}")
    return cond["field"], ops[0], cond[ops[0]]


def parse_pack(raw: dict[str, Any], source: str = "") -> RulePack:
    """Validate a pack: known finding fields and operators, known outcomes and tiers, every
    ``$parameter`` defined, every citation naming a document of the pack."""
    try:
        documents = raw.get("documents") or {}
        params = dict(raw.get("parameters") or {})
        rules = []
        for r in raw["rules"]:
            when = tuple(r["when"])
            for cond in when:
                _, _, value = _condition_fields(cond)
                if isinstance(value, str) and value.startswith("$") and value[1:] not in params:
                    raise InvalidInput(f"rule {r['id']} uses undefined parameter {value}")
            if r["outcome"] not in OUTCOMES or r["tier"] not in TIERS:
                raise InvalidInput(f"rule {r['id']}: outcome must be one of {OUTCOMES} and tier one of {TIERS}")
            c = r["citation"]
            doc = documents[c["document"]]
            rules.append(Rule(r["id"], r["title"], when, r["outcome"], r["tier"], r["explanation"].strip(), tuple(r.get("measures") or ()),
                              Citation(doc["title"], c["section"], c.get("url") or doc["url"], bool(c.get("paraphrased", True)), c.get("note", ""))))
        return RulePack(raw["id"], raw["title"], raw.get("jurisdiction", ""), str(raw.get("version", "")), params, tuple(rules), source)
    except (KeyError, TypeError) as exc:
        raise InvalidInput(f"rule pack {source or raw.get('id')!r} is malformed: missing or wrong {exc}") from None


def load_pack(path: str | Path) -> RulePack:
    """A pack from a YAML file (a built-in one or a user's own)."""
    p = Path(path)
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidInput(f"cannot read rule pack {p}: {exc}") from None
    if not isinstance(raw, dict):
        raise InvalidInput(f"rule pack {p} is not a mapping")
    return parse_pack(raw, str(p))


@lru_cache(maxsize=1)
def builtin_packs() -> dict[str, RulePack]:
    packs = [load_pack(p) for p in sorted(PACK_DIR.glob("*.yaml"))]
    return {p.id: p for p in packs}


def resolve_packs(names: list[str] | None) -> list[RulePack]:
    """Built-in packs by id, or YAML files by path; all built-in packs when ``names`` is empty."""
    available = builtin_packs()
    if not names:
        return list(available.values())
    out = []
    for name in names:
        if name in available:
            out.append(available[name])
        elif name.endswith((".yaml", ".yml")):
            out.append(load_pack(name))
        else:
            raise InvalidInput(f"unknown rule pack {name!r}; built-in packs: {', '.join(available)}")
    return out


def _value(value: Any, params: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        return params[value[1:]]
    return value


def _glob_matcher(patterns: Any) -> Callable[[Any], bool]:
    """Case-insensitive glob match of a value (or any of a list of values) against patterns."""
    pats = patterns if isinstance(patterns, (list, tuple, set)) else [patterns]
    regex = re.compile("|".join(f"(?:{fnmatch.translate(str(p).lower())})" for p in pats)) if pats else None

    def matches(values: Any) -> bool:
        vals = values if isinstance(values, (list, tuple, set)) else [values]
        return regex is not None and any(v is not None and regex.match(str(v).lower()) for v in vals)

    return matches


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, e: a == e, "ne": lambda a, e: a != e, "in": lambda a, e: a in e, "not_in": lambda a, e: a not in e,
    "lt": lambda a, e: a < e, "lte": lambda a, e: a <= e, "gt": lambda a, e: a > e, "gte": lambda a, e: a >= e,
}


def compile_condition(cond: dict[str, Any], params: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    """A condition with its parameters filled in, as a test of a finding. Why compiled: an
    assessment tests every rule of every pack against hundreds of findings."""
    name, op, raw = _condition_fields(cond)
    expected = _value(raw, params)
    if op == "exists":
        wanted = bool(expected)
        return lambda finding: (finding.get(name) not in (None, [], "")) == wanted
    if op in ("any_match", "none_match"):
        matches = _glob_matcher(expected)
        return (lambda finding: matches(finding.get(name))) if op == "any_match" else (lambda finding: not matches(finding.get(name)))
    compare = _COMPARE[op]

    def holds(finding: dict[str, Any]) -> bool:
        actual = finding.get(name)
        return actual is not None and compare(actual, expected)

    return holds


def compile_rule(rule: Rule, params: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    """All of a rule's conditions, compiled (see ``compile_condition``)."""
    tests = [compile_condition(c, params) for c in rule.when]
    return lambda finding: all(test(finding) for test in tests)


def rule_fires(rule: Rule, finding: dict[str, Any], params: dict[str, Any]) -> bool:
    return compile_rule(rule, params)(finding)


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


class RuleBook:
    """The rules of some packs, compiled with their parameters, judging many findings.

    Why: a population sweep tests every rule against ~130 findings per subject, and most of them
    look alike to the rules (the same kind, lists, hops, activity). A verdict depends only on the
    finding fields the rules name, so it is worked out once per distinct combination of those
    fields and reused for every finding that has it."""

    def __init__(self, packs: list[tuple[RulePack, dict[str, Any]]]):
        """``packs``: each pack with the parameter values it runs with."""
        self.rules = [(pack, rule, compile_rule(rule, params)) for pack, params in packs for rule in pack.rules]
        self.fields = sorted({c["field"] for _, rule, _ in self.rules for c in rule.when})
        read = operator.attrgetter(*self.fields) if self.fields else (lambda f: ())
        self._read = read if len(self.fields) != 1 else (lambda f: (read(f),))
        self._verdicts: dict[tuple, list[int]] = {}

    #: Verdicts kept at most (a long-lived book in a server sees ever new years_since_end values).
    MAX_VERDICTS = 100_000

    @classmethod
    def of(cls, packs: list[tuple[RulePack, dict[str, Any]]]) -> RuleBook:
        """The book for these packs and parameters, kept between calls, so that the verdicts
        worked out for one batch of a sweep serve the next (``years_since_end`` alone takes
        hundreds of values across a population). Keyed by the packs' full contents."""
        key = repr(packs)
        book = _BOOKS.get(key)
        if book is None:
            if len(_BOOKS) >= 16:
                _BOOKS.clear()
            book = _BOOKS[key] = cls(packs)
        return book

    def fired(self, findings: list[Any]) -> list[tuple[RulePack, Rule, list[str]]]:
        """(pack, rule, ids of the findings it fires on) for each rule that fires on any of
        ``findings`` (objects with the FINDING_FIELDS as attributes, an ``id`` and ``rule_view``),
        in pack and rule order, the ids in the findings' order."""
        hits: list[list[str]] = [[] for _ in self.rules]
        for f in findings:
            key = tuple(map(_frozen, self._read(f)))
            verdict = self._verdicts.get(key)
            if verdict is None:
                if len(self._verdicts) >= self.MAX_VERDICTS:
                    self._verdicts.clear()
                view = f.rule_view()
                verdict = self._verdicts[key] = [i for i, (_, _, fires) in enumerate(self.rules) if fires(view)]
            for i in verdict:
                hits[i].append(f.id)
        return [(pack, rule, ids) for (pack, rule, _), ids in zip(self.rules, hits) if ids]


_BOOKS: dict[str, RuleBook] = {}


def lookback_years(packs: list[RulePack], overrides: dict[str, Any] | None = None) -> float:
    """The longest look-back window among the packs' parameters (names ending in ``_years``)."""
    years = [float(v) for p in packs for k, v in p.params(overrides).items() if k.endswith("_years") and isinstance(v, (int, float))]
    return max(years, default=0.0)

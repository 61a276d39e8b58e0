"""Risk assessment of a person, organization or project under chosen rule packs and a date.

The answer: findings (each traceable hop by hop to evidence), rules fired with citations, a tier
(none / low / elevated / high) and a recommendation — ACCEPT, MITIGATE (with measures), AVOID, or
INSUFFICIENT_INFORMATION when the graph knows too little to judge (saying what is missing:
absence of information is not a clean bill).

Proportionality: most rules lead to MITIGATE; AVOID comes only from rules whose source text is a
funding bar (Canada STRAC in sensitive areas, statutory talent-program and §1286 bars).
Order of precedence: AVOID > INSUFFICIENT_INFORMATION > MITIGATE > ACCEPT.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from graph.db import Database
from graph.model import load_model
from kizuna.errors import InvalidInput, KizunaError, NotFound
from queries.cypher import cypher
from queries.exposure import ExposureFact, ListedOrganizations, all_exposures_many
from queries.findings import Finding, ListingMemo, from_exposure, from_path, from_undisclosed
from queries.paths import ConcernPathsResult, PathFilters, SearchCache, concern_paths_many
from queries.rules import TIERS, Citation, PackRef, RuleBook, RulePack, lookback_years, resolve_packs
from queries.timing import parse_day, shift_years, today
from queries.undisclosed import UndisclosedResult, undisclosed_links_many

DEFAULT_ASSESS_HOPS = 3
# Persons are judged on too little information when none of these is there.
MIN_OPEN_LINKS = 1
# Relationships that count as what is known about a subject (the model's links and structure,
# not project membership, which is the assessment's own frame).
COUNTED_TYPES = [t for t in load_model().rel_types("link", "structure") if t != "MEMBER_OF"]


@dataclass
class FiredRule:
    pack_id: str
    rule_id: str
    title: str
    outcome: str
    tier: str
    explanation: str
    measures: list[str]
    citation: Citation
    finding_ids: list[str]


@dataclass
class Coverage:
    sufficient: bool
    missing: list[str]
    per_subject: list[dict[str, Any]]
    partial_paths: bool
    notes: list[str] = field(default_factory=list)


@dataclass
class Assessment:
    subject_id: str
    subject_label: str
    subject_name: str | None
    as_of: str
    window_from: str
    packs: list[PackRef]
    technology_areas: list[str]
    members: list[dict[str, Any]]
    findings: list[Finding]
    rules_fired: list[FiredRule]
    tier: str
    recommendation: str
    measures: list[str]
    explanation: str
    coverage: Coverage
    elapsed_ms: float


def _areas(context: dict[str, Any], extra: list[str] | None) -> list[str]:
    out: list[str] = []
    for a in context["areas"]:
        out.append(a["id"])
        if a.get("name"):
            out.append(f"{a.get('scheme') or 'area'}:{a['name']}".lower())
    out.extend(str(x).lower() for x in context["stated_areas"])
    out.extend(str(x).lower() for x in extra or [])
    return sorted(set(out))


def _subject_findings(entity_id: str, name: str | None, is_person: bool, areas: list[str], as_of: str, max_hops: int,
                      paths: ConcernPathsResult, exposures: list[ExposureFact], und: UndisclosedResult | None,
                      memo: ListingMemo) -> tuple[list[Finding], dict[str, Any]]:
    person = (entity_id, name)
    findings = [from_path(p, person, areas, as_of, memo) for p in paths.paths]
    findings += [from_exposure(x, areas, as_of, memo) for x in exposures]
    info: dict[str, Any] = {"partial_paths": paths.partial, "left_out": [lo.reason for lo in paths.left_out],
                            "depth_short": paths.hops_explored < max_hops, "hops_explored": paths.hops_explored}
    if is_person and und is not None:
        findings += [from_undisclosed(u, person, areas, as_of) for u in und.undisclosed]
        info["disclosure"] = und.disclosure.id if und.disclosure else None
    return findings, info


def _coverage(label: str, rows: list[dict[str, Any]], infos: dict[str, dict[str, Any]], members: list[dict]) -> Coverage:
    missing: list[str] = []
    notes: list[str] = []
    per_subject = []
    for row in rows:
        info = infos.get(row["id"], {})
        entry = {**row, "disclosure": info.get("disclosure"), "partial_paths": info.get("partial_paths", False)}
        per_subject.append(entry)
        who = row["id"]
        if row["label"] == "Person":
            if row["disclosures"] == 0:
                missing.append(f"{who}: no disclosure on file — undisclosed links cannot be judged")
            if row["open_links"] < MIN_OPEN_LINKS and not row["identifiers"]:
                missing.append(f"{who}: no open-source record (no ORCID/OpenAlex/KAKEN id, no grant, publication or appointment from open sources) — the disclosure cannot be checked")
        elif row["label"] == "Organization":
            if row["open_links"] < MIN_OPEN_LINKS and not row["identifiers"]:
                missing.append(f"{who}: no registry identifier and no open-source relations — ownership and structure unknown")
        if info.get("depth_short"):
            missing.append(f"{who}: concern paths explored only {info['hops_explored']} hop(s) within the time budget — ties further out are unknown")
        for reason in info.get("left_out", []):
            notes.append(f"{who}: {reason}")
    if label == "Project" and not members:
        missing.append("the project has no team members in the graph (MEMBER_OF)")
    partial = any(e["partial_paths"] for e in per_subject)
    return Coverage(not missing, missing, per_subject, partial, notes)


def _aggregate(findings: list[Finding], fired: list[FiredRule], coverage: Coverage) -> tuple[str, str, list[str], str]:
    tier = max((r.tier for r in fired), key=TIERS.index, default="none")
    if tier == "none" and findings:
        tier = "low"
    measures = list(dict.fromkeys(m for r in fired if r.outcome != "accept" for m in r.measures))
    outcomes = {r.outcome for r in fired}
    if "avoid" in outcomes:
        rec = "AVOID"
        why = "; ".join(f"{r.title} ({r.citation.document}, {r.citation.section})" for r in fired if r.outcome == "avoid")
        explanation = f"A rule whose source text bars funding fired: {why}."
    elif not coverage.sufficient:
        rec = "INSUFFICIENT_INFORMATION"
        explanation = "Too little is known to judge — this is not a clean bill: " + "; ".join(coverage.missing) + "."
        if measures:
            explanation += " Measures from rules that did fire are listed and apply regardless."
    elif "mitigate" in outcomes:
        rec = "MITIGATE"
        explanation = "Rules fired that call for proportionate measures: " + "; ".join(sorted({r.title for r in fired if r.outcome == 'mitigate'})) + "."
    else:
        rec = "ACCEPT"
        explanation = ("No rule of the chosen packs calls for a measure" + (f"; {len(findings)} finding(s) noted for context." if findings else " and no finding was made."))
    if coverage.partial_paths:
        explanation += " Concern paths were partial (hubs or the time budget); see coverage notes."
    return tier, rec, measures, explanation


def path_filters(chosen: list[RulePack], *, as_of: str | None = None, params: dict[str, Any] | None = None,
                 lists: list[str] | None = None, max_hops: int = DEFAULT_ASSESS_HOPS, time_budget_ms: int = 600) -> PathFilters:
    """The concern-path filters an assessment under the ``chosen`` packs (``resolve_packs``) and
    these arguments searches with (the facts' window reaches back the longest look-back of the
    packs), e.g. to make the ``SearchCache`` a sweep passes to ``assess_many``."""
    as_of = parse_day(as_of) or today()
    window_from = shift_years(as_of, lookback_years(chosen, params))
    return PathFilters(max_hops=max_hops, lists=lists, as_of=as_of, window_from=window_from, time_budget_ms=time_budget_ms)


async def assess(db: Database, subject_id: str, *, packs: list[str] | None = None, as_of: str | None = None,
                 params: dict[str, Any] | None = None, technology_areas: list[str] | None = None, lists: list[str] | None = None,
                 max_hops: int = DEFAULT_ASSESS_HOPS, time_budget_ms: int = 600) -> Assessment:
    """Assess ``subject_id`` (Person, Organization or Project) under ``packs`` (built-in ids or YAML
    paths; all built-in packs by default) as of ``as_of`` (default today). ``params`` override
    pack parameters by name; ``technology_areas`` adds the areas of a proposal."""
    (answer,) = await assess_many(db, [subject_id], packs=packs, as_of=as_of, params=params, technology_areas=technology_areas,
                                  lists=lists, max_hops=max_hops, time_budget_ms=time_budget_ms)
    if isinstance(answer, KizunaError):
        raise answer
    return answer


async def assess_many(db: Database, subject_ids: list[str], *, packs: list[str] | None = None, as_of: str | None = None,
                      params: dict[str, Any] | None = None, technology_areas: list[str] | None = None, lists: list[str] | None = None,
                      max_hops: int = DEFAULT_ASSESS_HOPS, time_budget_ms: int = 600, timings: dict[str, float] | None = None,
                      search_cache: SearchCache | None = None, listed_orgs: ListedOrganizations | None = None) -> list[Assessment | KizunaError]:
    """``assess`` for many subjects at once, in the order given: each answer is the Assessment
    ``assess`` gives for that subject, or the error it would raise (NotFound, InvalidInput) —
    one subject's error never stops the others.

    Why: a population sweep re-assesses 100k subjects. One by one that is some fifteen
    statements per subject; here each question is one statement for the whole batch (UNWIND over
    the subjects), and the concern-path searches advance level by level together, skipping the
    subjects that concern proximity rules out. ``timings`` (if given) accumulates seconds per step.
    The concern-path time budget (``time_budget_ms`` per subject) is shared by the batch.
    ``search_cache`` (made with ``path_filters`` for the same packs and arguments) keeps what the
    concern-path searches read that does not depend on the subject across the batches of a sweep;
    ``listed_orgs`` (made for the same ``as_of`` and ``lists``) does the same for the listings the
    co-authorship question looks up (queries.exposure.ListedOrganizations)."""
    started = time.perf_counter()

    async def timed(step: str, work):
        t0 = time.perf_counter()
        try:
            return await work
        finally:
            if timings is not None:
                timings[step] = timings.get(step, 0.0) + time.perf_counter() - t0

    chosen: list[RulePack] = resolve_packs(packs)
    filters = path_filters(chosen, as_of=as_of, params=params, lists=lists, max_hops=max_hops, time_budget_ms=time_budget_ms)
    as_of, window_from = filters.as_of, filters.window_from  # both set by path_filters
    pack_refs = [PackRef(p.id, p.title, p.version, p.params(params)) for p in chosen]
    rule_book = RuleBook.of([(pack, ref.parameters) for pack, ref in zip(chosen, pack_refs)])
    ids = list(subject_ids)
    context_rows = await timed("subject context", db.read(cypher("assess", "subject_context"),
                                                          {"ids": list(dict.fromkeys(ids)), "from": window_from, "to": as_of}))
    contexts = {r["id"]: r for r in context_rows}

    # who is looked at for each subject: itself, and for a project its team members
    plans: dict[str, list[tuple[str, str | None, bool]]] = {}
    errors: dict[str, KizunaError] = {}
    for sid in dict.fromkeys(ids):
        context = contexts.get(sid)
        if context is None:
            errors[sid] = NotFound(f"no entity with id {sid!r}")
            continue
        label = context["label"]
        if label not in ("Person", "Organization", "Project"):
            errors[sid] = InvalidInput(f"{sid} is a {label}; assessments are of a Person, an Organization or a Project")
            continue
        subjects = [(sid, context["name"], label == "Person")]
        if label == "Project":
            subjects += [(m["id"], m["name"], True) for m in context["members"]]
        plans[sid] = subjects
    entities = list(dict.fromkeys(e for subjects in plans.values() for e, _, _ in subjects))
    persons = {e: name for subjects in plans.values() for e, name, is_person in subjects if is_person}

    if entities:
        paths, exposures, undisclosed, coverage_rows = await asyncio.gather(
            timed("concern paths", concern_paths_many(db, entities, filters, search_cache)),
            timed("exposures", all_exposures_many(db, entities, as_of=as_of, window_from=window_from, lists=lists,
                                                       listed_orgs=listed_orgs)),
            timed("undisclosed links", undisclosed_links_many(db, persons, as_of=as_of) if persons else asyncio.sleep(0, {})),
            timed("coverage", db.read(cypher("assess", "coverage"), {"ids": entities, "counted_types": COUNTED_TYPES})),
        )
    else:
        filters.validated()
        paths, exposures, undisclosed, coverage_rows = {}, {}, {}, []
    coverage_by_id = {r["id"]: r for r in coverage_rows}

    t_rules = time.perf_counter()
    answers: dict[str, Assessment] = {}
    memo = ListingMemo()  # the batch's findings share the listing lists of its paths and facts
    for sid, subjects in plans.items():
        context = contexts[sid]
        areas = _areas(context, technology_areas)
        findings: list[Finding] = []
        infos: dict[str, dict[str, Any]] = {}
        for entity, name, is_person in subjects:
            found, info = _subject_findings(entity, name, is_person, areas, as_of, max_hops, paths[entity], exposures.get(entity, []),
                                            undisclosed.get(entity) if is_person else None, memo)
            findings.extend(found)
            infos[entity] = info
        findings = list({f.id: f for f in findings}.values())

        fired = [FiredRule(pack.id, rule.id, rule.title, rule.outcome, rule.tier, rule.explanation, list(rule.measures), rule.citation, hits)
                 for pack, rule, hits in rule_book.fired(findings)]

        rows = [coverage_by_id[e] for e, _, _ in subjects if e in coverage_by_id]
        coverage = _coverage(context["label"], rows, infos, context["members"])
        tier, rec, measures, explanation = _aggregate(findings, fired, coverage)
        answers[sid] = Assessment(sid, context["label"], context["name"], as_of, window_from, pack_refs, areas, context["members"], findings,
                                  fired, tier, rec, measures, explanation, coverage, 0.0)
    if timings is not None:
        timings["findings and rules"] = timings.get("findings and rules", 0.0) + time.perf_counter() - t_rules
    elapsed = round((time.perf_counter() - started) * 1000, 2)
    for a in answers.values():
        a.elapsed_ms = elapsed
    return [answers[sid] if sid in answers else errors[sid] for sid in ids]

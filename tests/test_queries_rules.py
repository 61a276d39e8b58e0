"""Rule packs: each pack's conditions on findings at and around their thresholds, validation,
parameters and user packs. Pure functions: no database needed."""

from __future__ import annotations

import pytest
import yaml

from kizuna.errors import InvalidInput
from queries.rules import FINDING_FIELDS, builtin_packs, parse_pack, resolve_packs, rule_fires


def finding(**kw) -> dict:
    base = {name: None for name in FINDING_FIELDS}
    base.update({"active": True, "years_since_end": 0.0, "hops": 1, "via_structure_only": True, "path_score": 0.5, "confidence": 0.9,
                 "listed": True, "list_ids": [], "list_jurisdictions": [], "talent_program": False, "undisclosed": False,
                 "in_kind": False, "clauses_missing": [], "counterparty_unresolved": False, "technology_areas": []})
    base.update(kw)
    return base


def fired(pack_id: str, f: dict, **params) -> set[str]:
    pack = builtin_packs()[pack_id]
    values = pack.params(params)
    return {r.id for r in pack.rules if rule_fires(r, f, values)}


def test_four_builtin_packs_with_citations():
    packs = builtin_packs()
    assert set(packs) == {"ca-strac", "us-dod-matrix", "us-nsf-trust", "jp-cao-mext"}
    for pack in packs.values():
        for rule in pack.rules:
            assert rule.citation.url.startswith("https://") and rule.citation.section and rule.citation.document
            assert rule.citation.paraphrased  # no clause is presented as a verbatim quotation
            assert rule.outcome != "mitigate" or rule.measures, rule.id


def test_canada_strac():
    nro = {"list_ids": ["wl:ca-nro"]}
    affiliation = finding(kind="concern_path", relation="AFFILIATED_WITH", technology_areas=["tech:strac:quantum"], **nro)
    assert fired("ca-strac", affiliation) == {"ca-strac-affiliation-sensitive"}
    assert fired("ca-strac", {**affiliation, "technology_areas": ["tech:general:materials"]}) == {"ca-strac-nro-outside-sensitive"}
    assert fired("ca-strac", {**affiliation, "hops": 3}) == set()
    assert fired("ca-strac", {**affiliation, "hops": 3}, max_path_hops=3) == {"ca-strac-affiliation-sensitive"}
    assert fired("ca-strac", {**affiliation, "list_ids": ["wl:us-dod-1286"]}) == set()
    funding = finding(kind="funding", relation="FUNDED_BY", in_kind=True, technology_areas=["strac:ai"], **nro)
    assert fired("ca-strac", funding) == {"ca-strac-funding-sensitive"}
    past = {**affiliation, "active": False, "years_since_end": 1.5}
    assert fired("ca-strac", past) == set()  # past_affiliation_years defaults to 0: off
    assert fired("ca-strac", past, past_affiliation_years=2) == {"ca-strac-past-affiliation"}


def test_us_dod_matrix_windows():
    program = finding(kind="talent_program", relation="PARTICIPATES_IN", list_ids=["wl:us-dod-1286"])
    assert fired("us-dod-matrix", program) == {"dod-mftrp-current"}
    assert fired("us-dod-matrix", {**program, "active": False, "years_since_end": 7.0}) == {"dod-ftrp-past"}
    assert fired("us-dod-matrix", {**program, "active": False, "years_since_end": 7.5}) == set()
    assert fired("us-dod-matrix", {**program, "active": False, "years_since_end": 7.5}, talent_lookback_years=10) == {"dod-ftrp-past"}
    funding = finding(kind="funding", relation="FUNDED_BY", list_ids=["wl:us-bis-entity"], active=False, years_since_end=4.9)
    assert fired("us-dod-matrix", funding) == {"dod-funding-listed"}
    assert fired("us-dod-matrix", {**funding, "years_since_end": 5.1}) == set()
    assert fired("us-dod-matrix", {**funding, "list_ids": ["wl:jp-meti-eul"]}) == set()
    coauthor = finding(kind="coauthorship", relation="AUTHORED", list_ids=["wl:us-dod-1260h"], active=False, years_since_end=3)
    assert fired("us-dod-matrix", coauthor) == {"dod-coauthor-listed"}
    contract = finding(kind="contract", relation="PARTY_TO", list_ids=["wl:us-dod-1286"])
    assert fired("us-dod-matrix", contract) == {"dod-1286-collaboration"}
    assert fired("us-dod-matrix", {**contract, "active": False, "years_since_end": 1}) == set()
    appointment = finding(kind="concern_path", relation="AFFILIATED_WITH", hops=2, list_ids=["wl:us-dod-1286"])
    assert fired("us-dod-matrix", appointment) == {"dod-affiliation-listed"}
    assert fired("us-dod-matrix", {**appointment, "via_structure_only": False}) == set()
    assert fired("us-dod-matrix", finding(kind="undisclosed", relation="RECEIVED", listed=False)) == {"dod-undisclosed"}


def test_us_nsf_trust():
    assert fired("us-nsf-trust", finding(kind="talent_program", list_ids=["wl:x"])) == {"nsf-mftrp-active"}
    assert fired("us-nsf-trust", finding(kind="talent_program", listed=False)) == set()
    appt = finding(kind="undisclosed", relation="ADVISES", active=False, years_since_end=3)
    assert fired("us-nsf-trust", appt) == {"nsf-undisclosed-appointment"}
    assert fired("us-nsf-trust", {**appt, "years_since_end": 6}) == set()
    assert fired("us-nsf-trust", finding(kind="undisclosed", relation="FUNDED_BY")) == {"nsf-undisclosed-support"}
    tie = finding(kind="concern_path", relation="AFFILIATED_WITH", hops=2, list_ids=["wl:any"], technology_areas=["tech:strac:quantum"])
    assert fired("us-nsf-trust", tie) == {"nsf-sensitive-research-listed-tie"}
    assert fired("us-nsf-trust", {**tie, "technology_areas": ["tech:general:biology"]}) == set()
    assert fired("us-nsf-trust", {**tie, "technology_areas": ["tech:general:biology"]}, key_technology_areas=["*biology*"]) == {"nsf-sensitive-research-listed-tie"}


def test_japan_is_proportionate_and_never_avoids():
    pack = builtin_packs()["jp-cao-mext"]
    assert {r.outcome for r in pack.rules} <= {"accept", "mitigate"}
    assert fired("jp-cao-mext", finding(kind="undisclosed", relation="AFFILIATED_WITH", listed=False)) == {"jp-undisclosed-post-or-support"}
    assert fired("jp-cao-mext", finding(kind="talent_program", active=False, years_since_end=4)) == {"jp-talent-program"}
    meti = finding(kind="concern_path", relation="AFFILIATED_WITH", list_ids=["wl:jp-meti-eul"])
    assert fired("jp-cao-mext", meti) == {"jp-export-control-listed-tie", "jp-listed-tie"}
    assert fired("jp-cao-mext", {**meti, "active": False, "years_since_end": 1}) == set()
    assert fired("jp-cao-mext", finding(kind="contract", listed=False, clauses_missing=["ip"])) == {"jp-contract-review"}
    assert fired("jp-cao-mext", finding(kind="coauthorship", list_ids=["wl:x"], active=False, years_since_end=2)) == {"jp-coauthor-listed"}


def test_validation_rejects_unknown_and_protected_fields_and_undefined_parameters():
    doc = {"documents": {"d": {"title": "T", "url": "https://example.org"}}}
    rule = {"id": "r", "title": "t", "outcome": "mitigate", "tier": "low", "explanation": "e", "measures": ["m"],
            "citation": {"document": "d", "section": "s"}}
    ok = parse_pack({"id": "p", "title": "P", **doc, "parameters": {"w": 2}, "rules": [{**rule, "when": [{"field": "years_since_end", "lte": "$w"}]}]})
    assert ok.rules[0].citation.url == "https://example.org"
    for when in ([{"field": "nationality", "eq": "X"}], [{"field": "citizenship", "in": ["X"]}], [{"field": "kind", "like": "x"}],
                 [{"field": "years_since_end", "lte": "$missing"}]):
        with pytest.raises(InvalidInput):
            parse_pack({"id": "p", "title": "P", **doc, "parameters": {"w": 2}, "rules": [{**rule, "when": when}]})
    with pytest.raises(InvalidInput):
        parse_pack({"id": "p", "title": "P", **doc, "rules": [{**rule, "outcome": "ban", "when": []}]})


def test_user_pack_file_is_loaded_by_path(tmp_path):
    raw = {"id": "my-office", "title": "Our office", "documents": {"o": {"title": "Office policy", "url": "https://example.org/policy"}},
           "parameters": {"lists": ["wl:mine*"]},
           "rules": [{"id": "mine-any", "title": "Any tie to our own list", "when": [{"field": "list_ids", "any_match": "$lists"}],
                      "outcome": "mitigate", "tier": "low", "explanation": "Local rule.", "measures": ["Talk to the office."],
                      "citation": {"document": "o", "section": "1"}}]}
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    packs = resolve_packs([str(path), "us-nsf-trust"])
    assert [p.id for p in packs] == ["my-office", "us-nsf-trust"]
    assert rule_fires(packs[0].rules[0], finding(list_ids=["wl:mine-2025"]), packs[0].params())
    with pytest.raises(InvalidInput):
        resolve_packs(["no-such-pack"])


def test_rule_book_gives_every_finding_the_verdict_of_its_own_rules():
    """RuleBook works a verdict out once per combination of the fields the rules read and reuses
    it: over many findings that differ in every field (some only in a field a rule reads, some
    only in one no rule reads), each rule fires on exactly the findings it fires on alone."""
    import random
    from types import SimpleNamespace

    from queries.rules import RuleBook

    rng = random.Random(7)
    choices = {"kind": ["concern_path", "coauthorship", "talent_program", "funding", "undisclosed", "contract"],
               "relation": ["AFFILIATED_WITH", "FUNDED_BY", "PARTICIPATES_IN", None], "active": [True, False],
               "years_since_end": [0.0, 1.5, 4.9, 5.1, 9.0], "hops": [1, 2, 3, 4], "listed": [True, False],
               "list_ids": [[], ["wl:us-1286"], ["wl:us-1260h", "wl:ca-nro"], ["wl:us-entity-list"]],
               "technology_areas": [[], ["tech:strac:quantum"], ["quantum"]], "via_structure_only": [True, False],
               "path_score": [0.1, 0.7], "talent_program": [True, False], "undisclosed": [True, False]}
    findings = []
    for i in range(3000):
        view = finding(**{name: rng.choice(values) for name, values in choices.items()})
        findings.append(SimpleNamespace(id=f"f{i}", rule_view=lambda view=view: dict(view), **view))
    packs = [(p, p.params()) for p in builtin_packs().values()]
    book = RuleBook(packs)
    assert book.fields and "path_score" not in book.fields  # no built-in rule reads the score
    for part in (findings[:1000], findings[1000:], findings):
        expected = [(pack.id, rule.id, [f.id for f in part if rule_fires(rule, f.rule_view(), params)])
                    for pack, params in packs for rule in pack.rules]
        assert [(pack.id, rule.id, ids) for pack, rule, ids in book.fired(part)] == [e for e in expected if e[2]]
    assert len(book._verdicts) < len(findings)  # verdicts were reused
    assert sum(len(ids) for _, _, ids in book.fired(findings)) > 0 and any(not ids for *_, ids in expected)


def test_rule_book_is_kept_per_packs_and_parameters_and_bounded():
    """RuleBook.of hands the same book (and its verdicts) to the batches of one sweep, another book
    when a parameter differs; a book forgets its verdicts beyond MAX_VERDICTS and still judges right."""
    from types import SimpleNamespace

    from queries.rules import RuleBook

    pack = builtin_packs()["us-dod-matrix"]
    book = RuleBook.of([(pack, pack.params())])
    assert RuleBook.of([(pack, pack.params())]) is book
    changed = {name: (value + 1 if isinstance(value, (int, float)) else value) for name, value in pack.params().items()}
    assert changed != pack.params() and RuleBook.of([(pack, changed)]) is not book

    small = RuleBook([(pack, pack.params())])
    small.MAX_VERDICTS = 3
    findings = []
    for i in range(20):
        view = finding(kind="coauthorship", listed=True, list_ids=["wl:us-1286"], years_since_end=i / 2, active=i == 0, hops=1 + i % 4)
        findings.append(SimpleNamespace(id=f"f{i}", rule_view=lambda view=view: dict(view), **view))
    expected = [(pack.id, rule.id, [f.id for f in findings if rule_fires(rule, f.rule_view(), pack.params())]) for rule in pack.rules]
    assert any(ids for *_, ids in expected) and not all(len(ids) == len(findings) for *_, ids in expected)
    assert [(p.id, r.id, ids) for p, r, ids in small.fired(findings)] == [e for e in expected if e[2]]
    assert len(small._verdicts) <= 3

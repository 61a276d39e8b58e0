"""spaCy components (registered factories) that read a disclosure paragraph.

Pipeline order (see nlp/configs/*.cfg): the language model (tokens, NER) -> ``kizuna_org_gazetteer``
(graph names override NER, fixing 清華大学-as-person) -> ``kizuna_amounts`` -> ``kizuna_dates`` ->
``kizuna_relations`` (facts). Every component writes character offsets into ``doc._.kizuna``
because several of the things found (names inside Sudachi tokens, 500万円) do not align with
tokens; the gazetteer also sets ``doc.ents`` so the usual spaCy view stays correct.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from nlp.dates import DateRange, find_ranges
from nlp.facts import Fact, OrgMention
from nlp.gazetteer import Gazetteer
from nlp.money import find_amounts, find_grant_numbers
from nlp.org_spans import TokenView, context_spans, extend_over_suffixes, name_evidence_ok, refine, split_coordination
from nlp.org_spans import span_rules as span_rules_for
from nlp.patterns import LangPatterns, lang_patterns, org_shapes

if not Doc.has_extension("kizuna"):
    Doc.set_extension("kizuna", default=None)

# Sub-units and generic phrases NER likes to call organizations; they are never the party meant.
_SUBUNIT = re.compile(
    r"^(?:the\s+)?(?:department|dept\.?|school|faculty|graduate\s+school|division|lab(?:oratory)?|group|"
    r"college\s+of|centre|center|institute\s+of\s+(?:physics|chemistry)|office\s+of|committee|program|"
    r"pi|co-?pi|ph\.?d|m\.?s|b\.?s|curriculum|cv|nsf\s+career|research|grant|award|agreement|contract)\b",
    re.I,
)
_JA_SUBUNIT = re.compile(r"^(?:大学院|研究科|学部|学科|研究室|専攻|部門|センター|本部|事務局)")


def kizuna_state(doc: Doc) -> dict:
    """The per-document scratch dict; created on first use with the NFKC text (same length)."""
    state = doc._.kizuna
    if state is None:
        state = {"norm": _nfkc_same_length(doc.text), "orgs": [], "plain_orgs": [], "plain_all": [], "persons": [], "amounts": [], "grants": [], "dates": [], "facts": [], "headings": []}
        doc._.kizuna = state
    return state


def _nfkc_same_length(text: str) -> str:
    norm = unicodedata.normalize("NFKC", text)
    if len(norm) == len(text):
        return norm
    out = []
    for ch in text:
        n = unicodedata.normalize("NFKC", ch)
        out.append(n if len(n) == 1 else ch)
    return "".join(out)


# -- gazetteer ----------------------------------------------------------------------------------


class OrgGazetteer:
    """Marks organization and talent-program names: graph names (gazetteer) win over everything;
    then organization-name shapes (…大学, …株式会社, University of …) and the NER model's
    organizations fill the gaps, in the order ``shapes_first`` says, then names next to an
    organization cue (Xに入社, Xの子会社); with ``span_rules`` the shapes and NER spans get token
    boundaries (nlp/org_spans.py); an anaphor (同大学, "the university") becomes a mention of the
    organization named just before it."""

    def __init__(self, nlp: Language, name: str, org_labels: list[str], person_labels: list[str], lang: str, shapes_first: bool, span_rules: bool):
        self.name = name
        self.org_labels = set(org_labels)
        self.person_labels = set(person_labels)
        self.shapes, self.anaphora = org_shapes(lang)
        self.shapes_first = shapes_first
        self.rules = span_rules_for(lang) if span_rules else None
        self.gazetteer = Gazetteer()

    def use(self, gazetteer: Gazetteer) -> None:
        """Swap in the gazetteer built from the graph (or from files, in the evaluation)."""
        self.gazetteer = gazetteer

    def __call__(self, doc: Doc) -> Doc:
        state = kizuna_state(doc)
        text, norm = doc.text, state["norm"]
        orgs: list[OrgMention] = []
        spans: list[Span] = []
        ents = list(doc.ents)  # each access to doc.ents builds new Span objects: read it once
        state["plain_orgs"] = [OrgMention(e.start_char, e.end_char, e.text, source="ner") for e in ents if e.label_ in self.org_labels]
        state["plain_all"] = [(e.start_char, e.end_char, e.label_) for e in ents]
        state["persons"] = [e.text for e in ents if e.label_ in self.person_labels]
        view = TokenView(doc) if self.rules is not None else None
        extended: list[tuple[int, int]] = []
        for hit in self.gazetteer.find(norm):
            entry = self.gazetteer.entries[hit.entry_id]
            if view is not None and hit.label == "ORG" and extend_over_suffixes(view, self.rules, hit.end) != hit.end:
                extended.append((hit.start, hit.end))  # NBC + 交響楽団: a larger organization, not the listed one
                continue
            label = "TALENT" if entry.kind == "talent_program" else hit.label
            orgs.append(OrgMention(hit.start, hit.end, text[hit.start : hit.end], hit.entry_id, entry.kind, label, "gazetteer"))
            span = doc.char_span(hit.start, hit.end, label="ORG", kb_id=hit.entry_id, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        # An anaphor (同大学) is resolved below; refining it first would leave a bare 大学.
        shape_spans = [(m.start(), m.end()) for m in self.shapes.finditer(norm) if not self.anaphora.fullmatch(m.group(0))]
        ner_spans = [(e.start_char, e.end_char) for e in ents if e.label_ in self.org_labels and not self.anaphora.fullmatch(e.text)]
        context: list[tuple[int, int]] = []
        if view is not None:
            shape_spans = extended + shape_spans
            refined = [r for r in (refine(view, self.rules, norm, s, e) for s, e in shape_spans) if r]
            shape_spans = [p for r in refined for p in split_coordination(norm, self.rules, *r) if name_evidence_ok(view, self.rules, *p, "shape")]
            ner_spans = [r for r in (refine(view, self.rules, norm, s, e) for s, e in ner_spans) if r and name_evidence_ok(view, self.rules, *r, "ner")]
            context = [r for r in context_spans(view, self.rules, norm, state["plain_all"]) if name_evidence_ok(view, self.rules, *r, "context")]
        shape_orgs = self._mentions(text, shape_spans, "shape")
        ner_orgs = self._mentions(text, ner_spans, "ner")
        for group in ((shape_orgs, ner_orgs) if self.shapes_first else (ner_orgs, shape_orgs)) + (self._mentions(text, context, "context"),):
            for mention in group:
                if not any(mention.start < o.end and o.start < mention.end for o in orgs):
                    orgs.append(mention)
        taken = [(o.start, o.end) for o in orgs]
        for ent in ents:
            if not any(ent.start_char < e and s < ent.end_char for s, e in taken):
                spans.append(ent)
        for o in orgs:
            if o.source in ("shape", "context"):
                span = doc.char_span(o.start, o.end, label="ORG", alignment_mode="expand")
                if span is not None:
                    spans.append(span)
        doc.ents = filter_spans(spans)
        orgs.sort(key=lambda o: o.start)
        for m in self.anaphora.finditer(norm):
            if any(m.start() < o.end and o.start < m.end() for o in orgs):
                continue
            before = [o for o in orgs if o.end <= m.start() and o.label == "ORG"]
            if before:
                ante = before[-1]
                orgs.append(OrgMention(m.start(), m.end(), text[m.start() : m.end()], ante.entry_id, ante.kind, "ORG", "anaphora", ante.name))
        state["orgs"] = sorted(orgs, key=lambda o: o.start)
        return doc

    def _mentions(self, text: str, spans: list[tuple[int, int]], source: str) -> list[OrgMention]:
        out = []
        for start, end in spans:
            name = text[start:end]
            if _plausible_org(name) and not self.anaphora.fullmatch(name):
                out.append(OrgMention(start, end, name, source=source))
        return out


def _plausible_org(text: str) -> bool:
    text = text.strip()
    if len(text) < 2 or _SUBUNIT.match(text) or _JA_SUBUNIT.match(text):
        return False
    if text.isascii() and not text[0].isupper() and not text[0].isdigit():
        return False
    if text.isascii() and len(text) <= 3 and text.upper() == text:  # unknown acronyms: IP, PI, AI
        return False
    return not text.isdigit()


@Language.factory(
    "kizuna_org_gazetteer",
    default_config={"org_labels": ["ORG"], "person_labels": ["PERSON"], "lang": "en", "shapes_first": False, "span_rules": False},
)
def make_org_gazetteer(nlp: Language, name: str, org_labels: list[str], person_labels: list[str], lang: str, shapes_first: bool, span_rules: bool) -> OrgGazetteer:
    return OrgGazetteer(nlp, name, org_labels, person_labels, lang, shapes_first, span_rules)


# -- amounts, grant numbers, dates -----------------------------------------------------------------


@Language.component("kizuna_amounts")
def amounts_component(doc: Doc) -> Doc:
    state = kizuna_state(doc)
    state["amounts"] = find_amounts(state["norm"])
    state["grants"] = find_grant_numbers(state["norm"])
    return doc


@Language.component("kizuna_dates")
def dates_component(doc: Doc) -> Doc:
    state = kizuna_state(doc)
    exclude = [(a.start, a.end) for a in state["amounts"]] + [(g.start, g.end) for g in state["grants"]]
    state["dates"] = find_ranges(state["norm"], exclude)
    return doc


# -- relations ------------------------------------------------------------------------------------

_KV_LINE = re.compile(r"^\s*(?:[-*•・■□◆●]\s*)?([^\n:：]{1,32})[:：]\s*(\S.*)$")
_BULLET = re.compile(r"^\s*(?:[-*•・■□◆●▪︎]|\d{1,2}[.)]|\(\d{1,2}\)|（\d{1,2}）)\s+")
_SENTENCE_END = re.compile(r"(?<=[。！？])|(?<=[.!?])\s+(?=[A-Z(\"“])")
_NO_BREAK_BEFORE = re.compile(r"(?:\b(?:Prof|Dr|Univ|Inst|Dept|Assoc|Asst|No|Co|Ltd|Inc|Corp|Jr|Sr|St|Mr|Ms|Mrs|vs|e\.g|i\.e|etc|approx|U\.S|Nat|Natl|Sci|Tech|Acad|Res|Lab|Ctr|Fig|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.|\b[A-Z]\.)$")
_CLAUSE_SPLIT = re.compile(
    r"[;；]|、また、?|。|また、|さらに、|\s+and\s+(?=(?:I\b|also\b|received\b|was\b|am\b|have\b|has\b|served\b|serve\b|signed\b|hold\b|held\b|participat|since\b|from\b|as\s+(?:a|an)\b))|,\s+(?=(?:and\s+)?(?:I\b|while\b|since\b))"
)
_HEADING_MARK = re.compile(r"^\s*(?:#+|【|\[|■|□|◆|●|\d{1,2}[.)]|[IVX]{1,4}[.)])?\s*(.{1,60}?)\s*(?:】|\]|[:：])?\s*$")
ROLE_WINDOW = 120  # characters between a role and the organization it belongs to


@dataclass
class Segment:
    start: int
    end: int
    kv: bool = False
    clauses: list[tuple[int, int]] = field(default_factory=list)


def segments(text: str) -> list[Segment]:
    """Lines, key: value blocks (one record of a flattened form), sentences and their clauses."""
    out: list[Segment] = []
    pos = 0
    kv_block: Segment | None = None
    kv_keys: set[str] = set()
    for line in text.splitlines(keepends=True):
        line_start, line_end = pos, pos + len(line.rstrip("\r\n"))
        pos += len(line)
        body = text[line_start:line_end]
        if not body.strip():
            kv_block = None
            continue
        kv = _KV_LINE.match(body)
        if kv and len(kv.group(2)) < 200:
            key = kv.group(1).strip().casefold()
            if kv_block is None or key in kv_keys:
                kv_block = Segment(line_start, line_end, kv=True)
                kv_keys = set()
                out.append(kv_block)
            kv_keys.add(key)
            kv_block.end = line_end
            continue
        kv_block = None
        start = line_start
        for m in _SENTENCE_END.finditer(body):
            cut = line_start + m.start()
            if cut <= start or _NO_BREAK_BEFORE.search(text[max(start, cut - 12) : cut].rstrip()):
                continue
            out.append(Segment(start, cut))
            start = line_start + m.end()
        if start < line_end:
            out.append(Segment(start, line_end))
    for seg in out:
        seg.clauses = _lines(text, seg.start, seg.end) if seg.kv else _clauses(text, seg.start, seg.end)
    return out


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    for line in text[start:end].split("\n"):
        if line.strip():
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, cur = [], start
    for m in _CLAUSE_SPLIT.finditer(text, start, end):
        if m.start() > cur:
            out.append((cur, m.start()))
        cur = m.end()
    if cur < end:
        out.append((cur, end))
    return [(s, e) for s, e in out if text[s:e].strip()] or [(start, end)]


@dataclass
class RoleMention:
    start: int
    end: int
    text: str
    normalized: str
    relation: str


def find_roles(norm: str, pats: LangPatterns, start: int = 0, end: int | None = None) -> list[RoleMention]:
    end = len(norm) if end is None else end
    found: list[RoleMention] = []
    for rule in pats.roles:
        for m in rule.regex.finditer(norm, start, end):
            if m.end() == m.start() or any(m.start() < r.end and r.start < m.end() for r in found):
                continue
            found.append(RoleMention(m.start(), m.end(), norm[m.start() : m.end()].strip(), rule.normalized, rule.relation))
    return sorted(found, key=lambda r: r.start)


def heading_relation(line: str, pats: LangPatterns) -> str | None:
    """The relation a section heading announces ("Research support:" -> FUNDED_BY), or None."""
    m = _HEADING_MARK.match(line)
    if not m or len(line.strip()) > 60:
        return None
    title = m.group(1)
    for section in pats.sections:
        if section.regex.search(title):
            return section.label
    return None


class RelationExtractor:
    """Turns the mentions of one paragraph into facts.

    A clause's strongest cue decides the relation for each organization in it: a talent program
    is participation; a contract word makes the organization a party; a funding word (or an
    amount, a grant number, a program) makes it a funder — unless an appointment role stands right
    next to it; otherwise the nearest role decides (appointment or advisory/board role).
    """

    def __init__(self, nlp: Language, name: str, lang: str):
        self.name = name
        self.lang = lang
        self.pats = lang_patterns(lang)
        self.prefer_role_after = lang == "ja"

    def __call__(self, doc: Doc) -> Doc:
        state = kizuna_state(doc)
        norm = state["norm"]
        facts: list[Fact] = []
        headings: list[tuple[int, str | None]] = []
        for seg in segments(norm):
            seg_text = norm[seg.start : seg.end]
            seg_orgs = [o for o in state["orgs"] if seg.start <= o.start < seg.end]
            relation = heading_relation(seg_text, self.pats)
            if relation and not seg_orgs and not self.pats.negation.search(seg_text.split(":")[-1].split("：")[-1] or "x"):
                headings.append((seg.start, relation))
                continue
            if relation and not seg_orgs:
                headings.append((seg.start, "NONE"))
                continue
            seg_dates = [d for d in state["dates"] if seg.start <= d.start_char < seg.end]
            # In a key: value record (Organization: X / Title: Y / Period: Z) the role and the
            # dates sit on other lines than the organization.
            seg_roles = find_roles(norm, self.pats, seg.start, seg.end) if seg.kv else []
            for c_start, c_end in seg.clauses:
                facts.extend(self._clause_facts(doc, state, c_start, c_end, seg_dates, seg_roles))
        state["facts"] = facts
        state["headings"] = headings
        return doc

    def _clause_facts(self, doc: Doc, state: dict, start: int, end: int, seg_dates: list[DateRange], seg_roles: list[RoleMention]) -> list[Fact]:
        norm = state["norm"]
        clause = norm[start:end]
        orgs = [o for o in state["orgs"] if start <= o.start < end]
        if not orgs or self.pats.negation.search(clause):
            return []
        pats = self.pats
        all_roles = find_roles(norm, pats, start, end)
        # NER often swallows a job title ("Professor", "ロスコスモス 諮問委員"); a role word is never
        # part of the party: cut the mention before the role, or drop it when nothing is left.
        orgs = [o for o in (_cut_before_roles(o, all_roles, doc.text) for o in orgs) if o is not None]
        if not orgs:
            return []
        roles = [r for r in all_roles if not any(o.start <= r.start < o.end for o in orgs)] or seg_roles
        dates = [d for d in state["dates"] if start <= d.start_char < end] or seg_dates
        amounts = [a for a in state["amounts"] if start <= a.start < end]
        grants = [g for g in state["grants"] if start <= g.start < end]
        contract = pats.contract.search(clause)
        funding = pats.funding.search(clause) or amounts or grants or any(o.label == "PROGRAM" for o in orgs)
        kinds = [k.label for k in pats.contract_kinds if k.regex.search(clause)]
        clauses = [c.label for c in pats.clauses if c.regex.search(clause)]
        pi_role = next((p.label for p in pats.pi_roles if p.regex.search(clause)), None)
        # A program name and its funder in one clause are one fact (the funder, with the program).
        program = next((o for o in orgs if o.label == "PROGRAM"), None)
        orgs = [o for o in orgs if not (o.label == "PROGRAM" and any(x.entry_id == o.entry_id and x.label == "ORG" for x in orgs))]
        ev_start, ev_end = _trim(norm, start, end)
        facts: list[Fact] = []

        def fact(relation: str, org: OrgMention, cue: str, role: RoleMention | None = None, **extra) -> Fact:
            anchor = org.start
            date = _nearest(dates, anchor, key=lambda d: d.start_char)
            if date is None and org.source == "anaphora":  # 同大学から…: the time of the sentence before
                earlier = [d for d in state["dates"] if d.end_char <= org.start]
                date = earlier[-1] if earlier else None
            return Fact(
                relation=relation, org=org, start=ev_start, end=ev_end, text=doc.text[ev_start:ev_end], lang=self.lang,
                role=doc.text[role.start : role.end] if role else None,
                role_normalized=role.normalized if role else None,
                date_start=date.start if date else None, date_end=date.end if date else None,
                relation_cue=cue, **extra,
            )

        # Each role goes to its nearest organization; an organization no role chose takes its
        # nearest role. "Professor and Director, Shinshu University" gives two facts.
        plain = [o for o in orgs if o.label == "ORG"]
        chosen: dict[int, list[RoleMention]] = {}
        for role in roles:
            target = self._org_for(role, plain)
            if target is not None:
                chosen.setdefault(id(target), []).append(role)
        for org in orgs:
            if org.label == "TALENT":
                facts.append(fact("PARTICIPATES_IN", org, "talent"))
                continue
            nearest = self._role_for(org, roles)
            org_roles = chosen.get(id(org)) or ([nearest] if nearest is not None else [])
            near_role = any(_gap(r, org) <= 25 for r in org_roles)
            role = org_roles[0] if org_roles else None
            if contract and not (near_role and role.relation == "AFFILIATED_WITH" and not kinds):
                kind = kinds[0] if kinds else "other"
                facts.append(fact("PARTY_TO", org, "contract", contract_kind=kind, clauses=clauses))
                facts.extend(fact("ADVISES", org, "role", r) for r in org_roles if r.relation == "ADVISES")
                if kind == "sponsored_research":  # the sponsor pays for the research: also funding
                    amount = _nearest(amounts, org.start, key=lambda a: a.start)
                    facts.append(fact("FUNDED_BY", org, "contract", amount=amount.value if amount else None, currency=amount.currency if amount else None, pi_role=pi_role))
                continue
            funder_like = org.label == "PROGRAM" or org.kind in ("funder", "government_body", "military_body")
            if funding and (funder_like or not near_role):
                amount = _nearest(amounts, org.start, key=lambda a: a.start)
                grant = _nearest(grants, org.start, key=lambda g: g.start)
                prog = org if org.label == "PROGRAM" else program
                facts.append(
                    fact(
                        "FUNDED_BY", org, "funding",
                        amount=amount.value if amount else None, currency=amount.currency if amount else None,
                        grant_number=grant.value if grant else None,
                        program=doc.text[prog.start : prog.end] if prog else None, pi_role=pi_role,
                    )
                )
                continue
            if org_roles:
                facts.extend(fact(r.relation, org, "role", r) for r in org_roles)
            else:
                facts.append(fact("", org, "none"))  # relation decided by the section heading, if any
        return facts

    def _org_for(self, role: RoleMention, orgs: list[OrgMention]) -> OrgMention | None:
        best, best_score = None, None
        for org in orgs:
            gap = _gap(role, org)
            if gap > ROLE_WINDOW:
                continue
            preferred = (role.start >= org.end) == self.prefer_role_after
            score = gap * (1.0 if preferred else 1.6)
            if best_score is None or score < best_score:
                best, best_score = org, score
        return best

    def _role_for(self, org: OrgMention, roles: list[RoleMention]) -> RoleMention | None:
        best, best_score = None, None
        for role in roles:
            gap = _gap(role, org)
            if gap > ROLE_WINDOW:
                continue
            role_after = role.start >= org.end
            preferred = role_after == self.prefer_role_after
            score = gap * (1.0 if preferred else 1.6)
            if best_score is None or score < best_score:
                best, best_score = role, score
        return best


def _cut_before_roles(org: OrgMention, roles: list[RoleMention], text: str) -> OrgMention | None:
    if org.source != "ner":
        return org
    overlapping = [r for r in roles if r.start < org.end and org.start < r.end]
    if not overlapping:
        return org
    end = min(r.start for r in overlapping)
    while end > org.start and (text[end - 1].isspace() or text[end - 1] in "の、,"):
        end -= 1
    if end <= org.start or not _plausible_org(text[org.start : end]):
        return None
    return OrgMention(org.start, end, text[org.start : end], org.entry_id, org.kind, org.label, org.source, org.antecedent)


def _gap(role: RoleMention, org: OrgMention) -> int:
    if role.start >= org.end:
        return role.start - org.end
    if org.start >= role.end:
        return org.start - role.end
    return 0


def _nearest(items: list, anchor: int, key):
    return min(items, key=lambda x: abs(key(x) - anchor)) if items else None


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in "-*•・■□◆●、,;；"):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@Language.factory("kizuna_relations", default_config={"lang": "en"})
def make_relations(nlp: Language, name: str, lang: str) -> RelationExtractor:
    return RelationExtractor(nlp, name, lang)

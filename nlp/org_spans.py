"""Token-level boundaries and context cues for organization mentions (rules in org_spans.yaml).

Why: the organization-name shapes match characters (Sudachi tokens do not respect organization
boundaries), so they can start inside a date (2002年UFJ…) or run into a title (…代表取締役会長);
GiNZA's spans have the same trouble at the right edge; and many organizations have no telling
suffix at all (バンダイ, ロサンゼルス・レイカーズ) but sit next to words that only organizations
take (に入社, の子会社, X戦). Tokens and their part-of-speech tags fix both cheaply.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc

from nlp.patterns import load_pattern_file


@dataclass(frozen=True)
class SpanRules:
    leading_junk_tags: tuple[str, ...]
    leading_junk_tags_when_short: tuple[str, ...]
    leading_junk_words: frozenset[str]
    ordinal_prefix: str
    suffix_words: tuple[str, ...]
    trailing_cut_words: frozenset[str]
    legal_form: re.Pattern
    after_cues: re.Pattern | None
    before_cues: re.Pattern | None
    not_names: frozenset[str]
    name_token_text: re.Pattern
    name_token_tag: str
    not_name_token_tag: str
    ner_needs_name_token: bool
    place_only_is_not_org: bool
    place_token_tag: str


@lru_cache(maxsize=None)
def span_rules(lang: str) -> SpanRules | None:
    """The rules for ``lang``, or None when the file has none for it."""
    data = load_pattern_file("org_spans.yaml").get(lang)
    if not data:
        return None
    context = data.get("context", {})

    def alternation(words: list[str]) -> re.Pattern | None:
        return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))) if words else None

    return SpanRules(
        leading_junk_tags=tuple(data.get("leading_junk_tags", [])),
        leading_junk_tags_when_short=tuple(data.get("leading_junk_tags_when_short", [])),
        leading_junk_words=frozenset(data.get("leading_junk_words", [])),
        ordinal_prefix=data.get("ordinal_prefix", "\x00"),
        suffix_words=tuple(data.get("suffix_words", [])),
        trailing_cut_words=frozenset(data.get("trailing_cut_words", [])),
        legal_form=alternation(data.get("legal_form_prefixes", [])) or re.compile(r"(?!x)x"),
        after_cues=alternation(context.get("after", [])),
        before_cues=alternation(context.get("before", [])),
        not_names=frozenset(context.get("not_names", [])),
        name_token_text=re.compile(context.get("name_token_text", r"(?!x)x")),
        name_token_tag=context.get("name_token_tag", "\x00"),
        not_name_token_tag=context.get("not_name_token_tag", "\x00"),
        ner_needs_name_token=bool(data.get("ner_needs_name_token")),
        place_only_is_not_org=bool(data.get("place_only_is_not_org")),
        place_token_tag=data.get("place_token_tag", "\x00"),
    )


class TokenView:
    """Token offsets and tags of one doc, read once (spaCy builds a Token object per access)."""

    def __init__(self, doc: Doc):
        self.starts = [t.idx for t in doc]
        self.ends = [t.idx + len(t) for t in doc]
        self.texts = [t.text for t in doc]
        self.tags = [t.tag_ for t in doc]
        self.start_index = {s: i for i, s in enumerate(self.starts)}
        self.end_index = {e: i for i, e in enumerate(self.ends)}

    def covering(self, start: int, end: int) -> range:
        """Indexes of the tokens that overlap [start, end)."""
        first = bisect.bisect_right(self.ends, start)
        last = bisect.bisect_left(self.starts, end)
        return range(first, last)


def refine(view: TokenView, rules: SpanRules, text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span on token boundaries: without leading junk, with an ordinal (第77) before a unit,
    ending at the end of a token that ends in an organization word or else before a token it
    stops inside, cut before a title or relation word, extended over organization words that
    follow it, and without a legal-form prefix; None when nothing is left."""
    idx = list(view.covering(start, end))
    if not idx:
        return None
    while len(idx) > 1 and _leading_junk(view, rules, idx[0]):
        idx.pop(0)
    first, last = idx[0], idx[-1]
    if first >= 2 and view.texts[first - 2] == rules.ordinal_prefix and "数詞" in view.tags[first - 1]:
        first -= 2
    start = view.starts[first]
    if view.ends[last] > end:  # the match stops inside a token
        if view.texts[last].endswith(rules.suffix_words):
            end = view.ends[last]
        elif view.starts[last] > start:
            end = view.starts[last]
    for i in idx[1:]:
        if view.texts[i] in rules.trailing_cut_words and start < view.starts[i] < end:
            end = view.starts[i]
            break
    end = extend_over_suffixes(view, rules, end)
    prefix = rules.legal_form.match(text, start, end)
    if prefix and end - prefix.end() >= 2:
        start = prefix.end()
    return (start, end) if end - start >= 1 else None


def split_coordination(text: str, rules: SpanRules, start: int, end: int) -> list[tuple[int, int]]:
    """政友会・民政党 names two organizations: split at a ・ that follows an organization word."""
    out, cur = [], start
    pos = text.find("・", start, end)
    while pos != -1:
        if pos + 1 < end and text[cur:pos].endswith(rules.suffix_words):
            out.append((cur, pos))
            cur = pos + 1
        pos = text.find("・", pos + 1, end)
    out.append((cur, end))
    return out


def extend_over_suffixes(view: TokenView, rules: SpanRules, end: int) -> int:
    """The end of the organization words (航空, 会社, 交響楽団 …) that directly follow ``end``."""
    nxt = view.start_index.get(end)
    while nxt is not None and view.texts[nxt] in rules.suffix_words:
        end = view.ends[nxt]
        nxt = view.start_index.get(end)
    return end


def _leading_junk(view: TokenView, rules: SpanRules, i: int) -> bool:
    text, tag = view.texts[i], view.tags[i]
    if text in rules.leading_junk_words or any(t in tag for t in rules.leading_junk_tags):
        return True
    short = len(text) == 1 or any(ch.isdigit() for ch in text)
    return short and any(t in tag for t in rules.leading_junk_tags_when_short)


def name_evidence_ok(view: TokenView, rules: SpanRules, start: int, end: int, source: str) -> bool:
    """Whether the tokens of a mention look like a name: not only place-name tokens, and for the
    NER model's mentions at least one proper noun, katakana or Latin token."""
    idx = view.covering(start, end)
    tags = [view.tags[i] for i in idx]
    if rules.place_only_is_not_org and tags and all(rules.place_token_tag in t for t in tags):
        return False
    if source == "ner" and rules.ner_needs_name_token:
        return any(rules.name_token_tag in view.tags[i] or rules.name_token_text.match(view.texts[i]) for i in idx)
    return True


def context_spans(view: TokenView, rules: SpanRules, text: str, ents: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    """Names next to an organization cue: the NER entity ending (starting) at the cue, or the
    run of name tokens there."""
    out: list[tuple[int, int]] = []
    ending = {e: (s, e, label) for s, e, label in ents}
    starting = {s: (s, e, label) for s, e, label in ents}
    if rules.after_cues is not None:
        for m in rules.after_cues.finditer(text):
            pos = m.start()
            if pos not in view.start_index or m.end() not in view.end_index:  # 戦 but not 戦争
                continue
            ent = ending.get(pos)
            if ent is not None and ent[2] not in rules.not_names:
                out.append((ent[0], ent[1]))
                continue
            i = view.start_index[pos] - 1
            first = None
            while i >= 0 and is_name_token(view, rules, i) and (first is None or view.ends[i] == view.starts[first]):
                first = i
                i -= 1
            if first is not None and view.ends[view.start_index[pos] - 1] == pos:
                out.append((view.starts[first], pos))
    if rules.before_cues is not None:
        for m in rules.before_cues.finditer(text):
            pos = m.end()
            if pos not in view.start_index:
                continue
            ent = starting.get(pos)
            if ent is not None and ent[2] not in rules.not_names:
                out.append((ent[0], ent[1]))
                continue
            i = view.start_index[pos]
            last = None
            while i < len(view.texts) and is_name_token(view, rules, i) and (last is None or view.starts[i] == view.ends[last]):
                last = i
                i += 1
            if last is not None:
                out.append((pos, view.ends[last]))
    return out


def is_name_token(view: TokenView, rules: SpanRules, i: int) -> bool:
    """A token that can be part of a name: proper noun other than a place, katakana, Latin, digits."""
    tag = view.tags[i]
    if rules.name_token_tag in tag and rules.not_name_token_tag not in tag:
        return True
    return bool(rules.name_token_text.match(view.texts[i]))

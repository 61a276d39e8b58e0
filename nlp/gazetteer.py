"""The organization gazetteer: every name and alias the graph knows, in every script, matched in text.

Why a gazetteer at all: off-the-shelf NER tags 清華大学 as a person and misses 防衛装備庁 and 千人計画
entirely. Names the graph already holds (ROR labels in every language, watch-list aliases, funders,
talent programs) are the strongest evidence an organization is meant, and matching them also links
the mention to a graph id at once.

Why Aho-Corasick over characters (ahocorasick-rs) rather than spaCy's token PhraseMatcher: Japanese
has no spaces and Sudachi's tokens do not respect organization boundaries (防衛装備庁長官 is one
token, 清華大学 may be one or two), so token-sequence matching misses names that character matching
finds; the automaton also matches tens of thousands of names in one linear pass.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import ahocorasick_rs
import yaml

from kizuna.ids import identifier_id, make_id

DATA = Path(__file__).resolve().parent / "data"
MIN_NAME_CHARS = {"latin": 3, "cjk": 2}
# Words too generic to stand alone as an organization name, even if some list carries them.
STOP_NAMES = {
    "university", "institute", "college", "school", "department", "ministry", "agency", "center", "centre",
    "laboratory", "academy", "foundation", "council", "office", "company", "group", "program", "plan",
    "大学", "研究所", "研究院", "学院", "大学院", "研究科", "学部", "機構", "財団", "協会", "センター", "本部",
    "present", "date", "none", "the", "and", "inc", "ltd", "state", "china", "japan", "russia", "iran",
    "pi", "co", "ip", "it", "ai", "us", "uk", "eu", "phd", "ceo", "cto", "mou", "nda", "fy", "no",
}


@dataclass
class OrgEntry:
    """One organization (or talent program) with every name it is known by."""

    id: str
    name: str
    names: list[str] = field(default_factory=list)
    kind: str | None = None
    ror: str | None = None
    country: str | None = None
    programs: list[str] = field(default_factory=list)
    unresolved: bool = False


@dataclass(frozen=True)
class GazetteerHit:
    start: int
    end: int
    entry_id: str
    label: str  # ORG or PROGRAM (a funding program name, e.g. KAKENHI, attached to its funder)


def normalize_name(text: str) -> str:
    """NFKC, case-folded, punctuation and spaces collapsed: the key for exact name matching."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[\s\.,'’`\"()\[\]（）「」・･\-‐–—/&]+", " ", text)
    text = re.sub(r"^(?:the|a)\s+", "", text.strip())
    return text.strip()


def _is_cjk(ch: str) -> bool:
    return "\u3040" <= ch <= "\u30ff" or "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


@lru_cache(maxsize=1)
def _t2jp() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in (DATA / "kanji_t2jp.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        for pair in line.split():
            if len(pair) == 2 and pair[0] != pair[1]:
                table[pair[0]] = pair[1]
    return table


@lru_cache(maxsize=1)
def _opencc():
    import opencc

    return opencc.OpenCC("s2t"), opencc.OpenCC("t2s")


_QUALIFIER = re.compile(r"\s*\([^()]{2,40}\)\s*$")


def script_variants(name: str) -> set[str]:
    """The same Han-script name in simplified Chinese, traditional Chinese and Japanese kanji,
    so that 清华大学 (ROR's label) also finds 清華大学 in a Japanese disclosure."""
    out = {name}
    # ROR qualifies company names with their country ("Google (United States)", "KDDI (Japan)");
    # running text never does, so the bare name is a variant too.
    bare = _QUALIFIER.sub("", name)
    if bare != name and bare:
        out.add(bare)
    if not any("\u3400" <= ch <= "\u9fff" for ch in name):
        return out
    s2t, t2s = _opencc()
    trad = s2t.convert(name)
    table = _t2jp()
    out.update({trad, t2s.convert(name), "".join(table.get(ch, ch) for ch in trad)})
    return out


class Gazetteer:
    """Names -> entries, compiled into two automata: case-insensitive full names and case-sensitive
    acronyms (so "CAS" matches but "cas" in running text does not)."""

    def __init__(self, entries: Iterable[OrgEntry] = ()):
        self.entries: dict[str, OrgEntry] = {}
        self._by_name: dict[str, str] = {}
        self._program_of: dict[str, str] = {}
        self._folded: ahocorasick_rs.AhoCorasick | None = None
        self._exact: ahocorasick_rs.AhoCorasick | None = None
        self._folded_keys: list[tuple[str, str, str]] = []
        self._exact_keys: list[tuple[str, str, str]] = []
        for entry in entries:
            self.add(entry)

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, entry: OrgEntry) -> None:
        """Register an entry; an existing entry with the same id gains the new names. A name
        already owned by another entry keeps its first owner (graph entries are added first)."""
        current = self.entries.get(entry.id)
        if current is None:
            self.entries[entry.id] = current = OrgEntry(entry.id, entry.name, [], entry.kind, entry.ror, entry.country, [], entry.unresolved)
        for name in [entry.name, *entry.names]:
            if name and name not in current.names:
                current.names.append(name)
            for variant in script_variants(name):
                self._by_name.setdefault(normalize_name(variant), entry.id)
        for program in entry.programs:
            current.programs.append(program)
            self._program_of.setdefault(normalize_name(program), entry.id)
        self._folded = self._exact = None

    def lookup(self, name: str) -> OrgEntry | None:
        """Exact look-up of a name after normalization (all scripts)."""
        entry_id = self._by_name.get(normalize_name(name))
        return self.entries.get(entry_id) if entry_id else None

    def funder_of_program(self, program: str) -> OrgEntry | None:
        entry_id = self._program_of.get(normalize_name(program))
        return self.entries.get(entry_id) if entry_id else None

    # -- matching -------------------------------------------------------------------------------

    def _compile(self) -> None:
        folded: dict[str, tuple[str, str]] = {}
        exact: dict[str, tuple[str, str]] = {}

        def register(surface: str, entry_id: str, label: str) -> None:
            surface = unicodedata.normalize("NFKC", surface).strip()
            if normalize_name(surface) in STOP_NAMES:
                return
            cjk = any(_is_cjk(ch) for ch in surface)
            if len(surface) < MIN_NAME_CHARS["cjk" if cjk else "latin"]:
                return
            acronym = not cjk and len(surface) <= 6 and surface.upper() == surface and " " not in surface
            if acronym:
                exact.setdefault(surface, (entry_id, label))
            else:
                folded.setdefault(surface.casefold(), (entry_id, label))

        for entry in self.entries.values():
            for name in entry.names:
                for variant in script_variants(name):
                    register(variant, entry.id, "ORG")
            for program in entry.programs:
                for variant in script_variants(program):
                    register(variant, entry.id, "PROGRAM")
        self._folded_keys = [(k, *v) for k, v in folded.items()]
        self._exact_keys = [(k, *v) for k, v in exact.items()]
        kind = ahocorasick_rs.MatchKind.LeftmostLongest
        self._folded = ahocorasick_rs.AhoCorasick([k for k, _, _ in self._folded_keys] or ["\x00"], matchkind=kind)
        self._exact = ahocorasick_rs.AhoCorasick([k for k, _, _ in self._exact_keys] or ["\x00"], matchkind=kind)

    def find(self, text: str) -> list[GazetteerHit]:
        """Non-overlapping, longest-first matches with Latin word boundaries respected."""
        if self._folded is None:
            self._compile()
        norm = unicodedata.normalize("NFKC", text)
        if len(norm) != len(text):  # keep offsets aligned with the original text
            norm = "".join(unicodedata.normalize("NFKC", ch) if len(unicodedata.normalize("NFKC", ch)) == 1 else ch for ch in text)
        hits: list[GazetteerHit] = []
        for automaton, keys, haystack in (
            (self._folded, self._folded_keys, _fold_same_length(norm)),
            (self._exact, self._exact_keys, norm),
        ):
            for index, start, end in automaton.find_matches_as_indexes(haystack):
                if index >= len(keys):
                    continue
                if not _boundaries_ok(norm, start, end):
                    continue
                _, entry_id, label = keys[index]
                hits.append(GazetteerHit(start, end, entry_id, label))
        hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
        kept: list[GazetteerHit] = []
        last_end = -1
        for hit in hits:
            if hit.start >= last_end:
                kept.append(hit)
                last_end = hit.end
        return kept


def _fold_same_length(text: str) -> str:
    folded = text.casefold()
    if len(folded) == len(text):
        return folded
    return "".join(ch.casefold() if len(ch.casefold()) == 1 else ch for ch in text)


def _boundaries_ok(text: str, start: int, end: int) -> bool:
    """A Latin-script name must not start or end inside a word ("CAS" in "CASE")."""
    first, last = text[start], text[end - 1]
    if first.isascii() and first.isalnum() and start > 0 and text[start - 1].isascii() and text[start - 1].isalnum():
        return False
    if last.isascii() and last.isalnum() and end < len(text) and text[end].isascii() and text[end].isalnum():
        return False
    return True


# -- sources of entries ---------------------------------------------------------------------------


def seed_entries(path: Path | None = None) -> list[OrgEntry]:
    """The bundled seed: Japanese funders and government bodies, and talent programs."""
    raw = yaml.safe_load((path or DATA / "seed_orgs.yaml").read_text(encoding="utf-8"))
    out = []
    for item in raw.get("organizations", []):
        out.append(_seed_entry(item, item["kind"]))
    for item in raw.get("talent_programs", []):
        out.append(_seed_entry(item, "talent_program"))
    return out


def _seed_entry(item: dict, kind: str) -> OrgEntry:
    names = [str(n) for n in item["names"]]
    org_id = identifier_id("org", "ror", item["ror"]) if item.get("ror") else make_id("org", "kizuna-seed", item["key"])
    return OrgEntry(org_id, names[0], names, kind, item.get("ror"), item.get("country"), [str(p) for p in item.get("programs", [])])


def ror_entries(path: Path) -> list[OrgEntry]:
    """Entries from a ROR dump (schema v1 or v2, JSON lines) — used by the evaluation when the
    graph is not loaded; in production the graph (filled by the ROR ingestor) is the source."""
    import json

    out = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            rec = json.loads(line)
            ror = rec["id"].rsplit("/", 1)[-1]
            if "names" in rec:
                names = [n["value"] for n in rec["names"]]
                display = next((n["value"] for n in rec["names"] if "ror_display" in n.get("types", [])), names[0])
            else:
                display = rec["name"]
                names = [display, *rec.get("aliases", []), *rec.get("acronyms", []), *(lab["label"] for lab in rec.get("labels", []))]
            out.append(OrgEntry(identifier_id("org", "ror", ror), display, names, None, ror))
    return out


def build_gazetteer(*groups: Iterable[OrgEntry]) -> Gazetteer:
    gaz = Gazetteer()
    for group in groups:
        for entry in group:
            gaz.add(entry)
    return gaz


_ROR_KIND = {"education": "university", "funder": "funder", "government": "government_body", "company": "company",
             "facility": "research_institute", "healthcare": "other", "nonprofit": "other", "archive": "other", "other": "other"}


def ror_kind(types: Iterable[str]) -> str | None:
    kinds = [_ROR_KIND.get(t.lower()) for t in types]
    for preferred in ("university", "government_body", "company", "research_institute", "funder"):
        if preferred in kinds:
            return preferred
    return kinds[0] if kinds else None


def shared_data_entries(root: Path) -> list[OrgEntry]:
    """Organizations from the real public files in ../shared/data (ROR subset, DoD §1286 list,
    ASPI tracker, Canada NRO), read in place. Used by the evaluation and the benchmark so that
    the gazetteer matches what the graph holds after ingest, without needing the graph."""
    import csv
    import json

    out: list[OrgEntry] = []
    for name in ("ror_subset_schema_v2.jsonl", "ror_subset_schema_v1.jsonl"):
        path = root / "ror" / name
        if path.exists():
            for entry in ror_entries(path):
                out.append(entry)
    for entry, line in zip(out, _ror_types(root)):
        entry.kind = ror_kind(line)
    path = root / "opensanctions_repo_lists" / "us_dod_section1286_institutions_talent_programs.csv"
    if path.exists():
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                names = [row["name"], *(a.strip() for a in (row.get("aliases") or "").split(";") if a.strip())]
                talent = "talent" in " ".join(names).lower() or "scholar" in row["name"].lower()
                out.append(OrgEntry(make_id("org", "dod-1286", row["name"]), row["name"], names, "talent_program" if talent else None))
    path = root / "aspi_china_defence_universities" / "misp_galaxy_china-defence-universities.json"
    if path.exists():
        for value in json.loads(path.read_text(encoding="utf-8"))["values"]:
            names = [value["value"], *value.get("meta", {}).get("aliases", [])]
            out.append(OrgEntry(make_id("org", "aspi", value["value"]), value["value"], names, None))
    path = root / "canada_nro" / "rstoolkit_nro_organizations.json"
    if path.exists():
        for org in json.loads(path.read_text(encoding="utf-8"))["organizations"]:
            out.append(OrgEntry(make_id("org", "canada-nro", org["id"]), org["name"], [org["name"], *org.get("aliases", [])], None))
    return out


def _ror_types(root: Path) -> Iterator[list[str]]:
    import json

    for name in ("ror_subset_schema_v2.jsonl", "ror_subset_schema_v1.jsonl"):
        path = root / "ror" / name
        if path.exists():
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    yield json.loads(line).get("types", [])

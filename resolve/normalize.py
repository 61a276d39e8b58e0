"""Name normalization for entity resolution: one comparable form for names written in any script.

Why: the same organization arrives as "Tsinghua Univ.", "清華大學", "清华大学" or "TSINGHUA UNIVERSITY";
a person as "Prof. Dr. Taro Yamada", "YAMADA, Taro" or "山田太郎". Matching compares the forms built
here, never raw strings. Every conversion uses a maintained library (OpenCC for Chinese/Japanese
character forms, pykakasi for Japanese, pypinyin for Chinese, cyrtranslit for Cyrillic, anyascii
for every other script), so the rules below are only about *words*, not about scripts.

Nothing here looks at what language or origin a name "is" in order to judge it: script conversion
only makes two spellings comparable.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import cyrtranslit
import opencc
import pykakasi
from anyascii import anyascii
from pypinyin import lazy_pinyin

_T2S = opencc.OpenCC("t2s")
_KAKASI = pykakasi.kakasi()

# Japanese shinjitai forms that OpenCC's t2s leaves alone, mapped to the simplified Chinese form,
# so that 清華大学 / 清華大學 / 清华大学 (and 広島 / 廣島 / 广岛) meet in one key.
_SHINJITAI_TO_SIMPLIFIED = str.maketrans(
    {
        "広": "广", "沢": "泽", "駅": "驿", "図": "图", "圧": "压", "検": "检", "験": "验", "総": "总",
        "関": "关", "発": "发", "転": "转", "伝": "传", "営": "营", "鉄": "铁", "気": "气", "対": "对",
        "戦": "战", "械": "械", "済": "济", "経": "经", "団": "团", "児": "儿", "応": "应", "変": "变",
        "続": "续", "読": "读", "売": "卖", "歳": "岁", "拡": "扩", "労": "劳", "帰": "归", "浜": "滨",
        "剤": "剂", "悪": "恶", "囲": "围", "桜": "樱", "権": "权", "専": "专", "称": "称", "処": "处",
        "択": "择", "沖": "冲", "縄": "绳", "県": "县", "隣": "邻", "郷": "乡", "徳": "德", "黒": "黑",
        "恵": "惠", "実": "实", "価": "价", "証": "证", "薬": "药", "楽": "乐", "芸": "艺", "器": "器",
        "様": "样", "礼": "礼", "弁": "办", "辺": "边", "巣": "巢", "単": "单", "営": "营", "来": "来",
        "亜": "亚", "仏": "佛", "為": "为", "挙": "举", "霊": "灵", "頼": "赖", "舗": "铺", "陥": "陷",
    }
)

_PUNCT_CATEGORIES = ("P", "S", "Z", "C")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# A parenthesis in a name, ASCII or full-width, with the space before it: "Ummah Tameer E-Nau (UTN)",
# "Anhui University (安徽大学)" hold a second name there.
PARENTHESES = re.compile(r"\s*[(（][^)）]*[)）]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")

# --- organization vocabulary ------------------------------------------------------------------
# Variant -> canonical generic word. Keys are already clean (casefolded, punctuation removed)
# single tokens, or CJK words that are split off before romanization.
ORG_GENERIC_WORDS: dict[str, str] = {}
for canonical, variants in {
    "university": "university univ uni universities universidad universidade universite universitat universita "
    "universiteit universitet universiti universitas uniwersytet univerzita daigaku daxue",
    "institute": "institute inst institut instituto istituto instytut institutet institution institutes",
    "academy": "academy acad academia akademie akademiya akademii academie akademia",
    "college": "college coll colegio",
    "school": "school sch schule escuela ecole scuola",
    "center": "center centre ctr centro zentrum tsentr",
    "laboratory": "laboratory laboratories lab labs laboratoire laboratorio labor",
    "hospital": "hospital hosp hopital ospedale krankenhaus",
    "department": "department dept dep departamento departement",
    "faculty": "faculty fac facultad faculte fakultat",
    "technology": "technology tech technol technological technologies tecnologia technologie",
    "science": "science sciences sci scientific ciencias sciences wissenschaften nauk",
    "national": "national natl nat nacional nationale nazionale",
    "research": "research res",
    "engineering": "engineering eng engn",
    "international": "international intl",
    "medical": "medical med medicine",
    "foundation": "foundation fdn fundacion fondation stiftung zaidan",
    "polytechnic": "polytechnic polytech politecnico polytechnique politecnica",
    "corporation": "corporation corp",
    "group": "group grp",
}.items():
    for v in variants.split():
        ORG_GENERIC_WORDS[v] = canonical

# British/American and other spelling variants of ordinary words: variant -> one spelling.
SPELLING_VARIANTS = {"defence": "defense", "organisation": "organization", "programme": "program",
                     "aeronautic": "aeronautics", "centre": "center", "labour": "labor"}

# Legal forms and filler words that carry no identity: dropped from every key.
ORG_DROP_WORDS = frozenset(
    "the of and for in at de del della des du la le el y et und fur der die das van von "
    "co company ltd limited inc incorporated llc plc gmbh ag sa sas spa bv nv kk jsc ojsc pjsc cjsc "
    "oao zao ooo pao ao llp lp pvt pte sdn bhd srl sro as ab oy pla".split()
)

# CJK generic words (checked on the simplified form before romanization): word -> canonical.
CJK_GENERIC_WORDS: dict[str, str] = {
    "大学": "university", "学院": "college", "研究所": "institute", "研究院": "institute",
    "科学院": "academy science", "研究中心": "center research", "中心": "center",
    "实验室": "laboratory", "医院": "hospital", "技术": "technology", "科技": "science technology",
    "国家": "national", "重点": "key",
}
CJK_DROP_WORDS = ("中国人民解放军", "股份有限公司", "有限责任公司", "有限公司", "株式会社", "有限会社", "合同会社", "公司", "财团法人",
                  "公益财团法人", "独立行政法人", "国立研究开发法人", "国立大学法人", "学校法人")

# Cyrillic legal forms, removed before transliteration.
_CYR_LEGAL = re.compile(r"\b(ОАО|ЗАО|ООО|ПАО|АО|ФГУП|ФГБУ|ФГБОУ|ГУП|НИИ|АНО)\b")

# --- person vocabulary --------------------------------------------------------------------------
PERSON_TITLES = frozenset(
    "dr prof professor mr mrs ms miss mx sir dame phd md msc bsc mba jr sr ii iii iv esq rev "
    "hon assoc asst associate assistant emeritus".split()
)
CJK_PERSON_TITLES = ("博士", "教授", "准教授", "助教", "講師", "讲师", "先生", "女士", "氏", "様", "さん", "副教授", "研究员")


# Names are compared on their first MAX_NAME_CHARS characters. No real name comes near it (the
# longest in the ROR subset has under 200); romanizing a 100 000-character "name" took over two
# minutes (pykakasi is superlinear), during which an upload waited.
MAX_NAME_CHARS = 500


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")


def _name_text(text: str) -> str:
    """What a name normalizer reads: the first MAX_NAME_CHARS characters, NFKC, stripped."""
    return nfkc(text[:MAX_NAME_CHARS]).strip()


def clean(text: str) -> str:
    """NFKC, casefolded, accents removed, punctuation and symbols turned into single spaces."""
    text = nfkc(text).casefold().replace("&", " and ").replace("'", "").replace("’", "")
    decomposed = unicodedata.normalize("NFD", text)
    out = []
    for ch in decomposed:
        cat = unicodedata.category(ch)
        if cat == "Mn":
            continue
        out.append(" " if cat[0] in _PUNCT_CATEGORIES else ch)
    return " ".join(unicodedata.normalize("NFC", "".join(out)).split())


def han_form(text: str) -> str:
    """One character form for Chinese/Japanese Han text (traditional and shinjitai -> simplified)."""
    return _T2S.convert(text).translate(_SHINJITAI_TO_SIMPLIFIED)


def has_cjk(text: str) -> bool:
    return bool(_HAN.search(text) or _KANA.search(text))


@lru_cache(maxsize=200_000)
def to_latin(text: str) -> str:
    """Romanize any script: kana/kanji via pykakasi (Hepburn), other Han via pinyin, Cyrillic via
    cyrtranslit (Russian table), everything else via anyascii. Latin text passes through."""
    text = text[:MAX_NAME_CHARS]
    if not _NON_ASCII.search(text):
        return text
    if _KANA.search(text):
        return " ".join(part["hepburn"] for part in _KAKASI.convert(text) if part["hepburn"].strip())
    if _HAN.search(text):
        pieces = []
        for chunk in re.split(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)", text):
            if _HAN.search(chunk):
                pieces.append("".join(lazy_pinyin(han_form(chunk))))
            elif chunk.strip():
                pieces.append(to_latin(chunk))
        return " ".join(pieces)
    if _CYRILLIC.search(text):
        text = cyrtranslit.to_latin(text, "ru")
    return anyascii(text)


def _cjk_org_tokens(text: str) -> list[str]:
    """Split a Han org name into romanized tokens, with generic words canonicalized."""
    simplified = han_form(nfkc(text))
    for word in CJK_DROP_WORDS:
        simplified = simplified.replace(word, " ")
    for word, canonical in sorted(CJK_GENERIC_WORDS.items(), key=lambda kv: -len(kv[0])):
        simplified = simplified.replace(word, f" {canonical} ")
    tokens: list[str] = []
    for chunk in simplified.split():
        if chunk.isascii():
            tokens.extend(clean(chunk).split())
        elif _HAN.search(chunk) and not _KANA.search(chunk):
            tokens.extend(lazy_pinyin(chunk, errors="ignore"))  # one token per syllable
        else:
            tokens.extend(clean(to_latin(chunk)).split())
    return tokens


@dataclass(frozen=True)
class OrgName:
    """Comparable forms of one organization name.

    ``tokens``: canonical tokens (generic words canonicalized, legal forms dropped);
    ``key``: the tokens in order; ``sorted_key``: sorted ("Tokyo University" and "University of
    Tokyo" share it, but so do "Washington University" and "University of Washington", so a
    sorted-only agreement is weaker evidence than an ordered one); ``core``: the distinctive tokens only (no generic words), what actually
    tells two universities apart; ``han``: the simplified Han form for CJK names (exact-compare).
    """

    original: str
    tokens: tuple[str, ...]
    key: str
    sorted_key: str
    core: str
    han: str
    initials: str

    @property
    def is_acronym_like(self) -> bool:
        return is_acronym(self.original)


def is_acronym(text: str) -> bool:
    """A short all-caps token such as HIT, NUDT, BUAA, CAEP (possibly dotted: N.U.D.T.)."""
    compact = re.sub(r"[.\s\-&]", "", nfkc(text))
    return 2 <= len(compact) <= 8 and compact.isupper() and compact.isalnum() and not compact.isdigit()


def acronym_key(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", clean(text))


@lru_cache(maxsize=400_000)
def org_name(text: str) -> OrgName:
    """Normalize one organization name (any script)."""
    raw = _name_text(text)
    han = ""
    if _HAN.search(raw):
        han = han_form(re.sub(r"\s+", "", raw))
        for word in CJK_DROP_WORDS:
            han = han.replace(word, "")
        raw_tokens = _cjk_org_tokens(raw)
    else:
        if _CYRILLIC.search(raw):
            raw = _CYR_LEGAL.sub(" ", raw)
        raw_tokens = clean(to_latin(raw)).split()
    tokens = []
    initials = []
    for tok in raw_tokens:
        if tok in ORG_DROP_WORDS:
            continue
        tok = SPELLING_VARIANTS.get(tok, tok)
        canon = ORG_GENERIC_WORDS.get(tok, tok)
        tokens.extend(canon.split())
        initials.append(tok[0])
    core = [t for t in tokens if t not in _GENERIC_CANON]
    return OrgName(
        original=text,
        tokens=tuple(tokens),
        key=" ".join(tokens),
        sorted_key=" ".join(sorted(tokens)),
        core=" ".join(sorted(core)),
        han=han,
        initials="".join(initials),
    )


_GENERIC_CANON = frozenset(ORG_GENERIC_WORDS.values()) | frozenset(
    w for v in CJK_GENERIC_WORDS.values() for w in v.split()
)


_ACRONYM_FILLER = frozenset("the of and for in at de del la le des du y et und".split())
_TRAILING_FORMS = frozenset("ltd limited inc llc plc jsc co corp".split())


def derived_acronyms(name: str) -> set[str]:
    """Acronyms a name is commonly shortened to: initials of its words with and without filler
    words ("National University of Defense Technology" -> NUDT, "Harbin Institute of Technology" ->
    HIT, "Beijing University of Aeronautics and Astronautics" -> BUAA), where a Chinese place name
    may give one letter per syllable and a compass word one per part ("Tianjin University" -> TJU,
    "Southwest University of Science and Technology" -> SWUST)."""
    if has_cjk(name):
        return set()
    words = clean(to_latin(name)).split()
    if len(words) < 2:
        return set()
    content = [w for w in words if w not in ORG_DROP_WORDS]
    with_and = [w for w in words if w not in ORG_DROP_WORDS or w == "and"]
    # legal-form words often count too: "Mobarakeh Steel Company" -> MSC, "... Technology Co." -> CCTC
    with_forms = [w for w in words if w not in _ACRONYM_FILLER]
    variants = [content, with_and, with_forms]
    while with_forms and with_forms[-1] in _TRAILING_FORMS:
        with_forms = with_forms[:-1]
        variants.append(with_forms)
    out: set[str] = set()
    for variant in variants:
        out.update(_initials(variant))
    return {a for a in out if len(a) >= 3}


_COMPASS_WORDS = {"southwest": "sw", "northwest": "nw", "northeast": "ne", "southeast": "se"}
_MAX_ACRONYM_FORMS = 64


def _initials(words: list[str]) -> list[str]:
    forms = [""]
    for word in words:
        forms = [f + i for f in forms for i in _word_initials(word)][:_MAX_ACRONYM_FORMS]
    return forms


@lru_cache(maxsize=50_000)
def _word_initials(word: str) -> tuple[str, ...]:
    """The ways one word is abbreviated in an acronym: its first letter; one letter per syllable
    when it is a pinyin word of two or more syllables (Tianjin -> tj, Chongqing -> cq: TJU,
    CQUPT); one per part of a compass word (Southwest -> sw: SWUST)."""
    out = [word[0]]
    if word in _COMPASS_WORDS:
        out.append(_COMPASS_WORDS[word])
    syllables = _pinyin_split(word)
    if len(syllables) >= 2:
        out.append("".join(s[0] for s in syllables))
    return tuple(dict.fromkeys(out))


@lru_cache(maxsize=1)
def _pinyin_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable pypinyin knows (~420)."""
    from pypinyin.pinyin_dict import pinyin_dict

    out = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            plain = "".join(c for c in unicodedata.normalize("NFD", reading) if not unicodedata.combining(c))
            out.add(plain.replace("ü", "v"))
    return frozenset(out)


def _pinyin_split(word: str) -> list[str]:
    """``word`` cut into the fewest pinyin syllables, or [] when it is not pinyin. A syllable
    after the first never starts with a, e or o: pinyin writes an apostrophe there (Xi'an), so
    "hunan" is hu-nan, not hun-an."""
    if not word.isascii() or not word.isalpha() or len(word) > 16:
        return []
    syllables = _pinyin_syllables()
    best: list[list[str] | None] = [[]] + [None] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 6), end):
            piece, before = word[start:end], best[start]
            if before is None or piece not in syllables or (start and piece[0] in "aeo"):
                continue
            if best[end] is None or len(before) + 1 < len(best[end]):
                best[end] = before + [piece]
    return best[len(word)] or []


# --- persons ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonName:
    """Comparable forms of one person name.

    Family/given order is unknown in general ("Yamada Taro" vs "Taro Yamada"), so comparisons
    use the sorted token ``key`` and consider initials: "J. Smith" is *compatible* with
    "John Smith" but never equal to it. ``family`` is set only when the writing says so
    ("SMITH, John" or an all-caps surname)."""

    original: str
    tokens: tuple[str, ...]
    key: str
    family: str
    initials: tuple[str, ...]


def _person_text(text: str) -> str:
    """A person name as read (``_name_text``) with its CJK titles (博士, 教授, ...) blanked out."""
    raw = _name_text(text)
    for title in CJK_PERSON_TITLES:
        raw = raw.replace(title, " ")
    return raw


@lru_cache(maxsize=200_000)
def person_name(text: str) -> PersonName:
    raw = _person_text(text)
    family = ""
    if "," in raw:
        fam, _, given = raw.partition(",")
        family_clean = clean(to_latin(fam))
        if family_clean and given.strip():
            family = family_clean
            raw = f"{given} {fam}"
    else:
        caps = [w for w in raw.split() if len(w) > 1 and w.isupper() and w.isalpha()]
        mixed = [w for w in raw.split() if not w.isupper()]
        if caps and mixed:
            family = clean(to_latin(" ".join(caps)))
    if _HAN.search(raw) and not _KANA.search(raw) and " " not in raw.strip():
        # An unspaced Han name: one family character (rarely two) then the given name.
        syllables = lazy_pinyin(han_form(raw.strip()))
        tokens = [syllables[0], "".join(syllables[1:])] if len(syllables) > 1 else syllables
        family = family or syllables[0]
    elif _KANA.search(raw) or (_HAN.search(raw) and " " not in raw.strip()):
        tokens = clean(to_latin(raw)).split()
    else:
        tokens = clean(to_latin(raw)).split()
    tokens = [t for t in tokens if t not in PERSON_TITLES]
    initials = tuple(t for t in tokens if len(t) == 1)
    return PersonName(
        original=text,
        tokens=tuple(tokens),
        key=" ".join(sorted(tokens)),
        family=family,
        initials=initials,
    )


_LONG_VOWELS = (("ou", "o"), ("uu", "u"), ("oo", "o"), ("aa", "a"), ("ii", "i"), ("ee", "e"))


def _plain_romaji(word: str) -> str:
    """Hepburn without long-vowel marks, as names are usually written in Latin ("Satou" -> "Sato")."""
    word = word.replace("'", "")
    for long, short in _LONG_VOWELS:
        word = word.replace(long, short)
    return word


def person_name_forms(text: str) -> list[PersonName]:
    """Every reading of a person name worth comparing. A Han-only name may be read as Chinese
    (pinyin) or Japanese (romaji); both readings are kept because the script does not say which
    reading the person uses — no language or origin is inferred or scored."""
    base = person_name(text)
    raw = _person_text(text).strip()
    if not (_HAN.search(raw) or _KANA.search(raw)) or not raw:
        return [base]
    words = [_plain_romaji(p["hepburn"]) for p in _KAKASI.convert(raw) if p["hepburn"].strip()]
    words = [w for w in (clean(w) for w in words) if w]
    if not words or len(words) < 2:
        return [base]
    romaji = PersonName(text, tuple(words), " ".join(sorted(words)), words[0], ())
    return [base, romaji] if romaji.key != base.key else [base]


def person_names_compatible(a: PersonName, b: PersonName) -> bool:
    """True when the two could be the same name: every full token of the shorter name appears in
    the longer one and every initial matches the first letter of a remaining token. This lets
    "J. Smith" meet "John Smith" and "John A. Smith", but not "Jane Smith"s "K."."""
    short, long_ = (a, b) if len(a.tokens) <= len(b.tokens) else (b, a)
    remaining = list(long_.tokens)
    for tok in short.tokens:
        if len(tok) > 1:
            if tok in remaining:
                remaining.remove(tok)
            else:
                return False
    for tok in short.tokens:
        if len(tok) == 1:
            hit = next((r for r in remaining if r.startswith(tok)), None)
            if hit is None:
                return False
            remaining.remove(hit)
    return bool(short.tokens)

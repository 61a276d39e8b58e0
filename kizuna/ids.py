"""Deterministic ids: the same source and key fields always give the same id.

This is what makes every write an idempotent MERGE and every re-run harmless.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_SLUG_STRIP = re.compile(r"[^0-9a-z]+")


def normalize_key(value: object) -> str:
    """A stable textual form of one key part: NFKC, case-folded, whitespace collapsed. (ASCII text
    is its own NFKC form and case-folds as it lowers: the common case skips both, same result.)"""
    text = "" if value is None else str(value)
    if text.isascii():
        return " ".join(text.lower().split())
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def digest(*parts: object, length: int = 20) -> str:
    """A short hex digest of the normalized parts, joined unambiguously."""
    joined = "\x1f".join(normalize_key(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:length]


def make_id(prefix: str, *parts: object) -> str:
    """An id such as ``org:3f2a...`` from a type prefix and the key fields."""
    return f"{prefix}:{digest(*parts)}"


def identifier_id(prefix: str, scheme: str, value: str) -> str:
    """An id built from an authoritative identifier (ROR, ORCID, ...), readable on purpose."""
    clean = _SLUG_STRIP.sub("", normalize_key(value))
    return f"{prefix}:{scheme}:{clean}"


_NOT_SLUG = re.compile(r"[^a-z0-9:]+")


def readable_id(prefix: str, key: str) -> str:
    """``prefix:slug`` of an ASCII key (``wl:jp-meti-end-user-list``), so the id says what it names
    and rule packs can scope by it (``*meti*``); a hashed id for keys in other scripts."""
    text = normalize_key(key)
    slug = _NOT_SLUG.sub("-", text).strip("-")
    return f"{prefix}:{slug}" if text.isascii() and slug else make_id(prefix, key)

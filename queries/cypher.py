"""Loads named Cypher statements from the .cypher files beside the query modules.

A file holds one or more statements, each introduced by a line ``// name: <statement name>``.
Keeping Cypher in files makes it reviewable on its own and keeps request values out of it:
statements take parameters only.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent
_NAME = re.compile(r"^//\s*name:\s*(\S+)\s*$", re.M)


@lru_cache(maxsize=None)
def statements(module: str) -> dict[str, str]:
    text = (_HERE / f"{module}.cypher").read_text(encoding="utf-8")
    parts = _NAME.split(text)
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts), 2)}


def cypher(module: str, name: str) -> str:
    """The statement ``name`` of ``queries/<module>.cypher``."""
    return statements(module)[name]


def fragment(module: str, name: str) -> str:
    """A piece that several statements of ``queries/<module>.cypher`` share (a predicate, a map),
    named like a statement, without its comment lines: written once, put where a statement's
    marker stands by the module that runs them."""
    return "\n".join(line for line in cypher(module, name).splitlines() if not line.lstrip().startswith("//"))

"""The pre-parse guard: deep nesting and fragment bombs are refused before graphql-core runs."""

import asyncio
import time

from graphql import parse

from api.limits import expanded_selections, query_shape
from api.schema import build_schema


def test_query_shape_skips_strings_and_comments():
    assert query_shape('{ a(x: "{{{{ ... }}") { b } } # {{{{ ...') == (2, 0)
    assert query_shape('{ a { ... on B { c } ...F } }') == (3, 2)
    assert query_shape('{ a(x: """ { ... """) }') == (1, 0)


def test_nested_fragment_bomb_is_refused_fast():
    schema = build_schema()
    bomb = '{ search(query: "x") { ' + "... on Entity { id " * 100 + "}" * 100 + " } }"
    started = time.perf_counter()
    result = asyncio.run(schema.execute(bomb, context_value={}))
    assert time.perf_counter() - started < 1.0
    assert result.errors and result.errors[0].extensions["code"] == "LIMIT_EXCEEDED"
    spreads = "{ search(query: \"x\") { " + " ".join(["...F"] * 200) + " } } fragment F on Entity { id }"
    result = asyncio.run(schema.execute(spreads, context_value={}))
    assert result.errors and "fragment spreads" in result.errors[0].message


def test_expanded_selections_counts_each_fragment_once_and_ignores_cycles():
    assert expanded_selections(parse("{ a { b c } d }")) == 4
    assert expanded_selections(parse("{ a { ...F ...F } } fragment F on T { x y }")) == 5
    assert expanded_selections(parse("{ ...A } fragment A on Q { x ...B } fragment B on Q { y ...A }")) == 2


def test_doubling_fragment_bomb_is_refused_before_validation():
    """21 fragments, each spreading the previous one twice: 41 spreads (under the spread limit)
    that expand to 2^21 selections; strawberry's depth rule walked all of them (7-18 s here)."""
    frags = ["fragment F0 on Query { watchlists { totalCount } }"]
    frags += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, 21)]
    bomb = "{ ...F20 } " + " ".join(frags)
    started = time.perf_counter()
    result = asyncio.run(build_schema().execute(bomb, context_value={}))
    assert time.perf_counter() - started < 1.0
    assert result.errors and result.errors[0].extensions["code"] == "LIMIT_EXCEEDED"
    assert "2097152 field selections" in result.errors[0].message


def test_verdicts_are_remembered_per_query_and_per_limits():
    """The guard measures a query text once per set of limits: a refusal stays a refusal, and a
    schema with other limits measures the same text again instead of reusing the verdict."""
    from api.config import ApiConfig
    from api.limits import _SHAPE_VERDICTS

    spreads = "{ search(query: \"y\") { " + " ".join(["...G"] * 60) + " } } fragment G on Entity { id }"
    strict = build_schema(ApiConfig(max_fragment_spreads=50))
    lenient = build_schema(ApiConfig(max_fragment_spreads=100))
    before = len(_SHAPE_VERDICTS)
    for _ in range(3):
        result = asyncio.run(strict.execute(spreads, context_value={}))
        assert result.errors and "60 fragment spreads; the limit is 50" in result.errors[0].message
    assert len(_SHAPE_VERDICTS) == before + 1
    result = asyncio.run(lenient.execute(spreads, context_value={}))
    assert not any("fragment spreads" in e.message for e in result.errors or [])
    assert len(_SHAPE_VERDICTS) == before + 2

"""The pre-parse guard: deep nesting and fragment bombs are refused before graphql-core runs."""

import asyncio
import time

from api.limits import query_shape
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

"""Deterministic ids: the key normalization that every id (and so every idempotent MERGE and every
sweep's finding key) depends on."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from kizuna.ids import make_id, normalize_key


def _by_definition(value: object) -> str:
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return " ".join(text.casefold().split())


@given(st.one_of(st.text(), st.text(alphabet=st.characters(max_codepoint=127)), st.none(), st.integers(), st.floats(allow_nan=False)))
def test_normalize_key_is_nfkc_casefolded_with_whitespace_collapsed(value):
    assert normalize_key(value) == _by_definition(value)


def test_the_same_key_in_other_forms_gives_the_same_id():
    # full-width letters, a ligature, German sharp s, stray whitespace: one key, one id
    assert make_id("org", "ＫＩＺＵＮＡ  Institute") == make_id("org", "kizuna institute")
    assert make_id("org", "Straße") == make_id("org", "STRASSE")
    assert make_id("org", "ﬁne\tart") == make_id("org", "fine art")
    assert make_id("org", "a", "b") != make_id("org", "a b")

"""Pure-function tests of normalization and the name index (no database needed)."""

from __future__ import annotations

import csv

from resolve.identifiers import compare, normalize_identifiers
from resolve.index import EntityRecord, NameIndex, Query
from resolve.normalize import MAX_NAME_CHARS, derived_acronyms, han_form, org_name, person_name, person_names_compatible, to_latin


def test_chinese_and_japanese_character_forms_meet():
    assert han_form("清華大學") == han_form("清華大学") == han_form("清华大学")
    assert org_name("清華大學").han == org_name("清华大学").han


def test_generic_words_and_legal_forms_in_several_languages():
    assert org_name("Tsinghua Univ.").key == org_name("TSINGHUA UNIVERSITY").key
    assert org_name("Huawei Technologies Co., Ltd.").key == org_name("Huawei Technologies").key
    assert org_name("University of Tokyo").sorted_key == org_name("Tokyo University").sorted_key
    assert org_name("华为技术有限公司").han == org_name("华为技术").han


def test_scripts_are_romanized():
    assert "moskovsk" in org_name("Московский государственный университет").key
    assert "university" in org_name("北京航空航天大学").tokens
    assert person_name("Владимир Путин").key == person_name("Vladimir Putin").key


def test_acronyms_derived_from_names():
    assert "nudt" in derived_acronyms("National University of Defense Technology")
    assert "hit" in derived_acronyms("Harbin Institute of Technology")
    assert "buaa" in derived_acronyms("Beijing University of Aeronautics and Astronautics")


def test_person_titles_order_and_initials():
    a, b = person_name("Prof. Dr. John A. Smith"), person_name("SMITH, John")
    assert "prof" not in a.tokens and "dr" not in a.tokens
    assert b.family == "smith"
    assert person_names_compatible(person_name("J. Smith"), person_name("John Smith"))
    assert not person_names_compatible(person_name("K. Smith"), person_name("John Smith"))
    assert person_name("山田太郎博士").tokens == person_name("山田太郎").tokens


def test_identifiers_equal_and_conflicting():
    a = normalize_identifiers({"ror": "https://ror.org/03cve4549", "fundref": ["501100001809"]})
    b = normalize_identifiers({"ror": "03cve4549"})
    c = normalize_identifiers({"ror": "02v51f717"})
    assert compare(a, b) == (["ror"], [])
    assert compare(a, c) == ([], ["ror"])


def test_conflicting_identifier_forbids_match_even_with_identical_name():
    index = NameIndex([EntityRecord("org:a", "org", ["Institute of Physics"], {"ror": "aaa"})], "org")
    assert index.match(Query("Institute of Physics", "org")).status == "match"
    result = index.match(Query("Institute of Physics", "org", identifiers={"ror": "bbb"}))
    assert result.status == "no_match" and not result.candidates


def test_distinct_universities_stay_apart():
    jp = {"country": "Japan"}
    index = NameIndex([EntityRecord("org:tokyo", "org", ["University of Tokyo"], context=jp),
                       EntityRecord("org:kyoto", "org", ["Kyoto University"], context=jp)], "org")
    assert index.match(Query("Univ. of Tokyo", "org")).best.entity_id == "org:tokyo"
    # other word order is weaker evidence ("Washington University" is not "University of Washington"):
    # it needs the country to agree
    assert index.match(Query("Tokyo Univ.", "org")).best is None
    assert index.match(Query("Tokyo Univ.", "org", context=jp)).best.entity_id == "org:tokyo"
    assert index.match(Query("University of Kyoto", "org", context=jp)).best.entity_id == "org:kyoto"
    assert index.match(Query("Tokyo Institute of Technology", "org", context=jp)).best is None


def test_same_name_real_persons_are_not_linked_by_name(shared_data):
    """US Congress has two different members named Duncan Hunter (born 1948 and 1976)."""
    with open(shared_data / "opensanctions_ftm/yente_positives_us_congress_untreated.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["full_name"] == "Duncan Hunter"]
    assert len({r["date_of_birth"] for r in rows}) == 2
    index = NameIndex([EntityRecord(f"per:{r['date_of_birth']}", "person", [r["full_name"]]) for r in rows], "person")
    result = index.match(Query("Duncan Hunter", "person", context={"years": [int(rows[0]["date_of_birth"])]}))
    assert result.best is None and result.status in ("insufficient", "ambiguous")
    corroborated = NameIndex([EntityRecord("per:x", "person", ["Duncan Hunter"], context={"affiliations": ["US House"]})], "person")
    assert corroborated.match(Query("D. Hunter", "person", context={"affiliations": ["US House"]})).status == "match"


def test_a_huge_name_is_compared_on_its_head():
    """A 100 000-character "name" (corpus case userlist-long-name) took minutes to romanize, and every
    upload's incremental resolution re-read it; names are compared on their first MAX_NAME_CHARS."""
    head = "長い名前" * (MAX_NAME_CHARS // 4)
    huge = head + "長い名前" * 25_000
    assert org_name(huge).key == org_name(head).key and person_name(huge).key == person_name(head).key
    assert to_latin(huge) == to_latin(head)
    index = NameIndex([EntityRecord("org:huge", "org", [huge]), EntityRecord("org:kyoto", "org", ["Kyoto University"])], "org")
    assert index.match(Query("Kyoto University", "org")).best.entity_id == "org:kyoto"


def test_acronyms_of_chinese_place_names_and_compass_words():
    """Chinese universities are abbreviated by the syllables of their place names (TJU, CQUPT,
    HNU), south-west by both parts (SWUST); apostrophe-free pinyin is cut as pinyin writes it."""
    assert "tju" in derived_acronyms("Tianjin University")
    assert "hnu" in derived_acronyms("Hunan University")
    assert "cqupt" in derived_acronyms("Chongqing University of Posts and Telecommunications")
    assert "swust" in derived_acronyms("Southwest University of Science and Technology")
    assert "xjtu" in derived_acronyms("Xi'an Jiaotong University")
    assert "hit" in derived_acronyms("Harbin Institute of Technology")  # not pinyin as spelt: one letter
    assert "hau" not in derived_acronyms("Hunan University")  # hu-nan, never hun-an


def test_screening_finds_a_chinese_university_by_its_syllable_acronym():
    index = NameIndex([EntityRecord("org:tju", "org", ["Tianjin University (天津大学)"]),
                       EntityRecord("org:tu", "org", ["Tokyo University of Science"])], "org")
    hits = index.screen("TJU")
    assert [h.entity_id for h in hits] == ["org:tju"]

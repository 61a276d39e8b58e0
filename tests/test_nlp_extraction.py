"""The disclosure NLP on its own (no database): parsers, gazetteer, pipelines, dev-set quality.

The spaCy pipelines load once per test session (nlp.pipeline.default_reader)."""

from __future__ import annotations

import pytest

from nlp.dates import find_ranges
from nlp.gazetteer import Gazetteer, OrgEntry, build_gazetteer, script_variants, seed_entries
from nlp.lang import blocks
from nlp.money import find_amounts, find_grant_numbers
from nlp.pipeline import default_reader

TSINGHUA = OrgEntry("org:ror:03cve4549", "Tsinghua University", ["Tsinghua University", "清华大学", "THU"], "university", "03cve4549")


@pytest.fixture
def reader():
    """The process-wide reader, with a small gazetteer: seeds plus Tsinghua as ROR names it."""
    r = default_reader()
    r.use_gazetteer(build_gazetteer([TSINGHUA], seed_entries()))
    return r


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("2015–present Professor", "2015", "present"),
        ("2019年4月～現在 客員教授", "2019-04", "present"),
        ("令和3年4月から令和5年3月まで", "2021-04", "2023-03"),
        ("平成元年", "1989", None),
        ("FY2021-FY2023", "2021", "2023"),
        ("April 2019 to March 2022", "2019-04", "2022-03"),
        ("since 2018, adjunct", "2018", "present"),
        ("Between 2017 and 2020 I was", "2017", "2020"),
        ("04/2019 - 03/2021", "2019-04", "2021-03"),
        ("令和2年度", "2020", None),
    ],
)
def test_dates(text, start, end):
    found = find_ranges(text)
    assert found, text
    assert (found[0].start, found[0].end) == (start, end)


def test_same_year_refers_back():
    ranges = find_ranges("2018年に着任。同年、千人計画に参加")
    assert [r.start for r in ranges] == ["2018", "2018"]


@pytest.mark.parametrize(
    "text, value, currency",
    [("USD 250,000", 250000, "USD"), ("$1.2 million", 1200000, "USD"), ("500万円", 5000000, "JPY"), ("1億2000万円", 120000000, "JPY"),
     ("300万元", 3000000, "CNY"), ("CNY 2 million", 2000000, "CNY"), ("¥3,000,000", 3000000, "JPY"), ("EUR 1.5 million", 1500000, "EUR")],
)
def test_amounts(text, value, currency):
    (amount,) = find_amounts(text)
    assert (amount.value, amount.currency) == (value, currency)


def test_grant_numbers():
    assert [g.value for g in find_grant_numbers("JSPS KAKENHI Grant No. JP21H01234 and NSF CMMI-1934567")] == ["JP21H01234", "CMMI-1934567"]


def test_script_variants_reach_japanese_kanji():
    assert {"清華大学", "清華大學", "清华大学"} <= script_variants("清华大学")
    assert "哈爾浜工業大学" in script_variants("哈尔滨工业大学")


def test_gazetteer_respects_latin_word_boundaries_and_case():
    gaz = Gazetteer([OrgEntry("org:x", "Chinese Academy of Sciences", ["Chinese Academy of Sciences", "CAS"])])
    assert [h.entry_id for h in gaz.find("a CAS institute")] == ["org:x"]
    assert gaz.find("in this case we") == []
    assert gaz.find("CASE study") == []


def test_gazetteer_fixes_ginza_class_of_errors(reader):
    """Off-the-shelf GiNZA calls 清華大学 a person and misses 防衛装備庁 and 千人計画."""
    nlp = reader.pipelines["ja"]
    text = "清華大学の李教授は防衛装備庁から資金を受け、千人計画に参加した。"
    with nlp.select_pipes(enable=["tok2vec", "parser", "ner"]):
        plain = {e.text: e.label_ for e in nlp(text).ents}
    doc = nlp(text)
    ents = {e.text: (e.label_, e.kb_id_) for e in doc.ents}
    assert plain.get("清華大学") != "ORG"
    assert ents["清華大学"] == ("ORG", "org:ror:03cve4549")
    assert ents["防衛装備庁"][0] == "ORG" and ents["千人計画"][0] == "ORG"
    facts = {(f.relation, f.org.text) for f in doc._.kizuna["facts"]}
    assert ("PARTICIPATES_IN", "千人計画") in facts and ("FUNDED_BY", "防衛装備庁") in facts


def test_language_per_block_with_mixed_text():
    text = "Name: Taro Yamada\n\n清華大学 客員教授（2019年～）\n2019-present Visiting Professor, Tsinghua University\n北京航空航天大学 兼任教授"
    found = [(b.pipeline, text[b.start : b.end]) for b in blocks(text)]
    assert found == [
        ("en", "Name: Taro Yamada"),
        ("ja", "清華大学 客員教授（2019年～）"),
        ("en", "2019-present Visiting Professor, Tsinghua University"),
        ("ja", "北京航空航天大学 兼任教授"),
    ]


def test_english_facts_carry_exact_spans(reader):
    text = (
        "Name: Jane Roe\n"
        "2019–2021  Visiting Professor, Tsinghua University (unpaid)\n"
        "PI, National Natural Science Foundation of China, Grant No. 62071234, 2020-2023, CNY 600,000\n"
        "I serve as a scientific advisor to Hanwei Robotics Co., Ltd. since 2022.\n"
        "Joint research agreement with Huawei Technologies (2021) with IP and data access clauses.\n"
    )
    analysis = reader.read(text)
    assert analysis.subject_name == "Jane Roe"
    got = {(f.relation, f.org.text, f.key_role, f.year) for f in analysis.facts}
    assert ("AFFILIATED_WITH", "Tsinghua University", "visiting", 2019) in got
    assert ("FUNDED_BY", "National Natural Science Foundation of China", "pi", 2020) in got
    assert ("ADVISES", "Hanwei Robotics Co., Ltd.", "advisor", 2022) in got
    assert ("PARTY_TO", "Huawei Technologies", "joint_research", 2021) in got
    funding = next(f for f in analysis.facts if f.relation == "FUNDED_BY")
    assert (funding.amount, funding.currency, funding.grant_number) == (600000, "CNY", "62071234")
    contract = next(f for f in analysis.facts if f.relation == "PARTY_TO")
    assert set(contract.clauses) == {"ip", "data_access"}
    for f in analysis.facts:
        assert text[f.start : f.end] == f.text and f.start <= f.org.start < f.org.end <= f.end
        assert text[f.org.start : f.org.end] == f.org.text


def test_japanese_facts(reader):
    text = "氏名：山田 太郎\n2019年4月～現在　清華大学 客員教授\n令和3年、株式会社サンプル技研と共同研究契約を締結（知的財産・秘密保持条項あり）。\n北京航空航天大学 兼任教授（2020年1月～2022年3月）。同大学から研究費として50万元の支給を受けた。\n"
    analysis = reader.read(text)
    assert analysis.subject_name == "山田 太郎"
    got = {(f.relation, f.org.name, f.key_role, f.year) for f in analysis.facts}
    assert ("AFFILIATED_WITH", "清華大学", "visiting", 2019) in got
    assert ("PARTY_TO", "株式会社サンプル技研", "joint_research", 2021) in got
    assert ("AFFILIATED_WITH", "北京航空航天大学", "adjunct", 2020) in got
    assert ("FUNDED_BY", "北京航空航天大学", None, 2020) in got  # 同大学 refers back
    funded = next(f for f in analysis.facts if f.relation == "FUNDED_BY")
    assert (funded.amount, funded.currency) == (500000, "CNY")


def test_negated_statements_give_no_facts(reader):
    text = "Name: A. Person\nTalent programs: None.\nI have never participated in the Thousand Talents Plan.\n外国の人材招致プログラムへの参加：なし\n千人計画には参加していない。\n"
    assert reader.read(text).facts == []


def test_dev_set_meets_acceptance(reader):
    """Fact-level F1 on the team-written development set (see bench/nlp_eval.py for the caveat)."""
    from nlp.evaluation import eval_gazetteer, evaluate_dev

    gaz = eval_gazetteer()
    reader.use_gazetteer(gaz)
    report = evaluate_dev(reader, gaz)
    assert report["by_language"]["en"]["f1"] >= 0.85, report["by_language"]
    assert report["by_language"]["ja"]["f1"] >= 0.80, report["by_language"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一般社団法人日本玩具協会が主催する展示会に出品した。", ["日本玩具協会"]),  # legal form is not part of the name
        ("2002年UFJインターナショナル会長に就任。", ["UFJインターナショナル"]),  # no leading year, no trailing title
        ("株式会社宣伝会議代表取締役会長の東英弥。", ["株式会社宣伝会議"]),  # 株式会社 stays, the title goes
        ("祖父は第77歩兵連隊に所属していた。", ["第77歩兵連隊"]),  # the ordinal belongs to the unit
        ("ロンドン交通局の文書。", ["ロンドン交通局"]),  # the shape stopped inside 交通局
        ("政友会・民政党の議員が集まった。", ["政友会", "民政党"]),  # a coordination is two organizations
        ("ノジマの子会社として設立された。", ["ノジマ"]),  # no suffix, no NER: the cue の子会社
        ("カナレットに所属する研究者。", ["カナレット"]),  # NER says Person; the cue に所属 says organization
        ("大阪府の職員として働いた。", []),  # a place, not an organization
    ],
)
def test_japanese_organization_spans(reader, text, expected):
    doc = reader.pipelines["ja"](text)
    assert [o.text for o in doc._.kizuna["orgs"]] == expected


def test_a_line_longer_than_sudachi_accepts_is_read_in_pieces(reader):
    """Sudachi refuses input over 49 149 bytes; a long line of prose is read in pieces, each cut at a
    punctuation mark, none over the limit, nothing skipped and nothing read twice."""
    long_line = "KZLONG " + "長い名前の研究所、" * 6_000 + " Visiting Professor, Kizuna University"  # 160 kB on one line
    pieces = blocks(long_line)
    assert len(pieces) > 10 and all(len(long_line[b.start:b.end].encode()) < 49_149 for b in pieces)
    assert all(b.pipeline for b in pieces) and all(long_line[b.end - 1] in "、y" for b in pieces)
    assert pieces[0].start == 0 and pieces[-1].end == len(long_line)
    assert all(a.end == b.start for a, b in zip(pieces, pieces[1:]))


def test_an_unbroken_run_of_letters_is_not_analysed_and_is_reported(reader):
    """A 100 000-character "name" without a space or punctuation (corpus case disc-long-name) is not
    prose: GiNZA took two minutes over it. It is skipped and its span reported; the rest of the
    document, including the rest of its line, is read."""
    run = "長い名前" * 25_000
    text = "Name: Test Person\nKZLONG " + run + " Visiting Professor, Kizuna University (2020-2023).\n"
    start = text.index(run)
    assert [(b.start, b.end, b.pipeline) for b in blocks(text) if b.pipeline is None] == [(start, start + len(run), None)]
    assert blocks("長い名前" * 200) and all(b.pipeline for b in blocks("長い名前" * 200))  # 800 letters: still read
    analysis = reader.read(text)
    assert analysis.subject_name == "Test Person"
    assert analysis.unread == [(start, start + len(run))]
    assert [(f.relation, f.org.text) for f in analysis.facts] == [("AFFILIATED_WITH", "Kizuna University")]

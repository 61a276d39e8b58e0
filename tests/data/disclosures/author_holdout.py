"""Authoring file of the HOLD-OUT set: written after the extractor was tuned on en/ and ja/,
and never used for tuning. Gold facts first, then the text. All people are fictional."""
import json, pathlib
OUT = pathlib.Path(__file__).parent / "holdout"
DOCS = []
def doc(name, gold, text, subject):
    DOCS.append((name, subject, gold, text))
A, V, F, P, T = "AFFILIATED_WITH", "ADVISES", "FUNDED_BY", "PARTY_TO", "PARTICIPATES_IN"

doc("en_h01.html", [(A,"University of Tokyo","professor",2016),(A,"Zhejiang University","visiting",2020),(F,"Zhejiang University",None,2020)],
"""<html><body><h1>Outside activities report</h1><p>Name: Margaret Ellison</p>
<table><tr><th>Period</th><th>Organization</th><th>Title</th></tr>
<tr><td>2016 - present</td><td>University of Tokyo</td><td>Professor</td></tr>
<tr><td>2020 - 2021</td><td>Zhejiang University</td><td>Visiting Professor</td></tr></table>
<p>During the visit Zhejiang University paid a stipend of CNY 120,000.</p></body></html>""", "Margaret Ellison")

doc("en_h02.txt", [(A,"Tohoku University","associate_professor",2018),(V,"Quantix Photonics Inc.","consultant",2022),(T,"Thousand Talents Plan",None,2015)],
"""From: Dr. Pablo Ruiz
Subject: updated disclosure

Dear committee, I am an associate professor at Tohoku University (since April 2018). Since 2022 I have also worked as a paid consultant for Quantix Photonics Inc. I should also disclose that in 2015 I was recruited through the Thousand Talents Plan for a short-term position, which ended in 2016.
""", "Pablo Ruiz")

doc("en_h03.txt", [(A,"Osaka University","postdoc",2021),(F,"Japan Society for the Promotion of Science",None,2021),(P,"Beijing Institute of Technology","joint_research",2023)],
"""Name: Ivana Horvat
| Years | Position | Institution |
|---|---|---|
| 2021-2023 | JSPS postdoctoral fellow | Osaka University |
Support: Japan Society for the Promotion of Science fellowship, 2021-2023, JPY 3,600,000 per year.
Agreements: Joint research project agreement with Beijing Institute of Technology, signed 2023.
""", "Ivana Horvat")

doc("en_h04.tex", [(A,"Kyoto University","assistant_professor",2019),(A,"Peking University","student",2012),(F,"Japan Science and Technology Agency","pi",2022)],
r"""\section*{Biographical sketch: Chen Hao}
Name: Chen Hao
\subsection*{Professional preparation}
\textbf{PhD student}, Peking University, 2012--2017
\subsection*{Appointments}
\textbf{Assistant Professor}, Kyoto University, 2019--present
\subsection*{Current support}
PI, JST PRESTO (Japan Science and Technology Agency), 2022--2025, JPY 40 million
""", "Chen Hao")

doc("en_h05.txt", [(A,"Nagoya University","professor",2011),(V,"Harbin Institute of Technology","advisor",2019),(P,"Harbin Institute of Technology","mou",2019)],
"""Name: Gordon Pike
Prof., Nagoya University, 2011-
2019-2021: Strategic advisor, Harbin Institute of Technology (unpaid). An MOU between our groups and Harbin Institute of Technology was signed in 2019.
Talent programs: none. Other foreign support: none.
""", "Gordon Pike")

doc("ja_h01.txt", [(A,"東北大学","professor",2014),(A,"西安交通大学","visiting",2018),(T,"千人計画",None,2018)],
"""申告書
氏名：大塚 洋介
現職：東北大学 教授（平成26年4月～）
兼職：西安交通大学 客員教授（平成30年～令和2年、年2回渡航）
平成30年、千人計画（短期）に採用された。
""", "大塚 洋介")

doc("ja_h02.txt", [(A,"筑波大学","associate_professor",2017),(F,"科学技術振興機構","pi",2020),(V,"株式会社クオンタムリンク","advisor",2021)],
"""氏名：桜井 美穂
筑波大学 准教授（2017年～）
JST CREST（科学技術振興機構）研究代表者、2020年度～2025年度、総額1億5000万円
株式会社クオンタムリンク 技術アドバイザー（2021年～、報酬なし）
""", "桜井 美穂")

doc("ja_h03.html", [(A,"名古屋大学","assistant_professor",2020),(A,"中国科学院","postdoc",2017),(P,"中国科学院","joint_research",2021)],
"""<html><body><p>氏名：張 偉</p><table>
<tr><td>2017年～2020年</td><td>中国科学院</td><td>博士研究員</td></tr>
<tr><td>2020年～現在</td><td>名古屋大学</td><td>助教</td></tr></table>
<p>2021年から中国科学院と共同研究を実施している（共同研究契約あり、データの共有を含む）。</p></body></html>""", "張 偉")

doc("ja_h04.txt", [(A,"広島大学","professor",2009),(V,"ヒロテック株式会社","director",2019),(P,"ヒロテック株式会社","licence",2020)],
"""氏名：坂口 俊介
広島大学 教授（2009年～現在）
ヒロテック株式会社 取締役（2019年～）
同社へ特許の実施許諾契約を締結（2020年）
""", "坂口 俊介")

doc("ja_h05.txt", [(A,"京都大学","researcher",2016),(A,"ハルビン工業大学","adjunct",2021),(F,"ハルビン工業大学",None,2021)],
"""氏名：ケビン・ブラウン（Kevin Brown）
京都大学 特定研究員（2016年～）
2021年からハルビン工業大学の兼任研究員。ハルビン工業大学から研究室スペースと学生2名の提供（現物支援）を受けている。
""", "ケビン・ブラウン")

for name, subject, gold, text in DOCS:
    OUT.mkdir(exist_ok=True)
    (OUT / name).write_text(text, encoding="utf-8")
    facts = [{"relation": r, "org": o, "role": ro, "year": y} for r, o, ro, y in gold]
    (OUT / (name.rsplit(".", 1)[0] + ".gold.json")).write_text(json.dumps({"subject": subject, "facts": facts}, ensure_ascii=False, indent=1), encoding="utf-8")
print(len(DOCS))

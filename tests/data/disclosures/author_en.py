"""Authoring file of the English development set: gold facts written first, then the text.
Run it to (re)write en/*.txt and en/*.gold.json. All people are fictional."""
import json, pathlib
OUT = pathlib.Path(__file__).parent / "en"
DOCS = []
def doc(gold, text, subject):
    DOCS.append((subject, gold, text))
A, V, F, P, T = "AFFILIATED_WITH", "ADVISES", "FUNDED_BY", "PARTY_TO", "PARTICIPATES_IN"

doc([(A,"Kyoto University","professor",2015),(A,"Tsinghua University","visiting",2019),(F,"National Natural Science Foundation of China","pi",2020),(T,"Thousand Talents Plan",None,2018)],
"""Name: Dr. Helena Marsh
Appointments
2015–present  Professor, Department of Physics, Kyoto University
2019–2021  Visiting Professor, Tsinghua University (Beijing), unpaid
Research support
PI, National Natural Science Foundation of China, Grant No. 62071234, 2020-2023, CNY 600,000
Talent programs: I participated in the Thousand Talents Plan from 2018 to 2020.
""", "Helena Marsh")

doc([(A,"University of Tokyo","associate_professor",2017),(P,"Huawei Technologies","joint_research",2021),(V,"Hanwei Robotics Co., Ltd.","advisor",2022)],
"""Researcher: Owen Calloway
I have been an Associate Professor at the University of Tokyo since 2017.
In 2021 my laboratory signed a joint research agreement with Huawei Technologies covering intellectual property and data access.
I serve as a scientific advisor to Hanwei Robotics Co., Ltd. (since 2022, paid).
""", "Owen Calloway")

doc([(A,"Osaka University","assistant_professor",2016),(A,"Harbin Institute of Technology","adjunct",2018),(F,"Japan Society for the Promotion of Science","pi",2019),(F,"Harbin Institute of Technology",None,2018)],
"""CURRENT AND PENDING SUPPORT / APPOINTMENTS DISCLOSURE
Name: Mira Tanabe-Holt
- Assistant Professor, Graduate School of Engineering, Osaka University (Apr 2016 - present)
- Adjunct Professor, Harbin Institute of Technology, 2018 - present (part-time, paid)
- JSPS KAKENHI Grant-in-Aid (B), Grant No. JP19H02345, PI, 2019-2022, 13,000,000 JPY, Japan Society for the Promotion of Science
- Start-up funds of USD 150,000 received from Harbin Institute of Technology in 2018
""", "Mira Tanabe-Holt")

doc([(A,"RIKEN","researcher",2014),(A,"Beihang University","visiting",2017),(F,"Beihang University",None,2017)],
"""Declaration of foreign activities — Samuel Ortega
Since 2014 I have worked as a Senior Research Scientist at RIKEN.
From 2017 to 2019 I was a visiting scholar at Beihang University, which covered my housing and travel (in-kind support, approx. CNY 200,000).
""", "Samuel Ortega")

doc([(A,"Nagoya University","professor",2010),(V,"Zhongguancun Quantum Labs Ltd.","director",2020),(P,"Zhongguancun Quantum Labs Ltd.","consulting",2020)],
"""Name: Prof. Ingrid Solberg
Position: Professor, Nagoya University (2010–present)

Board and advisory roles
Board member, Zhongguancun Quantum Labs Ltd., 2020–present.
A consulting agreement with Zhongguancun Quantum Labs Ltd. was signed in 2020; it contains a confidentiality clause.
""", "Ingrid Solberg")

doc([(A,"Tohoku University","postdoc",2019),(A,"University of Science and Technology of China","student",2013),(F,"Japan Society for the Promotion of Science",None,2019)],
"""CV — Liang Weiran (fictional)
Education
Ph.D. student, University of Science and Technology of China, 2013-2018
Employment
Postdoctoral Fellow, Tohoku University, 2019-present
Funding
JSPS Postdoctoral Fellowship for Research in Japan, Japan Society for the Promotion of Science, 2019-2021
""", "Liang Weiran")

doc([(A,"Hokkaido University","emeritus",2021),(V,"Skolkovo Institute of Science and Technology","advisor",2019),(F,"Russian Science Foundation","co_pi",2018)],
"""I, Peter Lindqvist, am Professor Emeritus at Hokkaido University (since 2021).
I have served on the international advisory board of the Skolkovo Institute of Science and Technology since 2019.
I was co-PI on a Russian Science Foundation project (2018-2020, RUB 18 million).
""", "Peter Lindqvist")

doc([(A,"Waseda University","professor",2012),(A,"Shanghai Jiao Tong University","honorary",2019),(T,"Changjiang Scholars Program",None,2016)],
"""Disclosure form (flattened)
Full name: Rosa Benedetti
Primary appointment: Professor, Waseda University, 2012 -
Other appointments: Honorary Professor, Shanghai Jiao Tong University, 2019 -
Talent / recruitment programs: Changjiang Scholars Program (chair professorship), 2016-2019
""", "Rosa Benedetti")

doc([(A,"National Institute for Materials Science","researcher",2011),(P,"Northwestern Polytechnical University","mou",2022),(F,"New Energy and Industrial Technology Development Organization","pi",2020)],
"""Name: Arjun Mehta
I am a principal researcher at the National Institute for Materials Science (NIMS) since 2011.
In 2022 NIMS and Northwestern Polytechnical University concluded a memorandum of understanding on materials research; I am the responsible scientist.
As PI I receive funding from the New Energy and Industrial Technology Development Organization (NEDO), 2020–2024, JPY 45,000,000.
""", "Arjun Mehta")

doc([(A,"Keio University","lecturer",2018),(V,"Beijing Quantum Information Science Academy","consultant",2021),(T,"Young Thousand Talents",None,2021)],
"""Applicant: Chloe Varga
* Lecturer, Keio University, 2018-present
* Consultant, Beijing Quantum Information Science Academy, 2021-2022 (paid; 3 visits per year)
* Selected for the Young Thousand Talents program in 2021 (offer accepted, then withdrawn in 2022)
""", "Chloe Varga")

doc([(A,"Tokyo Institute of Technology","associate_professor",2014),(F,"U.S. National Science Foundation","co_pi",2021),(F,"Office of Naval Research Global",None,2019)],
"""Name: Marcus Feld
Assoc. Prof., Tokyo Institute of Technology (2014-)
Co-PI, U.S. National Science Foundation award CMMI-2112345 (2021-2024), USD 480,000
Office of Naval Research Global grant N62909-19-1-2001, 2019-2020, USD 60,000
""", "Marcus Feld")

doc([(A,"Kyushu University","professor",2008),(A,"Dalian University of Technology","visiting",2015),(A,"Dalian University of Technology","visiting",2023)],
"""Narrative statement of Professor Annika Voss
I have been a professor at Kyushu University since 2008. I held a visiting professorship at Dalian University of Technology between 2015 and 2017, for which I received an honorarium. I returned there as a guest professor in 2023 for three months.
""", "Annika Voss")

doc([(A,"University of Tsukuba","assistant_professor",2020),(P,"Zhejiang Hengyi Semiconductor Co., Ltd.","licence",2023),(F,"Zhejiang Hengyi Semiconductor Co., Ltd.",None,2023)],
"""Name: Daniel Okafor
Current position: Asst. Prof., University of Tsukuba (2020-present)
Agreements: Patent license agreement with Zhejiang Hengyi Semiconductor Co., Ltd. (2023); royalties of USD 25,000 received in 2023.
""", "Daniel Okafor")

doc([(A,"Chiba University","professor",2016),(A,"Nanjing University of Aeronautics and Astronautics","adjunct",2019),(T,"Thousand Talents Plan",None,2019),(F,"Nanjing University of Aeronautics and Astronautics",None,2019)],
"""Name: Yusuf Demir
Prof. at Chiba Univ. since 2016.
Part-time professor at Nanjing University of Aeronautics and Astronautics 2019-2022 (two months per year).
Recruited under the 1000 Talents Plan in 2019; the university provided lab space and a research budget of 3,000,000 yuan.
""", "Yusuf Demir")

doc([(A,"Hiroshima University","associate_professor",2019),(P,"Sharif University of Technology","joint_research",2020)],
"""Name: Leila Farahani
Associate professor, Hiroshima University, April 2019 – present.
Collaborative research agreement with Sharif University of Technology, 2020–2023 (data sharing and joint publications; no IP clause).
Talent programs: None.
Foreign funding: None.
""", "Leila Farahani")

doc([(A,"Kobe University","professor",2005),(V,"Korea Advanced Institute of Science and Technology","advisor",2018),(F,"Samsung Electronics",None,2021)],
"""Name: Thomas Wren
Professor, Kobe University (2005–present)
External advisor, Korea Advanced Institute of Science and Technology (KAIST), 2018–2021, unpaid
Research gift from Samsung Electronics, 2021, USD 100,000
""", "Thomas Wren")

doc([(A,"Japan Agency for Marine-Earth Science and Technology","researcher",2013),(A,"Ocean University of China","visiting",2016),(F,"Ocean University of China",None,2016)],
"""I, Greta Holm, have been a researcher at the Japan Agency for Marine-Earth Science and Technology (JAMSTEC) since 2013. In 2016-2017 I was a visting researcher at the Ocean University of China and was paid a monthly stipend by the Ocean University of China.
""", "Greta Holm")

doc([(A,"Nara Institute of Science and Technology","professor",2017),(A,"Sony Group Corporation","employee",2009),(P,"Sony Group Corporation","sponsored_research",2022),(F,"Sony Group Corporation",None,2022)],
"""Name: Kenji Armitage
Career
2009-2017 Research engineer, Sony Group Corporation
2017-present Professor, Nara Institute of Science and Technology
Contracts
Sponsored research contract from Sony Group Corporation, 2022-2024, JPY 12,000,000
""", "Kenji Armitage")

doc([(A,"Tokyo University of Science","lecturer",2021),(T,"Hundred Talents Program",None,2024)],
"""Name: Vera Novak
Lecturer, Tokyo University of Science, 2021-
In January 2024 I was offered and accepted a position under the Chinese Academy of Sciences Hundred Talents Program, to start in 2024.
""", "Vera Novak")

doc([(A,"Okinawa Institute of Science and Technology","professor",2014),(V,"DeepBlue Medical AI Inc.","director",2019),(V,"DeepBlue Medical AI Inc.","consultant",2017)],
"""Name: Felix Andrade
Professor, Okinawa Institute of Science and Technology (OIST), 2014-present
Consultant to DeepBlue Medical AI Inc., 2017-2019
Member of the board of directors, DeepBlue Medical AI Inc., 2019-present (equity holder)
""", "Felix Andrade")

doc([(A,"Kanazawa University","professor",2011),(F,"Japan Science and Technology Agency","pi",2021),(P,"Harbin Engineering University","mou",2019)],
"""Name: Olga Petrenko
I hold a full professorship at Kanazawa University (2011-).
I lead a JST CREST project (Japan Science and Technology Agency), FY2021-FY2026, as principal investigator; total budget JPY 150 million.
My department signed an MOU with Harbin Engineering University in 2019 on student exchange.
""", "Olga Petrenko")

doc([(A,"Tokyo Medical and Dental University","assistant_professor",2018),(A,"Fudan University","postdoc",2015)],
"""Name: Nadia Rahman
2015-2018: postdoc, Fudan University, Shanghai
2018-present: assistant prof., Tokyo Medical and Dental University
No foreign talent program participation. No contracts with foreign entities.
""", "Nadia Rahman")

doc([(A,"Yokohama National University","associate_professor",2016),(V,"Harbin Institute of Technology","advisor",2020),(F,"Ministry of Science and Technology of China",None,2020)],
"""Full name: Erik Johansson
Associate Professor, Yokohama National University (2016-present)
Academic adviser to the Harbin Institute of Technology, 2020-2022
Funding received through the National Key R&D Program of China (Ministry of Science and Technology of China), 2020-2022, RMB 1.5 million, as a participant
""", "Erik Johansson")

doc([(A,"Kumamoto University","professor",2013),(P,"Rosatom","joint_research",2019)],
"""Name: Anton Belov
Position: Professor, Kumamoto University, 2013 - present
Contracts and agreements:
  Joint research contract with Rosatom (State Atomic Energy Corporation), 2019-2021, including confidentiality and IP assignment clauses.
Advisory roles: none
""", "Anton Belov")

doc([(A,"Shinshu University","professor",2009),(A,"Shinshu University","director",2020),(F,"Japan Agency for Medical Research and Development","pi",2022)],
"""Name: Hannah Kleist
Professor (2009-) and Director of the Research Center for Fiber Materials (2020-), Shinshu University
Principal investigator, AMED grant (Japan Agency for Medical Research and Development), 2022-2025, JPY 30,000,000
""", "Hannah Kleist")

doc([(A,"Gifu University","associate_professor",2012),(T,"Qiming Program",None,2022),(A,"Huazhong University of Science and Technology","professor",2022)],
"""Name: Ruben Castillo
Associate professor at Gifu University (2012-2022).
In 2022 I accepted a full-time professor position at Huazhong University of Science and Technology through the Qiming Program.
""", "Ruben Castillo")

doc([(A,"University of Electro-Communications","assistant_professor",2019),(F,"Acquisition, Technology & Logistics Agency","pi",2021)],
"""Name: Julia Brandt
Assistant Professor, University of Electro-Communications, 2019-present
Funded by the Acquisition, Technology & Logistics Agency (ATLA), Innovative Science and Technology Initiative for Security, 2021-2023, PI, JPY 39,000,000
""", "Julia Brandt")

doc([(A,"Tokyo Metropolitan University","professor",2015),(V,"Beijing Institute of Technology","advisor",2017),(T,"Thousand Talents Plan",None,2017)],
"""Statement of Dr. Piotr Zielinski
Professor at Tokyo Metropolitan Univ. since 2015. Between 2017 and 2020 I was an advisor at the Beijing Institute of Technology and a member of the Thousand Talents Program; I disclosed both to my university in 2021.
""", "Piotr Zielinski")

doc([(A,"Ritsumeikan University","professor",2018),(A,"Sichuan University","student",2004),(F,"European Research Council","pi",2015)],
"""Name: Lucia Moretti
Professional preparation: PhD candidate, Sichuan University, 2004-2008
Appointments: Professor, Ritsumeikan University, 2018-present
Grants: ERC Starting Grant, European Research Council, 2015-2020, EUR 1.5 million, principal investigator
""", "Lucia Moretti")

doc([(A,"Doshisha University","associate_professor",2020),(P,"National University of Defense Technology","joint_research",2018)],
"""Name: Benjamin Hale
Associate Prof, Doshisha University, 2020-present.
From 2018 to 2019 (before joining Doshisha) I took part in a joint research project with the National University of Defense Technology under a cooperative research agreement.
""", "Benjamin Hale")

for i, (subject, gold, text) in enumerate(DOCS, 1):
    OUT.mkdir(exist_ok=True)
    (OUT / f"en{i:02d}.txt").write_text(text, encoding="utf-8")
    facts = [{"relation": r, "org": o, "role": ro, "year": y} for r, o, ro, y in gold]
    (OUT / f"en{i:02d}.gold.json").write_text(json.dumps({"subject": subject, "facts": facts}, ensure_ascii=False, indent=1), encoding="utf-8")
print(len(DOCS))

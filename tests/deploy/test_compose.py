"""deploy/compose.yaml as docker-compose itself reads it (Debian's docker-compose), and the Dockerfile as
hadolint reads it: what an operator starting the stack or building the image relies on."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from agent.llm import load_gateway_config

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
HADOLINT = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or "hadolint"


def compose_config(profile: str, **env: str) -> dict[str, Any]:
    compose = shutil.which("docker-compose")
    assert compose, "docker-compose is missing: scripts/install.sh installs Debian's package"
    done = subprocess.run(
        [compose, "-f", str(DEPLOY / "compose.yaml"), "--profile", profile, "config"],
        capture_output=True, text=True, timeout=60, check=False, env={"PATH": "/usr/bin:/bin", **env},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "ignored" not in done.stderr and "WARNING" not in done.stderr, done.stderr
    return dict(yaml.safe_load(done.stdout))


@pytest.mark.parametrize("profile", ["gpu", "cpu"])
def test_compose_reads_the_file_and_wires_one_redis_behind_nginx(profile: str) -> None:
    config = compose_config(profile)
    services = config["services"]
    assert {"api", "worker", "nginx", "redis"} <= set(services)
    for name in ("api", "worker"):
        env = services[name]["environment"]
        assert env["POSTEDIT_REDIS_URL"] == "redis://redis:6379/0"
        assert env["POSTEDIT_API_KEYS_FILE"].startswith("/run/secrets/")
        assert services[name]["deploy"]["replicas"] == 2
        # one memory file on a volume all containers share
        assert env["POSTEDIT_MEMORY_URL"] == "sqlite:////var/lib/postedit/memory.sqlite3"
        assert any(
            v.endswith("/var/lib/postedit") or "memory-data" in str(v) for v in services[name]["volumes"]
        )
    assert services["api"]["command"][:2] == ["postedit", "serve"]
    assert services["worker"]["command"] == ["postedit", "worker"]
    assert "--appendonly" in services["redis"]["command"]
    nginx = (DEPLOY / "config" / "nginx.conf").read_text()
    assert "least_conn;" in nginx and "server api:8000 resolve;" in nginx


def test_the_gpu_profile_reserves_a_gpu_for_vllm_with_what_the_agent_needs() -> None:
    vllm = compose_config("gpu")["services"]["vllm"]
    assert vllm["profiles"] == ["gpu"]
    (device,) = vllm["deploy"]["resources"]["reservations"]["devices"]
    assert device["capabilities"] == ["gpu"] and device["driver"] == "nvidia"
    args = vllm["command"]
    assert "--enable-prefix-caching" in args
    assert any(a.startswith("--structured-outputs-config=") for a in args)
    assert any(a.startswith("--max-model-len=") for a in args)
    served = next(a.split("=", 1)[1] for a in args if a.startswith("--served-model-name="))
    gateway = load_gateway_config(DEPLOY / "config" / "gateway-vllm.yaml")
    assert gateway.deployments[0].model == f"hosted_vllm/{served}"
    assert gateway.deployments[0].api_base == "http://llm:8000/v1"
    assert "llm" in vllm["networks"]["default"]["aliases"]


def test_the_cpu_profile_swaps_vllm_for_the_embedded_model() -> None:
    config = compose_config("cpu", POSTEDIT_BACKEND="embedded", API_REPLICAS="3")
    services = config["services"]
    model = services["model"]
    assert model["profiles"] == ["cpu"] and model["build"]["args"]["EMBEDDED_MODEL"] == "true"
    assert model["command"][:3] == ["postedit", "model", "serve"] and "0.0.0.0" in model["command"]
    assert "llm" in model["networks"]["default"]["aliases"]
    assert (
        services["api"]["environment"]["POSTEDIT_MODEL_CONFIG_PATH"] == "/etc/postedit/gateway-embedded.yaml"
    )
    assert services["api"]["deploy"]["replicas"] == 3
    gateway = load_gateway_config(DEPLOY / "config" / "gateway-embedded.yaml")
    assert gateway.deployments[0].api_base == "http://llm:8765/v1"


def test_the_dockerfile_passes_hadolint() -> None:
    done = subprocess.run(
        [HADOLINT, str(DEPLOY / "Dockerfile")], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_image_is_multi_stage_non_root_with_a_healthcheck_and_every_package() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    stages = re.findall(r"^FROM \S+ AS (\w+)", dockerfile, re.M)
    assert stages == ["builder", "runtime"]
    runtime = dockerfile.split("AS runtime", 1)[1]
    assert re.search(r"^USER 10001:10001$", runtime, re.M)
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", runtime, re.M)
    assert "ARG EMBEDDED_MODEL=false" in dockerfile
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    copied = set(re.findall(r"^COPY (\w+) \1$", dockerfile, re.M))
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text()
    for pattern in packages["include"]:
        package = pattern.rstrip("*")
        assert package in copied, f"the image lacks {package}/"
        assert f"!{package}/" in ignore, f"the build context leaves out {package}/"

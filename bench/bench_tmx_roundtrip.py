"""TMX read -> write -> read on real memories: tico19 (en-ru, CC0) and the inline-tag fixtures of four tools.

Prints per file the units read, the units equal after the round trip (must be all) and the seconds; then a
streaming run over a memory SCALE times tico19 written to a temporary file, to show that peak RSS does not
grow with the file (read_tmx keeps one unit, write_tmx writes each as it comes); the CPU model (`lscpu`).
Run: .venv/bin/python bench/bench_tmx_roundtrip.py [SHARED_DATA_DIR] [--scale N]
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from formats.tmx import TmxUnit, read_tmx, write_tmx

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "tmx"


def cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown (lscpu failed)"
    return next(
        (line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Model name")), "?"
    )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def round_trip(path: Path) -> tuple[int, int, float]:
    """(units read, units equal after read -> write -> read, seconds)."""
    started = time.perf_counter()
    header, units = read_tmx(path)
    first = list(units)
    out = io.BytesIO()
    write_tmx(header, first, out)
    header2, units2 = read_tmx(out.getvalue())
    again = list(units2)
    equal = sum(a == b for a, b in zip(first, again, strict=False)) if header2 == header else 0
    return len(first), equal, time.perf_counter() - started


def scaled(path: Path, scale: int) -> Iterator[TmxUnit]:
    """tico19's units `scale` times over, each copy with its own ids, read lazily."""
    for copy in range(scale):
        _, units = read_tmx(path)
        for unit in units:
            yield dataclasses.replace(unit, id=f"{unit.id}#{copy}")


def streaming(path: Path, scale: int) -> None:
    before = peak_rss_mb()
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.tmx"
        started = time.perf_counter()
        header, _ = read_tmx(path)
        with big.open("wb") as out:
            written = write_tmx(header, scaled(path, scale), out)
        wrote = time.perf_counter() - started
        started = time.perf_counter()
        _, units = read_tmx(big)
        read = sum(1 for _ in units)
        took = time.perf_counter() - started
        size = big.stat().st_size / 1e6
    print(
        f"streaming {scale}x tico19: {written:,} units, {size:.0f} MB written in {wrote:.1f} s, "
        f"{read:,} read back in {took:.1f} s ({read / took:,.0f} units/s)"
    )
    print(f"peak RSS: {before:.0f} MB before streaming, {peak_rss_mb():.0f} MB after streaming {size:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--scale", type=int, default=40, help="tico19 copies in the streaming run")
    args = parser.parse_args()
    tico19 = args.data / "tm" / "tico19.en-ru.tmx"
    print(f"cpu: {cpu_model()} ({os.cpu_count()} CPUs)")
    streaming(tico19, args.scale)  # first, so the peak RSS it reports is not the lists' below
    print(f"{'file':40} {'units':>7} {'equal':>7} {'seconds':>8}")
    total = equal_total = 0
    for path in [tico19, *sorted(FIXTURES.glob("*.tmx"))]:
        units, equal, seconds = round_trip(path)
        total, equal_total = total + units, equal_total + equal
        print(f"{path.name:40} {units:>7} {equal:>7} {seconds:>8.3f}")
    print(f"all files: {equal_total}/{total} units equal after the round trip")
    print(f"peak RSS (whole run): {peak_rss_mb():.0f} MB")
    if equal_total != total:
        sys.exit(1)


if __name__ == "__main__":
    main()

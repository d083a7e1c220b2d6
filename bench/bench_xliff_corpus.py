"""Every real XLIFF file in tests/fixtures/xliff-corpus through `POST /v1/xliff`, checked as a CAT tool would.

Each file (Trados SDLXLIFF, memoQ, Phrase, Matecat, MadCap Lingo, XTM, Okapi, Angular, Symfony, Xcode,
translate-toolkit, Umbraco; XLIFF 1.1, 1.2, 2.0 and 2.1; CRLF and windows-1252 among them) is posted in
minimal mode (clean MT kept) and full mode (the stub model edits every target) to the real API on the
scripted stub model (no Redis, no model weights, nothing from the network). Each answer is checked with
the ecosystem's own tools:

- the OASIS XSD of its version (1.2 transitional, 1.1, 2.0 core; offline copies): an output is invalid
  when it has a schema error its input did not have;
- translate-toolkit reads it and sees the same units (id and source) as in the input;
- bytes outside the targets: the output with targets, notes from="postedit", `<sdl:seg>` and 2.x
  `<segment state>` blanked out equals the input blanked out the same way, and a CRLF file has no bare LF.

Prints one line per file and mode, then the totals; exits 1 unless every output is XSD-valid, unchanged
outside targets and read by translate-toolkit.

Run: .venv/bin/python bench/bench_xliff_corpus.py [-v]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.xliff.corpus import FILES, MODES, RoundTrip, post, service  # noqa: E402


@dataclass(frozen=True)
class Figures:
    runs: int
    failed_requests: int
    xsd_invalid: int
    changed_outside_targets: int
    toolkit_read: int

    @property
    def ok(self) -> bool:
        return (
            self.failed_requests == 0
            and self.xsd_invalid == 0
            and self.changed_outside_targets == 0
            and self.toolkit_read == self.runs
        )


def figures(results: list[RoundTrip]) -> Figures:
    answered = [r for r in results if r.status == 200]
    return Figures(
        runs=len(results),
        failed_requests=len(results) - len(answered),
        xsd_invalid=sum(1 for r in answered if r.new_xsd_errors),
        changed_outside_targets=sum(1 for r in answered if r.changed_outside_targets),
        toolkit_read=sum(1 for r in answered if r.toolkit_reads_the_same_units),
    )


def line(r: RoundTrip, seconds: float, verbose: bool) -> str:
    if r.status != 200:
        return f"{r.file.name:60} {r.mode:7} HTTP {r.status}: {r.output[:200]!r}"
    new_errors = r.new_xsd_errors
    text = (
        f"{r.file.name:60} {r.mode:7} {'edited' if r.output != r.file.data else 'same':6} "
        f"xsd+{sum(new_errors.values())} outside={'CHANGED' if r.changed_outside_targets else 'same'} "
        f"toolkit={'ok' if r.toolkit_reads_the_same_units else 'FAILED'} {seconds:.1f}s"
    )
    if verbose and new_errors:
        text += "".join(f"\n    {message}" for message in new_errors)
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="print the new schema errors")
    args = parser.parse_args()
    results: list[RoundTrip] = []
    with tempfile.TemporaryDirectory() as workdir, service(Path(workdir)) as live, live.client() as client:
        for file in FILES:
            for mode in MODES:
                started = time.perf_counter()
                result = post(client, file, mode)
                results.append(result)
                print(line(result, time.perf_counter() - started, args.verbose), flush=True)
    f = figures(results)
    print(
        f"\nfiles: {len(FILES)} ({f.runs} round trips: {', '.join(MODES)} mode)\n"
        f"failed requests: {f.failed_requests}\n"
        f"XSD-invalid outputs: {f.xsd_invalid}\n"
        f"outputs with bytes changed outside targets: {f.changed_outside_targets}\n"
        f"outputs translate-toolkit read as the same units: {f.toolkit_read}/{f.runs}"
    )
    return 0 if f.ok else 1


if __name__ == "__main__":
    sys.exit(main())

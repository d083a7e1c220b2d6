"""Tag and placeholder QA against translate-toolkit's pofilter test cases, used as an oracle.

tests/fixtures/pofilter/cases.jsonl holds the (source, target) pairs that translate-toolkit's own check
tests assert pass or fail for its placeholder and tag checks (`variables`, `printf`, `pythonbraceformat`,
`xmltags`, `validxml`), each with the checker style it was asserted under (Mozilla, OpenOffice,
LibreOffice, KDE, ...); see tests/fixtures/pofilter/README.md for where they come from.

Each pair goes through our `run_checks` (en -> fr) with the placeholder profile a user of that project
would pick (`mozilla` for Mozilla, `openoffice` for OpenOffice and LibreOffice, the default otherwise). We flag a pair
when any finding's code starts with `tag-` or `placeholder-` at error or warning severity. A case
agrees when pofilter fails it and we flag it, or pofilter passes it and we raise no error-severity
`tag-`/`placeholder-` finding (a warning on a passing pair is tolerated, and counted apart).

Prints overall agreement (over all cases, and over unique (check, source, target, verdict) rows, as the
OpenOffice and LibreOffice checkers share most cases), then agreement per check, per style and per
pofilter verdict; with -v, every disagreement with its source, target, verdict and our codes.

Note on scope: `validxml` checks the target alone for well-formed LibreOffice help markup (its test
sources are empty) and only for .xrm/.xhp locations, whereas we compare the target's markup with the
source's; the style column carries such checker state (`location=`, `hasplural=`, `targetlanguage=`).

Run: .venv/bin/python bench/bench_pofilter.py [-v] [--check NAME] [CASES_JSONL]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from agent.checks import CheckInput, Severity, Violation, run_checks

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "fixtures" / "pofilter" / "cases.jsonl"
PREFIXES = ("tag-", "placeholder-")


@dataclass(frozen=True)
class Case:
    check: str
    style: str
    source: str
    target: str
    pofilter: str  # "pass" | "fail"
    origin: str


@dataclass(frozen=True)
class Outcome:
    case: Case
    found: tuple[Violation, ...]  # our tag-/placeholder- findings at error or warning severity

    @property
    def flagged(self) -> bool:
        return bool(self.found)

    @property
    def has_error(self) -> bool:
        return any(v.severity is Severity.ERROR for v in self.found)

    @property
    def agrees(self) -> bool:
        return self.flagged if self.case.pofilter == "fail" else not self.has_error


def load(path: Path) -> list[Case]:
    with path.open(encoding="utf-8") as f:
        return [Case(**json.loads(line)) for line in f if line.strip()]


def profiles_of(style: str) -> tuple[str, ...]:
    """Our placeholder profile for pofilter's checker style, as a user of that project would pick it."""
    name = style.split("[", 1)[0]
    if name == "mozilla":
        return ("mozilla",)
    if name in ("openoffice", "libreoffice"):
        return ("openoffice",)
    return ()


def evaluate(case: Case) -> Outcome:
    inp = CheckInput(case.source, case.target, "en", "fr", placeholders=profiles_of(case.style))
    violations = run_checks(inp)
    found = tuple(
        v
        for v in violations
        if v.code.startswith(PREFIXES) and v.severity in (Severity.ERROR, Severity.WARNING)
    )
    return Outcome(case, found)


def _pct(hit: int, n: int) -> str:
    return f"{hit:4d}/{n:<4d} {100 * hit / n:5.1f}%" if n else "   -"


def _table(title: str, outcomes: list[Outcome], key: str) -> None:
    total: Counter[str] = Counter()
    hit: Counter[str] = Counter()
    for o in outcomes:
        k = getattr(o.case, key)
        total[k] += 1
        hit[k] += o.agrees
    print(f"\n{title}")
    width = max((len(k) for k in total), default=0)
    for k in sorted(total, key=lambda k: (-total[k], k)):
        print(f"  {k:<{width}}  {_pct(hit[k], total[k])}")


def _codes(o: Outcome) -> str:
    return ", ".join(f"{v.code}({v.severity.value}): {v.message}" for v in o.found) or "-"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("cases", nargs="?", type=Path, default=CASES, help="JSONL fixture (default: %(default)s)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every disagreement")
    ap.add_argument("--check", help="only the cases of this pofilter check (e.g. variables)")
    args = ap.parse_args()

    cases = load(args.cases)
    if args.check:
        cases = [c for c in cases if c.check == args.check]
    outcomes = [evaluate(c) for c in cases]
    if not outcomes:
        print("no cases")
        return

    agree = sum(o.agrees for o in outcomes)
    unique: dict[tuple[str, str, str, str], bool] = {}
    for o in outcomes:
        unique[(o.case.check, o.case.source, o.case.target, o.case.pofilter)] = o.agrees
    print(f"pofilter oracle: {args.cases}")
    print(f"agreement, all cases:    {_pct(agree, len(outcomes))}")
    print(f"agreement, unique rows:  {_pct(sum(unique.values()), len(unique))}")

    fails = [o for o in outcomes if o.case.pofilter == "fail"]
    passes = [o for o in outcomes if o.case.pofilter == "pass"]
    print(f"pofilter fail, we flag (recall):           {_pct(sum(o.flagged for o in fails), len(fails))}")
    print(
        f"pofilter pass, no error from us:           {_pct(sum(not o.has_error for o in passes), len(passes))}"
    )
    warned = sum(o.flagged and not o.has_error for o in passes)
    print(f"pofilter pass, only a warning from us:     {warned}")

    _table("by check", outcomes, "check")
    _table("by style", outcomes, "style")

    if args.verbose:
        wrong = [o for o in outcomes if not o.agrees]
        print(f"\ndisagreements ({len(wrong)})")
        for o in sorted(wrong, key=lambda o: (o.case.check, o.case.pofilter, o.case.style)):
            c = o.case
            print(f"\n- [{c.check} / {c.style}] pofilter {c.pofilter.upper()}  ({c.origin})")
            print(f"  source: {c.source!r}")
            print(f"  target: {c.target!r}")
            print(f"  ours:   {_codes(o)}")


if __name__ == "__main__":
    main()

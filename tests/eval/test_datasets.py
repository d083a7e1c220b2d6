"""Reading evaluation sets: the shared JSONL shape and XLIFF with reference targets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.datasets import DatasetError, load_datasets, read_jsonl, read_xliff
from glossaries.model import TermStatus

FIXTURES = Path(__file__).parent / "fixtures"


def test_jsonl_terms_become_entries_with_every_variant_allowed(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    row = {
        "id": "7",
        "src": "a runny nose",
        "mt": "un nez qui coule",
        "ref": "le nez qui coule",
        "terms": [{"src": "runny nose", "tgt": ["nez coule-t-il", "nez qui coule"]}],
    }
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    (got,) = read_jsonl(path)
    assert (got.src, got.mt, got.ref, got.pe) == (
        "a runny nose",
        "un nez qui coule",
        "le nez qui coule",
        None,
    )
    (entry,) = got.terms
    assert [t.text for t in entry.allowed_targets] == ["nez coule-t-il", "nez qui coule"]
    assert entry.target[0].status is TermStatus.PREFERRED
    assert got.key == "set/7"


@pytest.mark.parametrize(
    ("line", "message"),
    [("{not json", "set.jsonl:2: invalid JSON"), ('{"id": 1, "mt": "x"}', "set.jsonl:2: a row needs")],
)
def test_bad_jsonl_names_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text('{"id": 0, "src": "ok", "mt": "ok"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=message):
        read_jsonl(path)


def test_xliff12_target_is_the_reference_and_alt_trans_the_mt() -> None:
    rows = read_xliff(FIXTURES / "eurlex.en-fr.sample.xlf")
    assert [r.id for r in rows] == ["eurlex-dev-8", "eurlex-dev-11", "eurlex-dev-22"]
    last = rows[-1]
    assert last.src.startswith('<bx id="1"/>Building') and '<g id="2">' in last.src
    assert last.ref is not None and last.ref.startswith('<bx id="1"/>S’appuyant')
    assert last.mt is not None and "<g" not in last.mt


def test_xliff2_mt_comes_from_mtc_match(tmp_path: Path) -> None:
    path = tmp_path / "doc.xlf"
    path.write_text(
        """<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" trgLang="de"
         xmlns:mtc="urn:oasis:names:tc:xliff:matches:2.0"><file id="f"><unit id="u1">
         <mtc:matches><mtc:match ref="#s1"><source>Hello <ph id="1"/></source>
         <target>Hallo <ph id="1"/></target></mtc:match></mtc:matches>
         <segment id="s1"><source>Hello <ph id="1"/></source><target>Guten Tag <ph id="1"/></target></segment>
         </unit></file></xliff>""",
        encoding="utf-8",
    )
    (row,) = read_xliff(path)
    assert (row.id, row.src, row.mt, row.ref) == (
        "u1",
        'Hello <ph id="1"/>',
        'Hallo <ph id="1"/>',
        'Guten Tag <ph id="1"/>',
    )


def test_limit_applies_per_file_and_keys_stay_unique() -> None:
    files = [FIXTURES / "wmt21-tico19.en-fr.sample.jsonl", FIXTURES / "mlqe-pe.en-de.sample.jsonl"]
    rows = load_datasets(files, limit=2)
    assert len(rows) == 4
    assert len({r.key for r in rows}) == 4


def test_missing_file_is_a_dataset_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no such file"):
        load_datasets([tmp_path / "nope.jsonl"])

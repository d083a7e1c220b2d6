"""Bad input for every endpoint that reads a body: each must be a 4xx in the error envelope, never a 5xx.

Shared by `test_bad_input.py` and `bench/bench_reliability.py`, so the bench counts exactly what CI asserts.
XML attacks on termbases are in `tests/glossaries/test_bad_input.py`, on XLIFF in `tests/xliff/test_roundtrip.py`;
here they are only sent once more over HTTP to prove the status and the envelope.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CASES", "BadCase", "deep_yaml", "evil_styleguide", "xliff_with_units"]

NESTED_JSON = b"[" * 100_000
HUGE_INT = b"1" * 5_000
PAIR = {"source_lang": "en", "target_lang": "de"}


@dataclass(frozen=True)
class BadCase:
    """One request a client may send by mistake or malice, and what it must get back."""

    name: str
    method: str
    path: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    status: tuple[int, ...] = (400, 413, 415, 422)
    message_has: str = ""  # a fragment the error message must contain (the line, the rule, the field)


def _json(body: bytes) -> dict[str, Any]:
    return {"content": body, "headers": {"content-type": "application/json"}}


def _postedit(source: str, **extra: Any) -> dict[str, Any]:
    body = {**PAIR, "segments": [{"id": "1", "source": source, "mt": "Hallo."}], **extra}
    return _json(json.dumps(body).encode())


def deep_yaml(depth: int = 5_000) -> bytes:
    """A YAML flow sequence nested `depth` deep: PyYAML's composer recurses once per level."""
    return b"rules: " + b"[" * depth + b"]" * depth + b"\n"


def evil_styleguide(pattern: str = "^(a+)+$") -> bytes:
    """A style guide whose one rule backtracks exponentially under a backtracking engine."""
    return (
        f"target_lang: de\nrules:\n  - id: evil\n    message: no runs of a\n    pattern: '{pattern}'\n"
    ).encode()


def xliff_with_units(count: int, text: str = "Hello world.") -> bytes:
    """An XLIFF 1.2 file with `count` translatable units."""
    units = "".join(
        f'<trans-unit id="u{i}"><source>{text}</source><target>Hallo Welt.</target></trans-unit>'
        for i in range(count)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">'
        f'<file source-language="en" target-language="de" datatype="plaintext" original="f"><body>{units}'
        "</body></file></xliff>"
    ).encode()


def _upload(path: str, data: bytes, filename: str, **form: str) -> tuple[str, dict[str, Any]]:
    return path, {"files": {"file": (filename, data)}, "data": form}


def _json_bodies() -> list[BadCase]:
    """100k nested brackets and a 5,000-digit integer on every JSON endpoint."""
    paths = [
        "/v1/postedit",
        "/v1/postedit/stream",
        "/v1/conversations",
        "/v1/conversations/c0ffee/messages",
        "/v1/conversations/c0ffee/accept",
        "/v2/translate",
        "/v2/glossaries",
    ]
    cases = []
    for path in paths:
        says = "JSON" if path.startswith("/v2/") else ""  # FastAPI's own parser: "error parsing the body"
        cases.append(BadCase(f"nested JSON {path}", "POST", path, _json(NESTED_JSON), message_has=says))
        cases.append(
            BadCase(
                f"5,000-digit integer {path}",
                "POST",
                path,
                _json(b'{"source_lang": "en", "n": ' + HUGE_INT + b"}"),
                status=(400, 404, 413, 422),
            )
        )
    return cases


_TBX_DEEP = b"<martif><text><body>" + b"<a>" * 5_000 + b"</a>" * 5_000 + b"</body></text></martif>"
_GLOSSARY = "/v1/glossaries/bad?source_lang=en&target_lang=de&filename="
_STYLE = "/v1/styleguides/bad?filename=s.yaml"

CASES: list[BadCase] = [
    *_json_bodies(),
    BadCase(
        "JSON list for formality",
        "POST",
        "/v2/translate",
        _json(b'{"text": ["Hi"], "target_lang": "DE", "formality": ["x"]}'),
        status=(400,),
        message_has="formality",
    ),
    BadCase(
        "JSON list for tag_handling",
        "POST",
        "/v2/translate",
        _json(b'{"text": ["Hi"], "target_lang": "DE", "tag_handling": ["xml"]}'),
        status=(400,),
        message_has="tag_handling",
    ),
    BadCase(
        "form text as a number",
        "POST",
        "/v2/translate",
        {"data": {"text": "Hi", "target_lang": "DE", "formality": "loud"}},
        status=(400,),
    ),
    BadCase(
        "lone surrogate in a segment",
        "POST",
        "/v1/postedit",
        _json(
            b'{"source_lang": "en", "target_lang": "de", "segments": '
            b'[{"id": "1", "source": "Hi \\ud800 there", "mt": "Hallo"}]}'
        ),
        status=(422,),
        message_has="surrogate",
    ),
    BadCase(
        "lone surrogate in DeepL text",
        "POST",
        "/v2/translate",
        _json(b'{"text": ["Hi \\udfff"], "target_lang": "DE"}'),
        status=(400,),
    ),
    BadCase(
        "lone surrogate in a conversation",
        "POST",
        "/v1/conversations",
        _json(b'{"source_lang": "en", "target_lang": "de", "source": "Hi \\ud800"}'),
        status=(422,),
    ),
    BadCase(
        "target_lang with a long region",
        "POST",
        "/v1/postedit",
        _postedit("Hello.", target_lang="en-ZZZZZZZZ"),
        status=(422,),
        message_has="target_lang",
    ),
    BadCase(
        "DeepL target_lang with a long region",
        "POST",
        "/v2/translate",
        _json(b'{"text": ["Hi"], "target_lang": "EN-ZZZZZZZZ"}'),
        status=(400,),
    ),
    BadCase(
        "segments not a list",
        "POST",
        "/v1/postedit",
        _json(b'{"source_lang": "en", "target_lang": "de", "segments": {"id": 1}}'),
        status=(422,),
    ),
    BadCase(
        "YAML style guide nested 5,000 deep",
        "PUT",
        _STYLE,
        {"content": deep_yaml()},
        status=(422,),
        message_has="nested",
    ),
    BadCase(
        "YAML glossary nested 5,000 deep",
        "PUT",
        _GLOSSARY + "g.yaml",
        {"content": b"entries: " + deep_yaml()[7:]},
        status=(422,),
        message_has="nested",
    ),
    BadCase(
        "YAML mapping nested 5,000 deep",
        "PUT",
        _STYLE,
        {"content": b"{a: " * 5_000 + b"}" * 5_000},
        status=(422,),
        message_has="nested",
    ),
    BadCase(
        "CSV glossary with a NUL byte",
        "PUT",
        _GLOSSARY + "g.csv",
        {"content": b"source,target\nSave,Speichern\nOpen,\x00ffnen\n"},
        status=(422,),
        message_has=":3",
    ),
    BadCase(
        "TSV glossary with a NUL byte",
        "PUT",
        _GLOSSARY + "g.tsv",
        {"content": b"source\ttarget\nOp\x00en\t\xc3\x96ffnen\n"},
        status=(422,),
        message_has=":2",
    ),
    BadCase("TBX nested 5,000 deep", "PUT", _GLOSSARY + "g.tbx", {"content": _TBX_DEEP}, status=(422,)),
    BadCase("TBX not UTF-8", "PUT", _GLOSSARY + "g.tbx", {"content": b"\xff\xfe<\x00m\x00"}, status=(422,)),
    BadCase(
        "style rule that does not compile",
        "PUT",
        _STYLE,
        {"content": evil_styleguide("(unclosed")},
        status=(422,),
        message_has="rules.0.pattern",
    ),
    BadCase(
        "style rule that backtracks",
        "PUT",
        _STYLE,
        {"content": evil_styleguide("(a|aa)+$")},
        status=(422,),
        message_has="evil",
    ),
    BadCase(
        "DeepL glossary entries with a NUL",
        "POST",
        "/v2/glossaries",
        {"data": {"name": "n", "source_lang": "en", "target_lang": "de", "entries": "a\tb\nc\x00\td"}},
        status=(400,),
    ),
    BadCase(
        "XLIFF nested 5,000 deep",
        "POST",
        *_upload("/v1/xliff", b"<xliff>" + b"<a>" * 5_000, "f.xlf"),
        status=(400,),
    ),
    BadCase(
        "XLIFF with a DTD entity bomb",
        "POST",
        *_upload(
            "/v1/xliff",
            b'<?xml version="1.0"?><!DOCTYPE x '
            b'[<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><xliff version="1.2">&b;</xliff>',
            "f.xlf",
        ),
        status=(400,),
    ),
    BadCase(
        "XLIFF, mode of the wrong type",
        "POST",
        *_upload("/v1/xliff", xliff_with_units(1), "f.xlf", mode="loud"),
        status=(422,),
        message_has="mode",
    ),
    BadCase(
        "XLIFF with too many units",
        "POST",
        *_upload("/v1/xliff", xliff_with_units(400), "f.xlf"),
        status=(413,),
        message_has="units",
    ),
    BadCase("XLIFF job not XML", "POST", *_upload("/v1/jobs", b"\x00\x01garbage", "f.xlf"), status=(400,)),
    BadCase(
        "JSONL job line nested 100k deep",
        "POST",
        *_upload("/v1/jobs", b'{"id": "1", "source": "a"}\n' + NESTED_JSON + b"\n", "f.jsonl", **PAIR),
        status=(400,),
        message_has="line 2",
    ),
    BadCase(
        "JSONL job line with a 5,000-digit integer",
        "POST",
        *_upload("/v1/jobs", b'{"id": ' + HUGE_INT + b', "source": "a"}\n', "f.jsonl", **PAIR),
        status=(400,),
        message_has="line 1",
    ),
    BadCase(
        "JSONL job with a lone surrogate",
        "POST",
        *_upload("/v1/jobs", b'{"id": "1", "source": "a \\ud800"}\n', "f.jsonl", **PAIR),
        status=(400,),
        message_has="line 1",
    ),
    BadCase(
        "job file sent as a text field",
        "POST",
        "/v1/jobs",
        {"data": {"file": "not a file", **PAIR}},
        status=(422,),
        message_has="file",
    ),
    BadCase(
        "job with a wrong target_lang",
        "POST",
        *_upload(
            "/v1/jobs",
            b'{"id": "1", "source": "a"}\n',
            "f.jsonl",
            source_lang="en",
            target_lang="en-ZZZZZZZZ",
        ),
        status=(422,),
    ),
]

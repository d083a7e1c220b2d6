"""ragas 0.4 as a cross-check and an optional judge.

- String metrics without a model: ragas' `CHRFScore` (sacreBLEU chrF, 0-1) and `NonLLMStringSimilarity`
  (1 - normalized Levenshtein distance, via rapidfuzz), averaged over segments. They should agree with
  our own chrF in direction; a disagreement means a bug on one side.
- LLM-as-judge: a ragas `DiscreteMetric` asking "does the post-edit keep the meaning of the source and
  follow the glossary?" (pass/fail) of any OpenAI-compatible endpoint (the gateway config's primary model).

ragas phones home unless told not to: `RAGAS_DO_NOT_TRACK=true` is set here, before ragas is imported,
and nowhere else.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from eval.metrics.base import Score

__all__ = [
    "JUDGE_PROMPT",
    "JudgeEndpoint",
    "judge_endpoint",
    "judge_segments",
    "ragas_available",
    "string_scores",
]

JUDGE_PROMPT = (
    "You review a post-edited machine translation from {source_lang} to {target_lang}.\n"
    "Source: {source}\n"
    "Glossary (source term -> required target term): {glossary}\n"
    "Post-edited translation: {response}\n"
    "Does the post-edited translation keep the meaning of the source and follow the glossary? "
    "Answer 'pass' or 'fail' and give a short reason."
)


def _ragas(module: str) -> ModuleType:
    return importlib.import_module(module)


def ragas_available() -> str | None:
    """ragas' version, or None when it (or a pinned dependency) does not import."""
    try:
        return str(_ragas("ragas").__version__)
    except Exception:  # ragas' import breaks on unpinned langchain versions: report, do not crash
        return None


def string_scores(hyps: Sequence[str], refs: Sequence[str], ref_name: str) -> list[Score]:
    """Mean ragas CHRFScore (scaled to 0-100 like sacreBLEU) and NonLLMStringSimilarity (0-1)."""
    collections = _ragas("ragas.metrics.collections")
    version = ragas_available()
    chrf = collections.CHRFScore()
    sim = collections.NonLLMStringSimilarity()

    async def all_scores() -> tuple[list[float], list[float]]:
        c = [
            float((await chrf.ascore(reference=r, response=h)).value) for h, r in zip(hyps, refs, strict=True)
        ]
        s = [
            float((await sim.ascore(reference=r, response=h)).value) for h, r in zip(hyps, refs, strict=True)
        ]
        return c, s

    c, s = _run(all_scores())
    n = len(hyps)
    return [
        Score(f"ragas_chrf/{ref_name}", 100 * sum(c) / n if n else 0.0, f"ragas:{version}|CHRFScore|mean", n),
        Score(
            f"ragas_string_sim/{ref_name}",
            sum(s) / n if n else 0.0,
            f"ragas:{version}|NonLLMStringSimilarity|levenshtein|mean",
            n,
        ),
    ]


def _run(coro: Any) -> Any:
    """Run a coroutine from sync code, also when called inside a running loop (e.g. from a test)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


@dataclass(frozen=True)
class JudgeEndpoint:
    base_url: str
    model: str
    api_key: str


def judge_endpoint(config: Path | None) -> JudgeEndpoint:
    """The primary model group's first deployment of the gateway config, as an OpenAI endpoint."""
    from agent.llm import load_gateway_config

    cfg = load_gateway_config(config) if config is not None else load_gateway_config()
    dep = next(d for d in cfg.deployments if d.name == cfg.model)
    if not dep.api_base:
        raise ValueError(f"{cfg.source}: deployment {dep.name!r} has no api_base for the judge")
    model = (
        dep.model.split("/", 1)[1]
        if "/" in dep.model and dep.model.split("/", 1)[0] in _PREFIXES
        else dep.model
    )
    return JudgeEndpoint(dep.api_base, model, dep.api_key or "not-needed")


_PREFIXES = ("openai", "hosted_vllm", "vllm", "llamacpp", "llama_cpp", "local")


async def judge_segments(
    endpoint: JudgeEndpoint, items: Sequence[dict[str, str]], concurrency: int = 4
) -> list[tuple[str, str]]:
    """(verdict, reason) per item; items carry source, response, glossary, source_lang, target_lang.

    A judge call that fails yields ("error", message) rather than stopping the run.
    """
    metrics = _ragas("ragas.metrics")
    llms = _ragas("ragas.llms")
    from openai import AsyncOpenAI

    client = AsyncOpenAI(base_url=endpoint.base_url, api_key=endpoint.api_key)
    llm = llms.llm_factory(endpoint.model, client=client, temperature=0.0, max_tokens=256)
    metric = metrics.DiscreteMetric(
        name="meaning_and_glossary", prompt=JUDGE_PROMPT, allowed_values=["pass", "fail"]
    )
    gate = asyncio.Semaphore(concurrency)

    async def one(item: dict[str, str]) -> tuple[str, str]:
        async with gate:
            try:
                r = await metric.ascore(llm=llm, **item)
                return str(r.value), str(r.reason or "")
            except Exception as e:  # the judge is advisory: record the failure, keep going
                return "error", f"{type(e).__name__}: {e}"[:300]

    return list(await asyncio.gather(*(one(i) for i in items)))

"""How the server reaches the agent: the `Editor` surface it relies on and the factory for the real one.

Routes and workers only see `Editor`; tests may swap in another implementation through `deps`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from agent import EditOptions, Lexicon, Segment, SegmentResult, TraceStep, TurnResult
from server.kv import KV, RedisKV
from server.settings import Settings

if TYPE_CHECKING:
    from glossaries.matcher import TermMatcher
    from glossaries.model import Termbase

__all__ = ["Editor", "build_editor"]


class Editor(Protocol):
    async def edit(
        self,
        segment: Segment,
        options: EditOptions,
        *,
        glossary: Termbase | None = None,
        style: Any = None,
        cache_scope: str = "",
        lexicon: Lexicon | None = None,
    ) -> SegmentResult: ...

    def stream(
        self,
        segment: Segment,
        options: EditOptions,
        *,
        glossary: Termbase | None = None,
        style: Any = None,
        cache_scope: str = "",
    ) -> AsyncIterator[TraceStep | SegmentResult]: ...

    async def ready(self) -> bool: ...

    async def follow_up(
        self,
        segment: Segment,
        options: EditOptions,
        *,
        current: str,
        history: Sequence[tuple[str, str]],
        message: str,
        glossary: Termbase | None = None,
        style: Any = None,
        cache_scope: str = "",
    ) -> TurnResult: ...

    def matcher(self, termbase: Termbase) -> TermMatcher: ...


def build_editor(settings: Settings, kv: KV) -> Editor:
    """The real agent: LLM gateway from the model config, result cache on Redis (shared) or in process."""
    from agent import InMemoryResultCache, PostEditor, RedisResultCache, ResultCache
    from agent.llm import LLMGateway

    gateway = LLMGateway.from_config(settings.model_config_path)
    gateway.prepare()  # at startup: a worker's first request must not pay for litellm's import
    cache: ResultCache
    if isinstance(kv, RedisKV):
        cache = RedisResultCache(kv.client, prefix=settings.redis_key("cache", ""))
    else:
        cache = InMemoryResultCache()
    editor: Editor = PostEditor(gateway, cache=cache)
    return editor

"""Includes every router; a new resource (e.g. the playground's conversations) adds one line here."""

from __future__ import annotations

from fastapi import APIRouter

from server.routes import (
    conversations,
    deepl,
    glossaries,
    health,
    jobs,
    memories,
    postedit,
    styleguides,
    xliff,
)

__all__ = ["api_router"]

api_router = APIRouter()
for module in (health, postedit, xliff, jobs, glossaries, styleguides, memories, deepl, conversations):
    api_router.include_router(module.router)
api_router.include_router(deepl.unimplemented_router)

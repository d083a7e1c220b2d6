"""The agent as a LangGraph state graph: one builder, nodes from `nodes.py`, a single router."""

from __future__ import annotations

from collections.abc import Hashable
from functools import cache
from typing import Any

from langgraph.graph import END, START, StateGraph

from agent import nodes
from agent.state import AgentContext, AgentState


@cache
def build_graph() -> Any:
    """Compiled once per process; every run gets its own state and context."""
    graph = StateGraph(AgentState, context_schema=AgentContext)
    graph.add_node("prepare", nodes.prepare)
    graph.add_node("fix", nodes.fix)
    graph.add_node("locate", nodes.locate)
    graph.add_node("rewrite", nodes.rewrite)
    graph.add_node("finalize", nodes.finalize)
    graph.add_edge(START, "prepare")
    branches: dict[Hashable, str] = {
        "fix": "fix",
        "locate": "locate",
        "rewrite": "rewrite",
        "finalize": "finalize",
    }
    for source in ("prepare", "fix", "locate", "rewrite"):
        graph.add_conditional_edges(source, nodes.route, branches)
    graph.add_edge("finalize", END)
    return graph.compile()

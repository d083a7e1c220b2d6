"""The agent's steps as plain functions, one module per step: state in, partial state out. `graph.py` wires
them, and `route` picks the next one.

prepare (retrieve, protect, check the MT) -> (fix | locate | rewrite | place) -> check ... -> finalize
"""

from agent.nodes.common import best_candidate
from agent.nodes.finalize import finalize
from agent.nodes.fix import fix
from agent.nodes.locate import locate
from agent.nodes.place import place
from agent.nodes.prepare import prepare
from agent.nodes.rewrite import rewrite
from agent.nodes.route import Route, route

__all__ = ["Route", "best_candidate", "finalize", "fix", "locate", "place", "prepare", "rewrite", "route"]

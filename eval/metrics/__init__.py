"""Metric families, one per module: sacreBLEU (chrF++/BLEU/TER + paired bootstrap), edit rate vs MT,
terminology, markup, QA violations, cost, ragas. Each returns `Score`s with a signature."""

from eval.metrics.base import Score

__all__ = ["Score"]

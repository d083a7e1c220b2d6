"""Offline evaluation harness: dataset readers, metrics, runner and reports, fronted by `postedit eval`
(`cli.evaluate`).

Importing `eval` is cheap; the metric and plotting stacks load with the modules that need them.
"""

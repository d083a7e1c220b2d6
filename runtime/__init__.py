"""The model runtime: the embedded llama.cpp server and its weight files (joined from PyPI parts, hash-checked).

Production reaches vLLM over HTTP through `agent.llm`; this package only runs the CPU model of a laptop or CI.
"""

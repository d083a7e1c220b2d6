"""Opt-in contract tests against a real vLLM OpenAI server."""

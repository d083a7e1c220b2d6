"""Test helpers shared by every test package: the scripted LLM stub server and its fixtures."""

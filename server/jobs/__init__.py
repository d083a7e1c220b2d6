"""Async jobs for large files: a Redis queue (arq) with separate workers, or in process without Redis."""

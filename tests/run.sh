#!/usr/bin/env bash
# Installs everything the suite needs on a fresh Debian machine, then runs lint, types and tests.
# Usage: bash tests/run.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
for tool in espeak-ng sox ffmpeg chromium; do  # chromium: the page tests (tests/ui)
  command -v "$tool" >/dev/null 2>&1 || need_apt+=("$tool")
done
# Real speech for the word error rate tests (tests/real_speech.py): a data package, no command.
[ -d /usr/share/pocketsphinx/test/data/librivox ] || need_apt+=(pocketsphinx-testdata)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "Installing system packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ -z "${TEST_DATABASE_URL:-}" ] && command -v pg_ctlcluster >/dev/null 2>&1; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start 2>/dev/null || true
  export TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/test"
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev,balanced,openai-whisper,tagger-model,tagger-train]'

echo "== ruff"; .venv/bin/ruff check . && .venv/bin/ruff format --check .
echo "== mypy"; .venv/bin/mypy bot storage handlers
echo "== pytest (PostgreSQL: ${TEST_DATABASE_URL:-not set, those tests skip})"
# Two workers: most tests wait on sockets and subprocesses, so both cores stay busy.
# --durations: the slowest tests are named in every run, so a slow CI can be traced.
.venv/bin/pytest -q -p no:cacheprovider -n 2 --durations=20 "$@"

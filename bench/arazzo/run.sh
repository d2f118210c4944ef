#!/usr/bin/env bash
# The Arazzo runner benchmark (workload W8 of the performance reference): weft, Redocly
# Respect and Jentic arazzo-runner run bench/arazzo/orders.arazzo.yaml (5 steps) against
# the local mock crates/bench/examples/arazzo_mock.rs. Method and figures: docs/benchmarks.md.
#
#   bench/arazzo/run.sh            # release builds, full iteration counts (a few minutes)
#   bench/arazzo/run.sh --quick    # fewer iterations, to try the setup
#
# Installs the peers it compares against into bench/arazzo/.work (git-ignored): the npm
# package @redocly/cli and a venv with the PyPI package arazzo-runner, at pinned versions.
# Needs node (v20.19+ or v22.12+) and python3.
set -euo pipefail
cd "$(dirname "$0")/../.."

respect_version=2.77.0
runner_version=0.9.6
work=bench/arazzo/.work
mkdir -p "$work"

if [[ ! -f $work/npm/node_modules/@redocly/cli/package.json ]] ||
  [[ $(node -p "require('./$work/npm/node_modules/@redocly/cli/package.json').version") != "$respect_version" ]]; then
  mkdir -p "$work/npm"
  [[ -f $work/npm/package.json ]] || echo '{"private": true}' > "$work/npm/package.json"
  npm install --prefix "$work/npm" --no-audit --no-fund --silent "@redocly/cli@$respect_version"
fi

if ! "$work/venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('arazzo-runner') != '$runner_version')" 2>/dev/null; then
  rm -rf "$work/venv"
  python3 -m venv "$work/venv"
  "$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check "arazzo-runner==$runner_version"
fi

cargo build --release --locked -p weft
cargo build --release --locked -p weft-bench --example arazzo_mock --example arazzo_loop
target_dir=${CARGO_TARGET_DIR:-target}

exec "$work/venv/bin/python" bench/arazzo/bench.py \
  --work "$work/run" \
  --mock "$target_dir/release/examples/arazzo_mock" \
  --weft "$target_dir/release/weft" \
  --weft-loop "$target_dir/release/examples/arazzo_loop" \
  --respect "$work/npm/node_modules/@redocly/cli/bin/cli.js" \
  --runner-python "$work/venv/bin/python" \
  "$@"

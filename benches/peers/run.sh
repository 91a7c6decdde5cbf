#!/usr/bin/env bash
# Every performance figure of the README's table, measured in one run:
# bedflow, SimPy, Ciw and the bare Rust loop on the reference model
# (benches/README.md), checked to agree, with their ratios in-process and
# whole-process; events per second at 600 and 60,000 beds; the shipped
# winter's 1,000 replications on 1 and 2 threads; and peak memory of
# compare, sweep and merge against one run.
# Needs PyPI (installs SimPy and Ciw into target/peers-venv). Run from anywhere:
#   bash benches/peers/run.sh [SIMPY_REPS] [CIW_REPS] [MEMORY_REPS]
# (defaults 10, 4 and 10000; about 20 minutes on 2 cores, most of it the
# memory runs: MEMORY_REPS=0 skips them).
set -euo pipefail
cd "$(dirname "$0")/../.."
SIMPY_REPS=${1:-10}
CIW_REPS=${2:-4}
MEMORY_REPS=${3:-10000}
VENV=target/peers-venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q -r benches/peers/requirements.txt
fi
cargo build --release -q
BIN=./target/release/bedflow
OUT=target/peers
rm -rf "$OUT" && mkdir -p "$OUT"
# Wall seconds and peak resident kilobytes of a command, appended to $OUT/times.
timed() {
  local name=$1; shift
  /usr/bin/time -f "$name %e %M" -a -o "$OUT/times" "$@"
}

{
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
  echo "versions: $(rustc --version), bedflow $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $("$VENV/bin/python" --version), $("$VENV/bin/pip" freeze | grep -iE '^(simpy|ciw)==' | tr '\n' ' ')"
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
} > "$OUT/machine.txt"

echo "== bedflow: 200 replications on 1 thread (agreement, whole process)" >&2
timed bedflow_200 "$BIN" run scenarios/reference-600-beds.toml --threads 1 --quiet --out "$OUT/bedflow"
echo "== bedflow engine: reference model and scale (criterion)" >&2
cargo bench -q --bench engine -- 'reference/|scale/' --noplot 2>/dev/null | tee "$OUT/bedflow_bench.txt" >&2
echo "== bare Rust loop (criterion)" >&2
cargo bench -q --bench bare_loop -- --noplot 2>/dev/null | tee "$OUT/bare.txt" >&2
echo "== SimPy: $SIMPY_REPS replications" >&2
timed simpy "$VENV/bin/python" benches/peers/reference.py simpy "$SIMPY_REPS" 1 > "$OUT/simpy.jsonl"
echo "== Ciw: $CIW_REPS replications" >&2
timed ciw "$VENV/bin/python" benches/peers/reference.py ciw "$CIW_REPS" 1 > "$OUT/ciw.jsonl"
echo "== the shipped winter: 1,000 replications on 1 and 2 threads, end to end" >&2
timed winter_1_thread "$BIN" run scenarios/winter-2026-27.toml --replications 1000 --threads 1 --quiet --out "$OUT/winter-1"
timed winter_2_threads "$BIN" run scenarios/winter-2026-27.toml --replications 1000 --threads 2 --quiet --out "$OUT/winter-2"
if [ "$MEMORY_REPS" -gt 0 ]; then
  echo "== peak memory: one run of 1,000; compare of 4 plans, sweep of 20 values, merge of 20 parts at $MEMORY_REPS" >&2
  REF=scenarios/reference-600-beds.toml
  for beds in 590 595 610; do
    sed "s/^beds = 600/beds = $beds/; s/^name = \"reference-600-beds\"/name = \"reference-$beds-beds\"/" $REF > "$OUT/plan-$beds.toml"
  done
  timed memory_run_1000 "$BIN" run $REF --replications 1000 --quiet --out "$OUT/m-run"
  timed memory_compare "$BIN" compare $REF "$OUT/plan-590.toml" "$OUT/plan-595.toml" "$OUT/plan-610.toml" \
    --replications "$MEMORY_REPS" --quiet --out "$OUT/m-compare" > "$OUT/compare.txt"
  timed memory_sweep "$BIN" sweep $REF --set pool.beds.beds=581..600:1 --replications "$MEMORY_REPS" --quiet \
    --out "$OUT/m-sweep" > "$OUT/sweep.txt"
  mkdir -p "$OUT/m-parts"
  for k in $(seq 1 20); do
    "$BIN" run $REF --replications "$MEMORY_REPS" --shard "$k/20" --quiet --out "$OUT/m-parts/part-$k.part" 2>/dev/null
  done
  timed memory_merge "$BIN" merge "$OUT"/m-parts/*.part --out "$OUT/m-merge"
fi

"$VENV/bin/python" benches/peers/summary.py "$OUT"

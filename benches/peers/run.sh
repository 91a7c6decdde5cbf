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
  for beds in 590 600 610; do
    sed "s/^beds = 600/beds = $beds/; s/^name = \"reference-600-beds\"/name = \"reference-$beds-beds\"/" $REF > "$OUT/plan-$beds.toml"
  done
  timed memory_run_1000 "$BIN" run $REF --replications 1000 --quiet --out "$OUT/m-run"
  timed memory_compare "$BIN" compare $REF "$OUT/plan-590.toml" "$OUT/plan-600.toml" "$OUT/plan-610.toml" \
    --replications "$MEMORY_REPS" --quiet --out "$OUT/m-compare"
  timed memory_sweep "$BIN" sweep $REF --set pool.beds.beds=581..600:1 --replications "$MEMORY_REPS" --quiet \
    --out "$OUT/m-sweep"
  mkdir -p "$OUT/m-parts"
  for k in $(seq 1 20); do
    "$BIN" run $REF --replications "$MEMORY_REPS" --shard "$k/20" --quiet --out "$OUT/m-parts/part-$k.part"
  done
  timed memory_merge "$BIN" merge "$OUT"/m-parts/*.part --out "$OUT/m-merge"
fi

"$VENV/bin/python" - "$OUT" <<'PY'
import csv, json, math, re, statistics as st, sys
out = sys.argv[1]
print()
print(open(f"{out}/machine.txt").read().rstrip())
metrics = [("mean_occupancy", "time_average_occupancy"), ("share_of_time_full", "share_of_time_full"),
           ("bed_wait_hours_mean", "bed_wait_hours_mean"), ("waits_over_12h", "waits_over_12h_from_dta")]
def ci(xs):
    m = st.mean(xs)
    se = st.stdev(xs) / math.sqrt(len(xs)) if len(xs) > 1 else float("nan")
    return m, se
bed = {}
with open(f"{out}/bedflow/replications.csv") as f:
    rows = list(csv.DictReader(f))
for _, col in metrics:
    bed[col] = ci([float(r[f"{col}:beds"]) for r in rows])
peers = {name: [json.loads(l) for l in open(f"{out}/{name}.jsonl")] for name in ("simpy", "ciw")}
print("\nAgreement (mean +/- standard error over replications):")
print(f"{'measure':24} {'bedflow':>22} {'SimPy':>22} {'Ciw':>22}")
for key, col in metrics:
    b = bed[col]
    cells = [f"{b[0]:.4g} +/- {b[1]:.2g}"]
    for name in ("simpy", "ciw"):
        m, se = ci([r[key] for r in peers[name]])
        z = abs(m - b[0]) / math.sqrt(se ** 2 + b[1] ** 2) if se == se and (se > 0 or b[1] > 0) else 0.0
        cells.append(f"{m:.4g} +/- {se:.2g}{' ok' if z < 3 else ' DIFFERS'}")
    print(f"{key:24} " + " ".join(f"{c:>22}" for c in cells))

times = {}
for line in open(f"{out}/times"):
    parts = line.split()
    if len(parts) == 3 and not line.startswith("Command"):
        times[parts[0]] = (float(parts[1]), int(parts[2]))
unit = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}
bench = open(f"{out}/bedflow_bench.txt").read()
def criterion_median(text, name):
    m = re.search(re.escape(name) + r"\s+time:\s+\[\S+ \S+ (\S+) (\S+)", text)
    return float(m.group(1)) * unit[m.group(2)]
def criterion_rate(text, name):
    m = re.search(re.escape(name) + r"\s+time:.*?\n\s+thrpt:\s+\[\S+ \S+ (\S+) (\S+)", text, re.S)
    scale = {"elem/s": 1.0, "Kelem/s": 1e3, "Melem/s": 1e6, "Gelem/s": 1e9}[m.group(2)]
    return float(m.group(1)) * scale
def verdict(ok):
    return "met" if ok else "MISSED"
bedflow_s = criterion_median(bench, "reference/bedflow_one_replication")
bare_s = criterion_median(open(f"{out}/bare.txt").read(), "")
simpy_s = st.median(r["seconds"] for r in peers["simpy"])
ciw_s = st.median(r["seconds"] for r in peers["ciw"])
whole = {
    "bedflow": times["bedflow_200"][0] / len(rows),
    "simpy": times["simpy"][0] / len(peers["simpy"]),
    "ciw": times["ciw"][0] / len(peers["ciw"]),
}
print("\nSeconds per replication of the reference model, one thread:")
print(f"{'':10} {'in-process':>14} {'whole process':>14}")
print(f"{'bedflow':10} {bedflow_s*1e3:11.2f} ms {whole['bedflow']*1e3:11.2f} ms")
print(f"{'bare loop':10} {bare_s*1e3:11.2f} ms {'':>14}")
print(f"{'SimPy':10} {simpy_s*1e3:11.0f} ms {whole['simpy']*1e3:11.0f} ms")
print(f"{'Ciw':10} {ciw_s*1e3:11.0f} ms {whole['ciw']*1e3:11.0f} ms")
print("\nGoals (issue 18):")
r = simpy_s / bedflow_s
print(f"  SimPy / bedflow        {r:8.0f}x in-process, {whole['simpy']/whole['bedflow']:.0f}x whole process   goal >= 250x   {verdict(r >= 250)}")
r = ciw_s / bedflow_s
print(f"  Ciw / bedflow          {r:8.0f}x in-process, {whole['ciw']/whole['bedflow']:.0f}x whole process   goal >= 1200x  {verdict(r >= 1200)}")
r = bedflow_s / bare_s
print(f"  bedflow / bare loop    {r:8.2f}x in-process                     goal <= 0.6x   {verdict(r <= 0.6)}")
small, large = criterion_rate(bench, "scale/beds=600"), criterion_rate(bench, "scale/beds=60000")
print(f"  events/s at 60,000 beds {large/1e6:.1f}M / at 600 {small/1e6:.1f}M = {large/small:.2f}        goal >= 0.90   {verdict(large/small >= 0.9)}")
w1, w2 = times["winter_1_thread"][0], times["winter_2_threads"][0]
print(f"  winter, 1,000 replications on 2 threads {w2:.1f} s                 goal < 10 s    {verdict(w2 < 10)}")
print(f"  winter, 2 threads / 1 thread {w1/w2:.2f}x ({w1:.1f} s on 1)                goal >= 1.8x   {verdict(w1/w2 >= 1.8)}")
if "memory_run_1000" in times:
    base = times["memory_run_1000"][1]
    for name, what in [("memory_compare", "compare of 4 plans"), ("memory_sweep", "sweep of 20 values"), ("memory_merge", "merge of 20 parts")]:
        kb = times[name][1]
        print(f"  peak memory, {what}: {kb/1024:.0f} MB / one run of 1,000 {base/1024:.0f} MB = {kb/base:.2f}x   goal <= 1.2x  {verdict(kb/base <= 1.2)}")
PY

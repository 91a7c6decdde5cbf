#!/usr/bin/env bash
# Times bedflow, SimPy, Ciw and the bare Rust loop on the reference model
# (benches/README.md), checks they agree, and prints the ratios.
# Needs PyPI (installs SimPy and Ciw into target/peers-venv). Run from anywhere:
#   bash benches/peers/run.sh [SIMPY_REPS] [CIW_REPS]
set -euo pipefail
cd "$(dirname "$0")/../.."
SIMPY_REPS=${1:-10}
CIW_REPS=${2:-4}
VENV=target/peers-venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q -r benches/peers/requirements.txt
fi
cargo build --release -q
OUT=target/peers
rm -rf "$OUT" && mkdir -p "$OUT"

echo "== bedflow: 200 replications on 1 thread (for the agreement check)" >&2
./target/release/bedflow run scenarios/reference-600-beds.toml --threads 1 --quiet --out "$OUT/bedflow"
echo "== bedflow engine, one replication (criterion)" >&2
cargo bench -q --bench engine -- reference/bedflow --noplot 2>/dev/null | tee "$OUT/bedflow_bench.txt" >&2
echo "== bare Rust loop (criterion)" >&2
cargo bench -q --bench bare_loop -- --noplot 2>/dev/null | tee "$OUT/bare.txt" >&2
echo "== SimPy: $SIMPY_REPS replications" >&2
"$VENV/bin/python" benches/peers/reference.py simpy "$SIMPY_REPS" 1 > "$OUT/simpy.jsonl"
echo "== Ciw: $CIW_REPS replications" >&2
"$VENV/bin/python" benches/peers/reference.py ciw "$CIW_REPS" 1 > "$OUT/ciw.jsonl"

"$VENV/bin/python" - "$OUT" <<'PY'
import csv, json, math, re, statistics as st, sys
out = sys.argv[1]
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
run = json.load(open(f"{out}/bedflow/run.json"))
end_to_end_s = run["wall_time_seconds"] / run["replications"]
unit = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}
def criterion_median(path):
    m = re.search(r"time:\s+\[\S+ \S+ (\S+) (\S+)", open(path).read())
    return float(m.group(1)) * unit[m.group(2)]
bedflow_s = criterion_median(f"{out}/bedflow_bench.txt")
bare_s = criterion_median(f"{out}/bare.txt")
simpy_s = st.median(r["seconds"] for r in peers["simpy"])
ciw_s = st.median(r["seconds"] for r in peers["ciw"])
print("\nSeconds per replication, one thread:")
print(f"  bedflow  {bedflow_s*1e3:8.2f} ms   (criterion median; end to end with KPIs {end_to_end_s*1e3:.2f} ms)")
print(f"  bare     {bare_s*1e3:8.2f} ms   bedflow / bare  = {bedflow_s/bare_s:.2f}x (goal <= 2x)")
print(f"  SimPy    {simpy_s*1e3:8.0f} ms   SimPy / bedflow = {simpy_s/bedflow_s:.0f}x (goal >= 150x)")
print(f"  Ciw      {ciw_s*1e3:8.0f} ms   Ciw / bedflow   = {ciw_s/bedflow_s:.0f}x (goal >= 700x)")
PY
